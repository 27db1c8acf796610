"""Run status sensors: react when runs reach a status (``@run_status_sensor``), or fail
(``@run_failure_sensor``), e.g. to alert or to launch a follow-up job.

These are definitions and direct invocation for tests; the daemon finds the runs that changed
status and calls ``evaluate_for_run`` once per run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from headwater.definitions.errors import InvariantViolationError
from headwater.definitions.instigator import InstigatorContext
from headwater.definitions.run_request import TickResult
from headwater.definitions.sensors import (
    DefaultSensorStatus,
    SensorDefinition,
    SensorEvaluationContext,
)

# RunStatus is a str enum (in the storage layer): RunStatus.FAILURE == "FAILURE".
FAILURE = "FAILURE"


class RunStatusSensorContext(InstigatorContext):
    """What a run status sensor function receives: the run, the event that changed its status,
    the instance and resources."""

    _builder = "build_run_status_sensor_context"

    def __init__(self, sensor_name: str, dagster_run: Any, dagster_event: Any, instance: Any,
                 context: SensorEvaluationContext | None = None,
                 resources: Mapping[str, Any] | None = None, partition_key: str | None = None,
                 definitions: Any = None):
        super().__init__(instance, resources, definitions, f"headwater.sensors.{sensor_name}")
        self.sensor_name = sensor_name
        self.dagster_run = dagster_run
        self.dagster_event = dagster_event
        self.partition_key = partition_key
        self._sensor_context = context

    @property
    def run(self) -> Any:
        return self.dagster_run

    def for_run_failure(self) -> RunFailureSensorContext:
        """This context as a ``RunFailureSensorContext`` (for a run that failed)."""
        other = RunFailureSensorContext(self.sensor_name, self.dagster_run, self.dagster_event,
                                        self._instance, self._sensor_context,
                                        self._resource_defs, self.partition_key,
                                        self._definitions)
        other._resources, other._stack = self._resources, self._stack
        return other


class RunFailureSensorContext(RunStatusSensorContext):
    """The context of a run failure sensor: adds the failure event and the failed steps."""

    @property
    def failure_event(self) -> Any:
        return self.dagster_event

    def get_step_failure_events(self) -> list[Any]:
        """The STEP_FAILURE events of the failed run, read from the instance."""
        entries = self.instance.all_logs(self.dagster_run.run_id, of_type="STEP_FAILURE")
        return [e.dagster_event for e in entries if e.dagster_event is not None]


def build_run_status_sensor_context(sensor_name: str, dagster_event: Any, dagster_instance: Any,
                                    dagster_run: Any, context: SensorEvaluationContext | None = None,
                                    resources: Mapping[str, Any] | None = None,
                                    partition_key: str | None = None, *,
                                    repository_def: Any = None) -> RunStatusSensorContext:
    """A context for calling a run status sensor in a test, from a run and its status event
    (e.g. ``result.dagster_run`` and ``result.get_run_success_event()``)."""
    return RunStatusSensorContext(sensor_name, dagster_run, dagster_event, dagster_instance,
                                  context, resources, partition_key, repository_def)


class RunStatusSensorDefinition(SensorDefinition):
    """A sensor called once for each run that reaches ``run_status``."""

    def __init__(self, name: str, *, run_status: Any, run_status_sensor_fn: Callable[..., Any],
                 minimum_interval_seconds: int | None = None, description: str | None = None,
                 monitored_jobs: Iterable[Any] | None = None,
                 monitor_all_code_locations: bool | None = None,
                 default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
                 request_job: Any = None, request_jobs: Iterable[Any] | None = None,
                 tags: Mapping[str, str] | None = None, metadata: Mapping[str, Any] | None = None,
                 required_resource_keys: Iterable[str] | None = None):
        super().__init__(name, evaluation_fn=run_status_sensor_fn,
                         minimum_interval_seconds=minimum_interval_seconds,
                         description=description, job=request_job, jobs=request_jobs,
                         default_status=default_status,
                         required_resource_keys=required_resource_keys, tags=tags,
                         metadata=metadata)
        self.run_status = run_status
        self.monitored_jobs = list(monitored_jobs or ())
        self.monitor_all_code_locations = bool(monitor_all_code_locations)

    @property
    def monitored_job_names(self) -> list[str]:
        return [j if isinstance(j, str) else j.name for j in self.monitored_jobs]

    def _prepare(self, context: RunStatusSensorContext) -> RunStatusSensorContext:
        return context

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function as a test does; returns what the function returns."""
        context, resources = self._evaluation.bind_direct(
            self.what, args, kwargs, (RunStatusSensorContext,),
            "build_run_status_sensor_context(...)")
        if context is not None:
            context = self._prepare(context)
        return self._evaluation(self.what, context, (), resources)

    def evaluate_for_run(self, context: RunStatusSensorContext) -> TickResult:
        """The daemon's call for one run that reached the status: normalized run requests."""
        context = self._prepare(context)
        raw = self._evaluation.run_for_tick(self.what, context)
        cursor_holder = context._sensor_context or SensorEvaluationContext()
        return self._to_tick(raw, cursor_holder)

    def evaluate_tick(self, context: SensorEvaluationContext) -> TickResult:
        raise InvariantViolationError(
            f"{self.what} is a run status sensor: the daemon evaluates it against run status "
            "changes. To test it, call it with build_run_status_sensor_context(...)")


