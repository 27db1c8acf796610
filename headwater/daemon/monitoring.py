"""Run monitoring: end the runs nobody will end.

Each pass (every ``run_monitoring.poll_interval_seconds`` if dagster.yaml sets it, else every
``DEFAULT_INTERVAL_S``):

* a run whose worker process is gone (killed, out of memory): FAILURE with the reason, and a
  STEP_FAILURE for each step it left open (``Instance.fail_dead_runs``: a pid check on this
  host, the heartbeat's age elsewhere). A CANCELING run whose worker is gone is CANCELED;
* a run STARTING for longer than ``start_timeout_seconds`` whose worker never registered
  (the launch was lost): FAILURE;
* a run CANCELING for longer than ``cancel_timeout_seconds``: CANCELED;
* a run STARTED for longer than its ``dagster/max_runtime`` tag (seconds) or
  ``max_runtime_seconds``: FAILURE; its worker sees the run ended and stops between steps.

Everything is read from storage: the daemon holds no state between passes. ``run_monitoring:
enabled: false`` (set explicitly) turns the component off.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from headwater.definitions.errors import InvariantViolationError
from headwater.definitions.tags import MAX_RUNTIME_TAG
from headwater.events.records import EventType
from headwater.execution.cancel import record_run_event
from headwater.storage.runs import RunsFilter, RunStatus

logger = logging.getLogger("headwater.daemon")

DEFAULT_INTERVAL_S = 2.0


class MonitoringComponent:
    name = "monitoring"

    def __init__(self, instance: Any, *, clock: Callable[[], float] | None = None,
                 interval_seconds: float | None = None,
                 heartbeat_timeout: float | None = None):
        self.instance = instance
        self.clock = clock or time.time
        settings = instance.config.run_monitoring
        self.settings = settings
        self.enabled = settings.enabled or "enabled" not in settings.model_fields_set
        if interval_seconds is None:
            interval_seconds = (float(settings.poll_interval_seconds)
                                if "poll_interval_seconds" in settings.model_fields_set
                                else DEFAULT_INTERVAL_S)
        self.interval_seconds = interval_seconds
        self.heartbeat_timeout = heartbeat_timeout
        self.ended: list[tuple[str, RunStatus]] = []  # what the last pass did (for callers)

    def run_iteration(self) -> None:
        self.ended = []
        if not self.enabled:
            return
        now = self.clock()
        self._canceling(now)
        for run_id in self.instance.fail_dead_runs(self.heartbeat_timeout):
            self.ended.append((run_id, RunStatus.FAILURE))
        self._starting(now)
        self._max_runtime(now)

    # ------------------------------------------------------------------------ checks

    def _records(self, status: RunStatus) -> list[Any]:
        return list(self.instance.get_run_records(RunsFilter(statuses=[status])))

    def _canceling(self, now: float) -> None:
        timeout = self.settings.cancel_timeout_seconds
        for record in self._records(RunStatus.CANCELING):
            run = record.dagster_run
            process = self.instance.get_run_process(run.run_id)
            gone = None if process is None else process.gone_reason(
                now, self.heartbeat_timeout or 60.0)
            waited = now - record.update_timestamp.timestamp()
            if gone is not None:
                why = f"its worker ({process.process.describe()}) is gone: {gone}"
            elif waited > timeout:
                why = (f"its worker did not stop within cancel_timeout_seconds "
                       f"({timeout} s)")
            else:
                continue
            self._end(run, EventType.RUN_CANCELED, RunStatus.CANCELED,
                      f"Run canceled by run monitoring: {why}.")

    def _starting(self, now: float) -> None:
        timeout = self.settings.start_timeout_seconds
        for record in self._records(RunStatus.STARTING):
            run = record.dagster_run
            waited = now - record.update_timestamp.timestamp()
            if waited <= timeout or self.instance.get_run_process(run.run_id) is not None:
                continue
            self._end(run, EventType.RUN_FAILURE, RunStatus.FAILURE,
                      f"Run timed out while starting: no worker took it within "
                      f"start_timeout_seconds ({timeout} s) after it was launched. Check the "
                      "code location's process (and `headwater run reexecute` it).")

    def _max_runtime(self, now: float) -> None:
        default = self.settings.max_runtime_seconds
        for record in self._records(RunStatus.STARTED):
            run = record.dagster_run
            limit = _max_runtime(run.tags.get(MAX_RUNTIME_TAG), default)
            if limit is None or record.start_time is None or now - record.start_time <= limit:
                continue
            source = (f"its {MAX_RUNTIME_TAG} tag" if MAX_RUNTIME_TAG in run.tags
                      else "run_monitoring.max_runtime_seconds")
            self._end(run, EventType.RUN_FAILURE, RunStatus.FAILURE,
                      f"Run exceeded its maximum runtime of {limit:g} s ({source}) and was "
                      "stopped by run monitoring.")

    def _end(self, run: Any, kind: EventType, status: RunStatus, message: str) -> None:
        try:
            record_run_event(self.instance, run, kind, message, logging.ERROR)
        except InvariantViolationError:  # it moved meanwhile (ended by its worker)
            return
        logger.warning("run %s: %s", run.run_id, message)
        self.ended.append((run.run_id, status))


def _max_runtime(tag: str | None, default: int | None) -> float | None:
    if tag is not None:
        try:
            value = float(tag)
        except ValueError:
            logger.warning("ignoring %s=%r: not a number of seconds", MAX_RUNTIME_TAG, tag)
        else:
            return value if value > 0 else None
    return float(default) if default else None
