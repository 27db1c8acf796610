"""Evaluate one schedule tick or one sensor tick of a loaded ``Definitions`` into an
``Evaluation`` (plain data the daemon records and acts on).

Runs in the process that imported the user's code (an ``InProcessLocation`` or a code server).
Whatever the user's function does -- raise, return something odd, request a job or partition
that does not exist, hang -- comes back as ``Evaluation.error`` naming the schedule or sensor;
nothing here raises for the user's mistakes. The user function runs on a worker thread so that
a hang becomes a timeout error (the thread itself cannot be stopped: a code server recycles
itself instead).
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from headwater.definitions.errors import HeadwaterError, UserCodeExecutionError
from headwater.events.errors import SerializableErrorInfo, error_info_from_exc
from headwater.locations.contracts import SensorTickInput
from headwater.locations.evaluation import (
    DynamicPartitionsChange,
    Evaluation,
    PartitionsChangeKind,
    RunRequestData,
)


class EvaluationError(Exception):
    """A mistake in what the user's function asked for (message names the object)."""


def evaluate_schedule(defs: Any, name: str, scheduled_time: float, instance: Any,
                      timeout: float | None = None) -> Evaluation:
    """The run requests (or skip) of schedule ``name`` for its tick at ``scheduled_time``."""
    from headwater.definitions.schedules import ScheduleEvaluationContext

    try:
        schedule = defs.get_schedule_def(name)
    except HeadwaterError as e:
        return _error(f"{e}", "UnknownScheduleError")
    when = _aware(scheduled_time, schedule.execution_timezone)

    def body(deadline: float | None) -> Evaluation:
        context = ScheduleEvaluationContext(instance, when, defs.resources, defs, name)
        try:
            tick = schedule.evaluate_tick(context)
        finally:
            context.close()
        requests = _requests(defs, schedule, tick.run_requests, instance, when, ())
        return Evaluation(requests, tick.skip_message if not requests else None)

    return _run(f"Schedule {name!r}", f"headwater.schedules.{name}", body, timeout)


def evaluate_sensor(defs: Any, name: str, tick: SensorTickInput, instance: Any,
                    timeout: float | None = None) -> Evaluation:
    """The run requests (or skip), new cursor and dynamic partition changes of one
    evaluation of sensor ``name`` from the state in ``tick``."""
    from headwater.definitions.run_status_sensors import RunStatusSensorDefinition
    from headwater.definitions.sensors import SensorEvaluationContext

    try:
        sensor = defs.get_sensor_def(name)
    except HeadwaterError as e:
        return _error(f"{e}", "UnknownSensorError")

    def body(deadline: float | None) -> Evaluation:
        context = SensorEvaluationContext(
            instance, tick.cursor, None, defs.resources, defs, tick.last_tick_completion_time,
            tick.last_run_key, tick.last_sensor_start_time, name)
        try:
            if isinstance(sensor, RunStatusSensorDefinition):
                from headwater.locations.run_status_evaluation import evaluate_run_status

                result = evaluate_run_status(defs, sensor, context, instance, deadline)
            else:
                result = sensor.evaluate_tick(context)
        finally:
            context.close()
        changes = tuple(_partition_change(r, name) for r in result.dynamic_partitions_requests)
        requests = _requests(defs, sensor, result.run_requests, instance,
                             datetime.datetime.now(datetime.timezone.utc), changes)
        events = tuple(_asset_event(e, name) for e in result.asset_events)
        return Evaluation(requests, result.skip_message if not requests else None,
                          result.cursor, changes, asset_events=events)

    return _run(f"Sensor {name!r}", f"headwater.sensors.{name}", body, timeout)


# ------------------------------------------------------------------ running the user's code