class RunFailureSensorDefinition(RunStatusSensorDefinition):
    """A run status sensor for failed runs; its function gets a ``RunFailureSensorContext``."""

    def _prepare(self, context: RunStatusSensorContext) -> RunStatusSensorContext:
        return context if isinstance(context, RunFailureSensorContext) else context.for_run_failure()


def _decorator(cls: type[RunStatusSensorDefinition], run_status: Any, name: str | None,
               monitored_jobs: Iterable[Any] | None, job_selection: Iterable[Any] | None,
               monitor_all_code_locations: bool | None, monitor_all_repositories: bool | None,
               **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """What ``@run_status_sensor`` and ``@run_failure_sensor`` share: Dagster's older argument
    names (``job_selection``, ``monitor_all_repositories``) folded into the current ones."""

    def wrap(fn: Callable[..., Any]) -> RunStatusSensorDefinition:
        return cls(
            name or fn.__name__, run_status=run_status, run_status_sensor_fn=fn,
            monitored_jobs=monitored_jobs if monitored_jobs is not None else job_selection,
            monitor_all_code_locations=monitor_all_code_locations or monitor_all_repositories,
            **options)

    return wrap


def run_status_sensor(run_status: Any, name: str | None = None,
                      minimum_interval_seconds: int | None = None, description: str | None = None,
                      monitored_jobs: Iterable[Any] | None = None,
                      job_selection: Iterable[Any] | None = None,
                      monitor_all_code_locations: bool | None = None,
                      default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
                      request_job: Any = None, request_jobs: Iterable[Any] | None = None,
                      monitor_all_repositories: bool | None = None,
                      tags: Mapping[str, str] | None = None,
                      metadata: Mapping[str, Any] | None = None
                      ) -> Callable[[Callable[..., Any]], RunStatusSensorDefinition]:
    """Make a sensor whose function gets a ``RunStatusSensorContext`` for each run that reaches
    ``run_status`` (a ``RunStatus``)."""
    return _decorator(
        RunStatusSensorDefinition, run_status, name, monitored_jobs, job_selection,
        monitor_all_code_locations, monitor_all_repositories,
        minimum_interval_seconds=minimum_interval_seconds, description=description,
        default_status=default_status, request_job=request_job, request_jobs=request_jobs,
        tags=tags, metadata=metadata)


def run_failure_sensor(name: Callable[..., Any] | str | None = None,
                       minimum_interval_seconds: int | None = None,
                       description: str | None = None,
                       monitored_jobs: Iterable[Any] | None = None,
                       job_selection: Iterable[Any] | None = None,
                       monitor_all_code_locations: bool | None = None,
                       default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
                       request_job: Any = None, request_jobs: Iterable[Any] | None = None,
                       monitor_all_repositories: bool | None = None,
                       tags: Mapping[str, str] | None = None,
                       metadata: Mapping[str, Any] | None = None) -> Any:
    """Make a sensor whose function gets a ``RunFailureSensorContext`` for each failed run.
    Usable bare (``@run_failure_sensor``) or with arguments."""
    wrap = _decorator(
        RunFailureSensorDefinition, FAILURE, name if isinstance(name, str) else None,
        monitored_jobs, job_selection, monitor_all_code_locations, monitor_all_repositories,
        minimum_interval_seconds=minimum_interval_seconds, description=description,
        default_status=default_status, request_job=request_job, request_jobs=request_jobs,
        tags=tags, metadata=metadata)
    return wrap(name) if callable(name) else wrap
