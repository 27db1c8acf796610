"""Sensors: a function the daemon polls, which requests runs when something has changed.

A sensor keeps its place between ticks in a string cursor. ``evaluate_tick`` turns whatever
the function returns into a ``TickResult``; tests call the sensor directly with
``build_sensor_context``. ``@asset_sensor`` watches one asset's materializations.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from headwater.definitions.asset_key import AssetKey, coerce_key
from headwater.definitions.assets import AssetsDefinition
from headwater.definitions.errors import (
    InvalidDefinitionError,
    InvariantViolationError,
    UserCodeExecutionError,
)
from headwater.definitions.instigator import (
    EvaluationFunction,
    Instigator,
    InstigatorContext,
    coerce_targets,
)
from headwater.definitions.run_request import (
    SENSOR_NAME_TAG,
    RunRequest,
    SensorResult,
    SkipReason,
    TickResult,
)
from headwater.definitions.selection import AssetSelection

DEFAULT_MINIMUM_INTERVAL_SECONDS = 30
EMPTY_RESULT = "Sensor function returned an empty result"


class DefaultSensorStatus(enum.Enum):
    """Whether a sensor runs as soon as it is loaded (until turned off in the UI or CLI)."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class SensorEvaluationContext(InstigatorContext):
    """What a sensor function receives: its cursor, the instance, resources, the last tick."""

    _builder = "build_sensor_context"

    def __init__(self, instance: Any = None, cursor: str | None = None,
                 repository_name: str | None = None, resources: Mapping[str, Any] | None = None,
                 definitions: Any = None, last_tick_completion_time: float | None = None,
                 last_run_key: str | None = None, last_sensor_start_time: float | None = None,
                 sensor_name: str | None = None, log_key: Any = None):
        super().__init__(instance, resources, definitions,
                         f"headwater.sensors.{sensor_name}" if sensor_name else "headwater")
        self._cursor = cursor
        self.cursor_updated = False
        self.repository_name = repository_name
        self.last_tick_completion_time = last_tick_completion_time
        self.last_run_key = last_run_key
        self.last_sensor_start_time = last_sensor_start_time
        self.sensor_name = sensor_name
        self.log_key = log_key

    @property
    def cursor(self) -> str | None:
        return self._cursor

    def update_cursor(self, cursor: str | None) -> None:
        """Set the cursor the next tick will see (saved when this tick succeeds)."""
        self._cursor = cursor
        self.cursor_updated = True

    @property
    def last_completion_time(self) -> float | None:
        return self.last_tick_completion_time

    @property
    def is_first_tick_since_sensor_start(self) -> bool:
        return self.last_tick_completion_time is None


def build_sensor_context(instance: Any = None, cursor: str | None = None,
                         repository_name: str | None = None, repository_def: Any = None,
                         sensor_name: str | None = None,
                         resources: Mapping[str, Any] | None = None, definitions: Any = None,
                         instance_ref: Any = None,
                         last_sensor_start_time: float | None = None) -> SensorEvaluationContext:
    """A context for calling a sensor in a test: ``my_sensor(build_sensor_context(...))``."""
    return SensorEvaluationContext(
        instance, cursor, repository_name, resources,
        definitions if definitions is not None else repository_def,
        last_sensor_start_time=last_sensor_start_time, sensor_name=sensor_name)