class _LogCapture(logging.Handler):
    """Keeps what the function logged through ``context.log`` (for the tick's record)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(f"{record.levelname} {record.getMessage()}")
        except Exception:  # noqa: BLE001 - a bad log call must not fail the tick
            self.lines.append(f"{record.levelname} {record.msg!r}")


def _run(what: str, logger_name: str, body: Callable[[float | None], Evaluation],
         timeout: float | None) -> Evaluation:
    """Run ``body`` on a thread; its errors and a timeout become ``Evaluation.error``."""
    deadline = None if timeout is None else time.monotonic() + timeout
    capture = _LogCapture()
    logger = logging.getLogger(logger_name)
    if logger.level == logging.NOTSET:  # context.log.info(...) should reach the tick's record
        logger.setLevel(logging.INFO)
    logger.addHandler(capture)
    outcome: list[Evaluation] = []

    def target() -> None:
        try:
            outcome.append(body(deadline))
        except UserCodeExecutionError as e:
            outcome.append(Evaluation(error=_user_error(e)))
        except EvaluationError as e:
            outcome.append(_error(str(e), "EvaluationError"))
        except HeadwaterError as e:  # the definitions refused what the function returned
            outcome.append(_error(f"{what}: {e}", type(e).__name__))
        except Exception as e:  # noqa: BLE001 - anything else the user's code raised
            outcome.append(Evaluation(error=_wrap(f"{what} raised {type(e).__name__}: {e}", e)))

    thread = threading.Thread(target=target, name=f"evaluate {what}", daemon=True)
    try:
        thread.start()
        thread.join(timeout)
    finally:
        logger.removeHandler(capture)
    if not outcome and not thread.is_alive():
        return _error(f"{what} stopped without a result", "EvaluationError")
    if thread.is_alive():
        return _error(
            f"{what} timed out after {timeout or 0:g} s: its function did not return. Make it "
            "faster (or do less per tick), or raise its timeout.", "TimeoutError")
    result = outcome[0]
    if capture.lines:
        from dataclasses import replace

        result = replace(result, log_lines=tuple(capture.lines))
    return result


def _error(message: str, cls_name: str) -> Evaluation:
    return Evaluation(error=SerializableErrorInfo(message.rstrip() + "\n", [], cls_name))


def _wrap(message: str, exc: BaseException) -> SerializableErrorInfo:
    return SerializableErrorInfo(message.rstrip() + "\n", [], type(exc).__name__,
                                 cause=error_info_from_exc(exc))


def _user_error(e: UserCodeExecutionError) -> SerializableErrorInfo:
    """The user's exception with their frames only, under a message naming the object."""
    user = e.user_exception
    if user is None:
        return error_info_from_exc(e)
    return SerializableErrorInfo(str(e).rstrip() + "\n", [], type(user).__name__,
                                 cause=error_info_from_exc(user))


def _aware(timestamp: float, timezone: str | None) -> datetime.datetime:
    from headwater.definitions.cron import get_timezone

    return datetime.datetime.fromtimestamp(timestamp, get_timezone(timezone, "schedule"))


# ------------------------------------------------------------------- converting the result

def _partition_change(request: Any, sensor_name: str) -> DynamicPartitionsChange:
    from headwater.definitions.run_request import (
        AddDynamicPartitionsRequest,
        DeleteDynamicPartitionsRequest,
    )

    if isinstance(request, AddDynamicPartitionsRequest):
        kind = PartitionsChangeKind.ADD
    elif isinstance(request, DeleteDynamicPartitionsRequest):
        kind = PartitionsChangeKind.DELETE
    else:
        raise EvaluationError(
            f"Sensor {sensor_name!r} returned {request!r} in dynamic_partitions_requests; use "
            "AddDynamicPartitionsRequest or DeleteDynamicPartitionsRequest (e.g. "
            "my_partitions.build_add_request([...]))")
    return DynamicPartitionsChange(kind, request.partitions_def_name,
                                   tuple(str(k) for k in request.partition_keys))


