"""Schedules: launch runs of a job (or an asset selection) on a cron schedule.

``ScheduleDefinition`` and ``@schedule`` only describe; the daemon asks ``next_tick_times`` when
to tick and ``evaluate_tick`` what to launch. Tests build a context with
``build_schedule_context`` and call the schedule directly.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from headwater.definitions.cron import cron_ticks, get_timezone, validate_cron
from headwater.definitions.errors import (
    InvalidDefinitionError,
    InvalidInvocationError,
    InvalidPropertyError,
    UserCodeExecutionError,
)
from headwater.definitions.instigator import (
    EvaluationFunction,
    Instigator,
    InstigatorContext,
    call_with_optional_context,
    coerce_targets,
    run_user_code,
)
from headwater.definitions.run_request import (
    SCHEDULE_NAME_TAG,
    RunRequest,
    SkipReason,
    TickResult,
)

EMPTY_RESULT = "Schedule function returned an empty result"


class DefaultScheduleStatus(enum.Enum):
    """Whether a schedule runs as soon as it is loaded (until turned off in the UI or CLI)."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class ScheduleEvaluationContext(InstigatorContext):
    """What a schedule function receives: the tick's time, the instance and resources."""

    _builder = "build_schedule_context"

    def __init__(self, instance: Any = None, scheduled_execution_time: datetime.datetime | None = None,
                 resources: Mapping[str, Any] | None = None, definitions: Any = None,
                 schedule_name: str | None = None):
        super().__init__(instance, resources, definitions,
                         f"headwater.schedules.{schedule_name}" if schedule_name else "headwater")
        self._scheduled_execution_time = scheduled_execution_time
        self.schedule_name = schedule_name

    @property
    def scheduled_execution_time(self) -> datetime.datetime:
        if self._scheduled_execution_time is None:
            raise InvalidPropertyError(
                "This schedule context has no scheduled_execution_time: pass "
                "build_schedule_context(scheduled_execution_time=datetime(...))")
        return self._scheduled_execution_time


def build_schedule_context(instance: Any = None,
                           scheduled_execution_time: datetime.datetime | None = None,
                           resources: Mapping[str, Any] | None = None,
                           repository_def: Any = None, instance_ref: Any = None,
                           definitions: Any = None) -> ScheduleEvaluationContext:
    """A context for calling a schedule in a test: ``my_schedule(build_schedule_context(...))``."""
    return ScheduleEvaluationContext(instance, scheduled_execution_time, resources,
                                     definitions if definitions is not None else repository_def)


