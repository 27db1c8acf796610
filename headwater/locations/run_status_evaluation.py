"""One tick of a run status sensor: call its function for EVERY run that reached its status
since the cursor, not a fixed handful per tick.

The cursor is the storage id of the last run status event handled (``{"record_id": N}``). The
first tick starts the cursor at the latest such event, so a new sensor does not replay history
(as Dagster does). Events are read in pages, oldest first; if the tick's time budget runs low,
the tick stops after the run it is handling and the next tick goes on from there, so a burst
of thousands of runs is handled as fast as the function allows, without a tick timing out.
"""

from __future__ import annotations

import json
import time
from typing import Any

from headwater.definitions.run_request import TickResult
from headwater.events.records import EventType

PAGE_SIZE = 500
_EVENT_BY_STATUS = {
    "SUCCESS": EventType.RUN_SUCCESS, "FAILURE": EventType.RUN_FAILURE,
    "CANCELED": EventType.RUN_CANCELED, "STARTED": EventType.RUN_START,
    "STARTING": EventType.RUN_STARTING, "QUEUED": EventType.RUN_ENQUEUED,
    "CANCELING": EventType.RUN_CANCELING,
}


def parse_cursor(cursor: str | None) -> int | None:
    """The storage id a run status sensor's cursor holds (None: not started yet)."""
    if not cursor:
        return None
    try:
        value = json.loads(cursor)
    except ValueError:
        return None
    if isinstance(value, dict):
        value = value.get("record_id")
    return int(value) if isinstance(value, (int, float)) else None


def dump_cursor(record_id: int) -> str:
    return json.dumps({"record_id": int(record_id)})


def event_type_for(sensor: Any) -> EventType:
    status = str(getattr(sensor.run_status, "value", sensor.run_status))
    try:
        return _EVENT_BY_STATUS[status]
    except KeyError:
        raise ValueError(
            f"{sensor.what} watches run status {status!r}, which no run event reports; use one "
            f"of {sorted(_EVENT_BY_STATUS)}") from None


def monitored_job_names(defs: Any, sensor: Any) -> list[str] | None:
    """The jobs whose runs the sensor sees: its ``monitored_jobs``, else every job of its own
    Definitions (None: all runs, for ``monitor_all_code_locations``)."""
    if sensor.monitored_job_names:
        return list(sensor.monitored_job_names)
    if sensor.monitor_all_code_locations:
        return None
    from headwater.definitions.instigator import target_jobs
    from headwater.definitions.jobs import IMPLICIT_ASSET_JOB_NAME
    from headwater.execution.run import EPHEMERAL_JOB_NAME

    names = {getattr(j, "name", None) for j in defs.jobs}
    names |= {j.name for j in target_jobs([*defs.schedules, *defs.sensors])}
    names |= {IMPLICIT_ASSET_JOB_NAME, EPHEMERAL_JOB_NAME}
    return sorted(n for n in names if n)


def evaluate_run_status(defs: Any, sensor: Any, context: Any, instance: Any,
                        deadline: float | None) -> TickResult:
    from headwater.definitions.run_status_sensors import RunStatusSensorContext
    from headwater.definitions.tags import PARTITION_NAME_TAG
    from headwater.storage.asset_records import RunStatusChangeRecordsFilter

    event_type = event_type_for(sensor)
    after = parse_cursor(context.cursor)
    if after is None:
        latest = instance.fetch_run_status_changes(event_type, limit=1)
        start = latest.records[0].storage_id if latest.records else 0
        return TickResult(skip_message=f"Started the cursor at the latest {event_type.name} "
                                       "event; runs reaching the status from now on are handled",
                          cursor=dump_cursor(start))
    begin = time.monotonic()
    stop_at = None if deadline is None else deadline - 0.2 * max(deadline - begin, 0.0)
    jobs = monitored_job_names(defs, sensor)
    requests: list[Any] = []
    handled = 0
    while True:
        page = instance.fetch_run_status_changes(
            RunStatusChangeRecordsFilter(event_type, after_storage_id=after, job_names=jobs),
            limit=PAGE_SIZE, ascending=True)
        for record in page.records:
            if stop_at is not None and handled and time.monotonic() >= stop_at:
                return _result(requests, handled, after)
            run = instance.get_run_by_id(record.run_id)
            if run is not None:
                run_context = RunStatusSensorContext(
                    sensor.name, run, record.event_log_entry.dagster_event, instance, context,
                    defs.resources, run.tags.get(PARTITION_NAME_TAG), defs)
                try:
                    requests += sensor.evaluate_for_run(run_context).run_requests
                finally:
                    run_context.close()
                handled += 1
            after = record.storage_id
        if not page.has_more or not page.records:
            return _result(requests, handled, after)


def _result(requests: list[Any], handled: int, after: int) -> TickResult:
    skip = None if requests else (f"Handled {handled} run(s); none requested a run" if handled
                                  else "No new runs reached the status")
    return TickResult(requests, skip, dump_cursor(after))