def _asset_event(event: Any, sensor_name: str) -> dict[str, Any]:
    """A ``SensorResult.asset_events`` item as plain data (an AssetCheckResult becomes the
    check evaluation it reports)."""
    from headwater.definitions.results import AssetCheckResult
    from headwater.events.records import AssetCheckEvaluation, asset_event_to_json

    if isinstance(event, AssetCheckResult):
        if event.asset_key is None or event.check_name is None:
            raise EvaluationError(
                f"Sensor {sensor_name!r} returned {event!r} in asset_events without its "
                "asset_key and check_name; a check result reported by a sensor names both")
        event = AssetCheckEvaluation(event.asset_key, event.check_name, event.passed,
                                     dict(event.metadata or {}), event.severity,
                                     event.description)
    try:
        return asset_event_to_json(event)
    except TypeError:
        raise EvaluationError(
            f"Sensor {sensor_name!r} returned {event!r} in SensorResult(asset_events=...); use "
            "AssetMaterialization, AssetObservation or AssetCheckEvaluation") from None


class _PendingPartitions:
    """The instance's dynamic partitions as they will be once this tick's changes apply."""

    def __init__(self, instance: Any, changes: Sequence[DynamicPartitionsChange]):
        self._instance = instance
        self._changes = changes

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        keys = list(self._instance.get_dynamic_partitions(partitions_def_name)
                    if self._instance is not None else ())
        for change in self._changes:
            if change.partitions_def_name != partitions_def_name:
                continue
            if change.kind == PartitionsChangeKind.ADD:
                keys += [k for k in change.partition_keys if k not in keys]
            else:
                keys = [k for k in keys if k not in change.partition_keys]
        return keys

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        return partition_key in self.get_dynamic_partitions(partitions_def_name)


def _requests(defs: Any, instigator: Any, run_requests: Iterable[Any], instance: Any,
              now: datetime.datetime, changes: Sequence[DynamicPartitionsChange],
              ) -> tuple[RunRequestData, ...]:
    store = _PendingPartitions(instance, changes)
    jobs: dict[str, Any] = {}
    out = []
    for rr in run_requests:
        job_name = instigator.job_name_for(rr)
        if job_name not in jobs:
            jobs[job_name] = _job(defs, instigator, job_name)
        job = jobs[job_name]
        if rr.partition_key is not None:
            _check_partition(instigator, job, rr.partition_key, now, store)
        out.append(RunRequestData(
            job_name=job_name, run_key=rr.run_key, run_config=dict(rr.run_config),
            tags={str(k): str(v) for k, v in rr.tags.items()},
            partition_key=rr.partition_key,
            asset_selection=None if rr.asset_selection is None
            else tuple(tuple(k.path) for k in rr.asset_selection),
            asset_check_keys=None if rr.asset_check_keys is None
            else tuple((tuple(c.asset_key.path), str(c.name)) for c in rr.asset_check_keys),
            stale_assets_only=bool(rr.stale_assets_only)))
    return tuple(out)


def _job(defs: Any, instigator: Any, job_name: str) -> Any:
    try:
        return defs.get_job_def(job_name)
    except HeadwaterError:
        known = sorted(getattr(j, "name", "?") for j in defs.jobs)
        raise EvaluationError(
            f"{instigator.what} requested a run of job {job_name!r}, which is not defined in "
            f"its Definitions (jobs: {known}). Add the job to Definitions(jobs=[...]) or "
            "request one that exists.") from None


def _check_partition(instigator: Any, job: Any, key: str, now: datetime.datetime,
                     store: _PendingPartitions) -> None:
    pdef = getattr(job, "partitions_def", None)
    if pdef is None:
        raise EvaluationError(
            f"{instigator.what} requested partition {key!r} of job {job.name!r}, which is not "
            "partitioned; drop partition_key from the RunRequest or partition the job's assets")
    if not pdef.has_partition_key(key, now, store):
        raise EvaluationError(
            f"{instigator.what} requested partition {key!r} of job {job.name!r}, which does "
            f"not exist in {pdef!r}. Request an existing key (or add a dynamic partition first, "
            "e.g. SensorResult(dynamic_partitions_requests=[...])).")