class ScheduleDefinition(Instigator):
    """Runs a job on a cron schedule (several cron strings: ticks at each), in a timezone."""

    kind = "schedule"

    def __init__(self, name: str | None = None, *, cron_schedule: str | Sequence[str] | None = None,
                 job_name: str | None = None, run_config: Any = None,
                 run_config_fn: Callable[..., Any] | None = None,
                 tags: Mapping[str, str] | None = None,
                 tags_fn: Callable[..., Mapping[str, str]] | None = None,
                 should_execute: Callable[..., bool] | None = None,
                 environment_vars: Mapping[str, str] | None = None,
                 execution_timezone: str | None = None,
                 execution_fn: Callable[..., Any] | EvaluationFunction | None = None,
                 description: str | None = None, job: Any = None,
                 default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
                 required_resource_keys: Iterable[str] | None = None, target: Any = None,
                 metadata: Mapping[str, Any] | None = None, owners: Iterable[str] | None = None):
        label = f"Schedule {name!r}" if name else "A schedule"
        targets = coerce_targets(label, name, job=job, job_name=job_name, target=target)
        if not targets:
            raise InvalidDefinitionError(f"{label} needs something to run: pass job=, "
                                         "job_name= or target=")
        name = name or f"{targets[0].job_name}_schedule"
        what = f"Schedule {name!r}"
        if execution_fn is not None and (run_config is not None or run_config_fn is not None):
            raise InvalidDefinitionError(
                f"{what}: its function decides the run config, so run_config and run_config_fn "
                "cannot be given with it")
        if run_config is not None and run_config_fn is not None:
            raise InvalidDefinitionError(f"{what}: pass run_config or run_config_fn, not both")
        if tags is not None and tags_fn is not None:
            raise InvalidDefinitionError(f"{what}: pass tags or tags_fn, not both")
        if cron_schedule is None:
            raise InvalidDefinitionError(f"{what} needs a cron_schedule, e.g. '0 6 * * *'")
        self.cron_schedule = validate_cron(cron_schedule, what)
        if execution_timezone is not None:
            get_timezone(execution_timezone, what)
        self.execution_timezone = execution_timezone
        # Only @schedule passes an EvaluationFunction; those schedules are directly callable.
        self._decorated = isinstance(execution_fn, EvaluationFunction)
        if execution_fn is not None and not isinstance(execution_fn, EvaluationFunction):
            execution_fn = EvaluationFunction(execution_fn, what)
        self._init_common(name, targets, description, default_status, required_resource_keys,
                          tags, metadata, owners, execution_fn)
        self.run_config = run_config
        self.run_config_fn = run_config_fn
        self.tags_fn = tags_fn
        self.should_execute = should_execute
        self.environment_vars = dict(environment_vars or {})

    @property
    def execution_fn(self) -> Callable[..., Any] | None:
        return self._evaluation.fn if self._evaluation else None

    # --- time ---
    def next_tick_times(self, start: datetime.datetime,
                        inclusive: bool = False) -> Iterator[datetime.datetime]:
        """Tick times after ``start`` (or at it when ``inclusive``), aware, in the schedule's
        timezone (UTC when none is set)."""
        return cron_ticks(self.cron_schedule, self.execution_timezone, start, inclusive)

    # --- evaluation ---
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the decorated function as a test does; returns what the function returns."""
        if not self._decorated or self._evaluation is None:
            raise InvalidInvocationError(
                f"{self.what} was not made with @schedule, so it has no function to call; use "
                f"{self.name}.evaluate_tick(build_schedule_context(...)) to see its run requests")
        context, resources = self._evaluation.bind_direct(
            self.what, args, kwargs, (ScheduleEvaluationContext,),
            "build_schedule_context(...)")
        return self._evaluation(self.what, context, (), resources)

    def evaluate_tick(self, context: ScheduleEvaluationContext) -> TickResult:
        """What this tick launches: run requests tagged with the schedule's name, or a skip."""
        if self.should_execute is not None and not self._call_helper(self.should_execute, context):
            return TickResult(skip_message=f"should_execute function for {self.name} returned false.")
        if self._evaluation is not None:
            raw = self._evaluation.run_for_tick(self.what, context)
        elif self.run_config_fn is not None:
            raw = self._call_helper(self.run_config_fn, context)
        else:
            raw = self.run_config if self.run_config is not None else {}
        requests, skip = self._normalize(raw, context)
        return TickResult(self._tagged(requests, SCHEDULE_NAME_TAG), skip)

    def _call_helper(self, fn: Callable[..., Any], context: ScheduleEvaluationContext) -> Any:
        """Call ``should_execute``, ``run_config_fn`` or ``tags_fn`` as user code."""
        return run_user_code(self.what, fn, lambda: call_with_optional_context(fn, context))

    def _run_tags(self, context: ScheduleEvaluationContext) -> Mapping[str, Any]:
        if self.tags_fn is None:
            return self.tags
        return self._call_helper(self.tags_fn, context) or {}

    def _normalize(self, raw: Any, context: ScheduleEvaluationContext
                   ) -> tuple[list[RunRequest], str | None]:
        if isinstance(raw, Mapping) or hasattr(raw, "to_config_dict"):
            return [RunRequest(run_config=raw, tags=self._run_tags(context))], None
        if raw is None:
            return [], EMPTY_RESULT
        items = [raw] if isinstance(raw, (RunRequest, SkipReason)) else raw
        if not isinstance(items, (list, tuple)) or not all(
                isinstance(i, (RunRequest, SkipReason)) for i in items):
            raise UserCodeExecutionError(
                f"{self.what} returned {raw!r}; a schedule function returns a RunRequest, a list "
                "(or generator) of them, a SkipReason, or a run config dict")
        skips = [i for i in items if isinstance(i, SkipReason)]
        if skips and (len(items) > 1):
            raise UserCodeExecutionError(
                f"{self.what} returned {len(items)} results including a SkipReason; return one "
                "SkipReason alone, or only RunRequests")
        if skips:
            return [], skips[0].skip_message
        return list(items), EMPTY_RESULT if not items else None


def schedule(cron_schedule: str | Sequence[str], *, job_name: str | None = None,
             name: str | None = None, tags: Mapping[str, str] | None = None,
             tags_fn: Callable[..., Mapping[str, str]] | None = None,
             metadata: Mapping[str, Any] | None = None,
             should_execute: Callable[..., bool] | None = None,
             environment_vars: Mapping[str, str] | None = None,
             execution_timezone: str | None = None, description: str | None = None,
             job: Any = None, default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
             required_resource_keys: Iterable[str] | None = None, target: Any = None,
             owners: Iterable[str] | None = None
             ) -> Callable[[Callable[..., Any]], ScheduleDefinition]:
    """Make a schedule from a function of the context (optional) and resources, returning a
    RunRequest, a list or generator of them, a SkipReason, or a run config dict."""

    def wrap(fn: Callable[..., Any]) -> ScheduleDefinition:
        sched_name = name or fn.__name__
        evaluation = EvaluationFunction(fn, f"Schedule {sched_name!r}")
        return ScheduleDefinition(
            sched_name, cron_schedule=cron_schedule, job_name=job_name, tags=tags,
            environment_vars=environment_vars, execution_timezone=execution_timezone,
            execution_fn=evaluation, description=description, job=job,
            default_status=default_status, required_resource_keys=required_resource_keys,
            target=target, metadata=metadata, owners=owners, tags_fn=tags_fn,
            should_execute=should_execute)

    return wrap
