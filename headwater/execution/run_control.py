"""What the run loop asks the instance while a run goes on, besides storing its events.

* ``adopt_run`` -- take a stored run (queued by the CLI, a schedule, a sensor or a backfill)
  and move it to STARTED under its own id, in one write;
* ``CancelWatch`` -- has someone asked to cancel this run (``headwater run cancel`` moved it to
  CANCELING)? Checked between steps, at most every ``CANCEL_POLL_S``: a run shorter than that
  never pays a query;
* ``PoolSlots`` -- concurrency pools across runs: a step of an op or asset with ``pool=`` holds
  a slot of the instance's pool while it runs, and waits in line when the pool is full.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from headwater.definitions.errors import InvariantViolationError
from headwater.definitions.tags import PRIORITY_TAG
from headwater.events.records import Event, EventLogEntry, EventType
from headwater.storage.runs import FINISHED_STATUSES, RunStatus

CANCEL_POLL_S = 0.25  # how often a running run looks for a cancel request
POOL_POLL_S = 0.05  # how often a step waiting for a pool slot asks again
POOL_TAG = "dagster/concurrency_key"  # the tag spelling of ``pool=`` (Dagster's older API)


class RunNotStartableError(Exception):
    """The stored run cannot start: it was canceled or finished meanwhile (``status`` says)."""

    def __init__(self, run_id: str, status: RunStatus):
        super().__init__(f"Run {run_id} is {status.value}: it is not started")
        self.run_id = run_id
        self.status = status


def adopt_run(instance: Any, run: Any, tags: Mapping[str, str], job_name: str) -> Any:
    """Move the stored ``run`` to STARTED (through STARTING) in one write, adding the tags the
    launch computed (partition range, lineage) that the row lacks; the updated run.

    Raises ``RunNotStartableError`` if the run was canceled or finished in the meantime (the
    status move is refused by storage, so a cancel and a start never both win)."""
    extra = {k: v for k, v in tags.items() if run.tags.get(k) != v}
    if extra:
        instance.add_run_tags(run.run_id, extra)
        run = run.with_tags({**run.tags, **extra})
    now = time.time()
    entries = []
    if run.status in (RunStatus.QUEUED, RunStatus.NOT_STARTED):
        entries.append(_entry(run.run_id, job_name, EventType.RUN_STARTING, now,
                              "Started process for run."))
    entries.append(_entry(run.run_id, job_name, EventType.RUN_START, now,
                          f'Started execution of run for "{job_name}".'))
    try:
        instance.store_events(entries)
    except InvariantViolationError:
        current = instance.get_run_by_id(run.run_id)
        status = current.status if current is not None else RunStatus.CANCELED
        raise RunNotStartableError(run.run_id, status) from None
    return run.with_status(RunStatus.STARTED)


def _entry(run_id: str, job_name: str, kind: EventType, ts: float, message: str) -> EventLogEntry:
    event = Event(kind, job_name, None, None, message, None)
    return EventLogEntry(run_id, ts, logging.DEBUG, message, None, job_name, event)


class CancelWatch:
    """Whether the run was asked to stop: its status became CANCELING (or it was ended from
    outside: CANCELED/FAILURE). One status read every ``interval`` seconds at most."""

    def __init__(self, instance: Any, run_id: str, interval: float | None = None):
        self.instance = instance
        self.run_id = run_id
        self.interval = CANCEL_POLL_S if interval is None else interval
        self._next = time.monotonic() + self.interval
        self.requested = False
        self.status: str | None = None  # the status seen when the request was noticed

    def check(self) -> bool:
        if self.requested:
            return True
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + self.interval
        try:
            run = self.instance.get_run_by_id(self.run_id)
        except Exception:  # noqa: BLE001 - a failed read is not a cancel; the next check retries
            return False
        if run is not None and (run.status == RunStatus.CANCELING
                                or run.status in FINISHED_STATUSES):
            self.requested, self.status = True, run.status.value
        return self.requested


def step_pool(step: Any) -> str | None:
    """The concurrency pool a step runs in: its op's ``pool=``, else the op's
    ``dagster/concurrency_key`` tag; None for most steps."""
    op = step.op
    pool = getattr(op, "pool", None)
    if pool:
        return str(pool)
    tags = getattr(op, "tags", None) or {}
    value = tags.get(POOL_TAG)
    return str(value) if value else None


class PoolSlots:
    """The pool slots one run holds. A step with a pool is admitted once it claims a slot
    (claims wait in line by run priority, then arrival: ``ConcurrencyStorage``); its slot is
    freed when the step ends, and every slot and place in line of the run when the run ends."""

    def __init__(self, instance: Any, run_id: str, tags: Mapping[str, str]):
        self.instance = instance
        self.run_id = run_id
        try:
            self.priority = int(tags.get(PRIORITY_TAG, 0))
        except (TypeError, ValueError):
            self.priority = 0
        self.held: set[str] = set()  # step keys holding a slot
        self.used = False
        self.waiting_since: float | None = None

    def claim(self, step: Any) -> bool:
        """True if ``step`` may start now (it has no pool, or it holds a slot of its pool)."""
        pool = step_pool(step)
        if pool is None or step.key in self.held:
            return True
        self.used = True
        status = self.instance.claim_concurrency_slot(pool, self.run_id, step.key,
                                                      self.priority)
        if status.is_claimed:
            self.held.add(step.key)
            return True
        return False

    def free(self, step: Any) -> None:
        if step.key in self.held:
            self.held.discard(step.key)
            self.instance.free_concurrency_slot_for_step(self.run_id, step.key)

    def release_all(self) -> None:
        if self.used:
            self.held.clear()
            self.instance.free_concurrency_slots_for_run(self.run_id)