class SensorDefinition(Instigator):
    """A function polled every ``minimum_interval_seconds`` that returns or yields RunRequests,
    a SkipReason or a SensorResult."""

    kind = "sensor"
    _slots: tuple[str, ...] = ("context",)
    _evaluation: EvaluationFunction  # a sensor always has its function

    def __init__(self, name: str | None = None, *,
                 evaluation_fn: Callable[..., Any] | EvaluationFunction | None = None,
                 job_name: str | None = None, minimum_interval_seconds: int | None = None,
                 description: str | None = None, job: Any = None, jobs: Iterable[Any] | None = None,
                 default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
                 asset_selection: Any = None, required_resource_keys: Iterable[str] | None = None,
                 tags: Mapping[str, str] | None = None, metadata: Mapping[str, Any] | None = None,
                 target: Any = None, owners: Iterable[str] | None = None):
        if evaluation_fn is None:
            raise InvalidDefinitionError(
                f"Sensor {name or ''!r} needs an evaluation function: use @sensor, or pass "
                "evaluation_fn=")
        fn = evaluation_fn.fn if isinstance(evaluation_fn, EvaluationFunction) else evaluation_fn
        name = str(name or getattr(fn, "__name__", ""))
        what = f"Sensor {name!r}"
        if not isinstance(evaluation_fn, EvaluationFunction):
            evaluation_fn = EvaluationFunction(evaluation_fn, what, self._slots)
        targets = coerce_targets(what, name, job=job, job_name=job_name, jobs=jobs,
                                 target=target, asset_selection=asset_selection)
        self._init_common(name, targets, description, default_status, required_resource_keys,
                          tags, metadata, owners, evaluation_fn)
        self.minimum_interval_seconds = (DEFAULT_MINIMUM_INTERVAL_SECONDS
                                         if minimum_interval_seconds is None
                                         else minimum_interval_seconds)
        if isinstance(asset_selection, AssetsDefinition):
            asset_selection = [asset_selection]
        self.asset_selection = (AssetSelection.from_coercible(asset_selection)
                                if asset_selection is not None else None)

    @property
    def evaluation_fn(self) -> Callable[..., Any]:
        return self._evaluation.fn

    # --- evaluation ---
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function as a test does; returns what the function returns."""
        context, resources = self._evaluation.bind_direct(
            self.what, args, kwargs, (SensorEvaluationContext,), "build_sensor_context(...)")
        return self._evaluation(self.what, context, (), resources)

    def evaluate_tick(self, context: SensorEvaluationContext) -> TickResult:
        """What this tick launches, normalized and tagged with the sensor's name, with the
        cursor to save."""
        raw = self._evaluation.run_for_tick(self.what, context)
        return self._to_tick(raw, context)

    def _to_tick(self, raw: Any, context: SensorEvaluationContext) -> TickResult:
        if raw is None:
            items: list[Any] = []
        elif isinstance(raw, (RunRequest, SkipReason, SensorResult)):
            items = [raw]
        elif isinstance(raw, (list, tuple)):
            items = list(raw)
        else:
            raise self._bad_output(raw)
        results = [i for i in items if isinstance(i, SensorResult)]
        if results:
            if len(items) > 1:
                raise UserCodeExecutionError(
                    f"{self.what} returned a SensorResult with other values; a SensorResult must "
                    "be the only thing a sensor returns")
            return self._from_result(results[0], context)
        for item in items:
            if not isinstance(item, (RunRequest, SkipReason)):
                raise self._bad_output(item)
        requests = [i for i in items if isinstance(i, RunRequest)]
        skips = [i for i in items if isinstance(i, SkipReason)]
        if skips and len(items) > 1:
            raise UserCodeExecutionError(
                f"{self.what} returned {len(items)} values including a SkipReason; return one "
                "SkipReason alone, or only RunRequests")
        skip = skips[0].skip_message if skips else (None if requests else EMPTY_RESULT)
        return TickResult(self._tagged(requests, SENSOR_NAME_TAG), skip, context.cursor)

    def _from_result(self, result: SensorResult, context: SensorEvaluationContext) -> TickResult:
        if result.cursor is not None and context.cursor_updated:
            raise InvariantViolationError(
                f"{self.what} called context.update_cursor() and returned SensorResult(cursor=...)"
                "; set the cursor one way only")
        cursor = result.cursor if result.cursor is not None else context.cursor
        requests = list(result.run_requests or ())
        skip = result.skip_reason.skip_message if isinstance(result.skip_reason, SkipReason) \
            else None
        if not requests and skip is None:
            skip = EMPTY_RESULT
        return TickResult(self._tagged(requests, SENSOR_NAME_TAG), skip, cursor,
                          list(result.dynamic_partitions_requests or ()),
                          list(result.asset_events or ()))

    def _bad_output(self, value: Any) -> UserCodeExecutionError:
        return UserCodeExecutionError(
            f"{self.what} returned {value!r} ({type(value).__name__}); a sensor returns or "
            "yields RunRequests, a SkipReason, a SensorResult, or None")


def sensor(job_name: str | Callable[..., Any] | None = None, *, name: str | None = None,
           minimum_interval_seconds: int | None = None, description: str | None = None,
           job: Any = None, jobs: Iterable[Any] | None = None,
           default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
           asset_selection: Any = None, required_resource_keys: Iterable[str] | None = None,
           tags: Mapping[str, str] | None = None, metadata: Mapping[str, Any] | None = None,
           target: Any = None, owners: Iterable[str] | None = None
           ) -> Any:
    """Make a sensor from a function of the context (optional) and resources. Usable bare
    (``@sensor``) for a sensor without a target."""

    def wrap(fn: Callable[..., Any]) -> SensorDefinition:
        return SensorDefinition(
            name or fn.__name__, evaluation_fn=fn,
            job_name=job_name if isinstance(job_name, str) else None,
            minimum_interval_seconds=minimum_interval_seconds, description=description,
            job=job, jobs=jobs, default_status=default_status, asset_selection=asset_selection,
            required_resource_keys=required_resource_keys, tags=tags, metadata=metadata,
            target=target, owners=owners)

    return wrap(job_name) if callable(job_name) else wrap


# ------------------------------------------------------------------------- asset sensors

class AssetSensorDefinition(SensorDefinition):
    """A sensor that calls its function with the latest materialization of one asset, once per
    new materialization (the cursor holds the last storage id seen)."""

    _slots = ("context", "asset_event")

    def __init__(self, name: str | None = None, *, asset_key: Any,
                 asset_materialization_fn: Callable[..., Any], **kwargs: Any):
        self.asset_key = (AssetKey.from_user_string(asset_key) if isinstance(asset_key, str)
                          else coerce_key(asset_key))
        super().__init__(name, evaluation_fn=asset_materialization_fn, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call as a test does. Like Dagster, returns an iterator over what the function
        produced (a SkipReason when there is no new materialization); the context's cursor is
        moved to the materialization it saw."""
        context, resources = self._evaluation.bind_direct(
            self.what, args, kwargs, (SensorEvaluationContext,), "build_sensor_context(...)")
        if context is None:
            raise InvariantViolationError(
                f"{self.what} reads the instance: call it with build_sensor_context(instance=...)")
        record = self._new_record(context)
        if record is None:
            return iter([self._no_new_event()])
        raw = self._evaluation(self.what, context, (record.event_log_entry,), resources)
        if raw is None:
            items = []
        elif isinstance(raw, (RunRequest, SkipReason, SensorResult)):
            items = [raw]
        else:
            items = list(raw)
        context.update_cursor(str(record.storage_id))
        return iter(items)

    def evaluate_tick(self, context: SensorEvaluationContext) -> TickResult:
        record = self._new_record(context)
        if record is None:
            return TickResult(skip_message=self._no_new_event().skip_message,
                              cursor=context.cursor)
        raw = self._evaluation.run_for_tick(self.what, context, (record.event_log_entry,))
        tick = self._to_tick(raw, context)
        return TickResult(tick.run_requests, tick.skip_message, str(record.storage_id),
                          tick.dynamic_partitions_requests, tick.asset_events)

    def _new_record(self, context: SensorEvaluationContext) -> Any:
        """The asset's latest materialization record, if newer than the cursor."""
        after = int(context.cursor) if context.cursor else None
        records = context.instance.fetch_materializations(self.asset_key, limit=1).records
        if not records or (after is not None and records[0].storage_id <= after):
            return None
        return records[0]

    def _no_new_event(self) -> SkipReason:
        return SkipReason(f"No new materialization events found for asset key {self.asset_key!r}")


def asset_sensor(asset_key: Any, *, job_name: str | None = None, name: str | None = None,
                 minimum_interval_seconds: int | None = None, description: str | None = None,
                 job: Any = None, jobs: Iterable[Any] | None = None,
                 default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
                 required_resource_keys: Iterable[str] | None = None,
                 tags: Mapping[str, str] | None = None, metadata: Mapping[str, Any] | None = None
                 ) -> Callable[[Callable[..., Any]], AssetSensorDefinition]:
    """Make a sensor whose function gets ``(context, asset_event)`` for each new
    materialization of ``asset_key``; ``asset_event`` is the event log entry."""

    def wrap(fn: Callable[..., Any]) -> AssetSensorDefinition:
        return AssetSensorDefinition(
            name or fn.__name__, asset_key=asset_key, asset_materialization_fn=fn,
            job_name=job_name, minimum_interval_seconds=minimum_interval_seconds,
            description=description, job=job, jobs=jobs, default_status=default_status,
            required_resource_keys=required_resource_keys, tags=tags, metadata=metadata)

    return wrap
