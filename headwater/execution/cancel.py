"""Canceling a run (``headwater run cancel``), from any process.

A run not started yet (QUEUED, NOT_STARTED, SUSPENDED) is CANCELED at once: the queue never
launches it, and a worker that was about to take it finds it canceled (``adopt_run``). A run
starting or running moves to CANCELING; its worker notices between steps (``CancelWatch``),
stops its running steps (a multiprocess executor terminates their processes), and records
RUN_CANCELED. A worker that is gone never does: run monitoring then ends the run.
Every move is a run event (Dagster's names: PIPELINE_CANCELING, PIPELINE_CANCELED), so two
processes moving one run at once are ordered by storage, and exactly one move wins.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from headwater.definitions.errors import InvariantViolationError, RunNotFoundError
from headwater.events.records import Event, EventLogEntry, EventType
from headwater.storage.runs import FINISHED_STATUSES, RunStatus

NOT_STARTED = frozenset({RunStatus.QUEUED, RunStatus.NOT_STARTED, RunStatus.SUSPENDED})


def request_cancel(instance: Any, run_id: str, reason: str | None = None) -> RunStatus:
    """Cancel ``run_id``; the status it has now (CANCELED, CANCELING, or a finished status if
    it had finished: nothing is then written)."""
    for _ in range(5):  # the run may move meanwhile (dequeued, started): look again
        run = instance.get_run_by_id(run_id)
        if run is None:
            raise RunNotFoundError(f"No run with id {run_id!r} in this instance")
        status = run.status
        if status in FINISHED_STATUSES or status == RunStatus.CANCELING:
            return status
        if status in NOT_STARTED:
            kind, new = EventType.RUN_CANCELED, RunStatus.CANCELED
            message = "This run was canceled before it started"
        else:
            kind, new = EventType.RUN_CANCELING, RunStatus.CANCELING
            message = "Sending run cancel request"
        if reason:
            message += f": {reason}"
        try:
            record_run_event(instance, run, kind, message)
            return new
        except InvariantViolationError:
            continue
    run = instance.get_run_by_id(run_id)
    return run.status if run is not None else RunStatus.CANCELED


def record_run_event(instance: Any, run: Any, kind: EventType, message: str,
                     level: int = logging.INFO, data: Any = None) -> None:
    """Store one run-level event (moving the run's status if it is a lifecycle event)."""
    event = Event(kind, run.job_name, None, None, message, data)
    instance.store_events([EventLogEntry(run.run_id, time.time(), level, message, None,
                                         run.job_name, event)])
