"""Runs whose process died: who executes each run, its heartbeat, and marking the dead failed.

The process executing a run records itself when the run starts (``register``: one row of
``run_workers``, see ``processes.py``), and a background thread of that process refreshes the
row's heartbeat every ``HEARTBEAT_INTERVAL_S`` while the run goes on — one UPDATE per database
every few seconds, off the steps' path.

A run that is STARTING, STARTED or CANCELING (or still NOT_STARTED: its process died before
the run's start was written) is **dead** when its recorded process is gone:
on the same host (and pid namespace), no process has its pid, or the pid belongs to a process
with another start time (pid reuse); elsewhere, its heartbeat is older than
``heartbeat_timeout`` (default ``DEFAULT_HEARTBEAT_TIMEOUT_S``). ``fail_dead_runs`` finds them
with one query (usually returning nothing) and marks each failed: in one transaction, a
STEP_FAILURE for every step it had started and not finished (so re-execution from failure runs
them again), a RUN_FAILURE saying which process is gone and why, and the move to FAILURE (open
partition plans of the run then read as failed). A run whose process lives is never touched;
a run with no recorded process (created but never executed, or older than this table) is not
judged. ``fail_run`` does the same by hand (``headwater run fail``).

Everything here is SQL written once as text on DB-API cursors (no SQLAlchemy: every run
registers), portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from typing import Any, NamedTuple

from headwater.events.errors import SerializableErrorInfo
from headwater.events.records import (
    Event,
    EventLogEntry,
    EventType,
    StepFailureData,
    encode_entry,
)
from headwater.storage.database import Database
from headwater.storage.event_storage import begin_event_writes, insert_plain_events
from headwater.storage.processes import ProcessIdentity, can_check, current_process, gone_reason
from headwater.storage.run_storage import move_status
from headwater.storage.runs import FINISHED_STATUSES, IN_PROGRESS_STATUSES, RunStatus

HEARTBEAT_INTERVAL_S = 5.0
DEFAULT_HEARTBEAT_TIMEOUT_S = 60.0

# In progress, or NOT_STARTED with a recorded process: it died before the run's start (written
# with the first step's events) was stored.
_IN_PROGRESS = tuple(sorted(s.value for s in IN_PROGRESS_STATUSES | {RunStatus.NOT_STARTED}))
_FINISHED = tuple(sorted(s.value for s in FINISHED_STATUSES))


def _marks(n: int) -> str:
    return ", ".join("?" * n)


_COLUMNS = "host, pid, pid_namespace, process_start, heartbeat"
_INSERT = (f"INSERT INTO run_workers (run_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)")
_BEAT = "UPDATE run_workers SET heartbeat = ? WHERE run_id = ?"
_SELECT_ONE = f"SELECT {_COLUMNS} FROM run_workers WHERE run_id = ?"
_SELECT_IN_PROGRESS = (
    "SELECT w.run_id, w.host, w.pid, w.pid_namespace, w.process_start, w.heartbeat "
    "FROM runs r JOIN run_workers w ON w.run_id = r.run_id "
    f"WHERE r.status IN ({_marks(len(_IN_PROGRESS))})")
# Taking the run (a row lock on PostgreSQL; SQLite's write lock is held already): only one of
# two processes failing the same run at once records it.
_CLAIM_IN_PROGRESS = ("UPDATE runs SET update_timestamp = ? WHERE run_id = ? "
                      f"AND status IN ({_marks(len(_IN_PROGRESS))})")
_CLAIM_UNFINISHED = ("UPDATE runs SET update_timestamp = ? WHERE run_id = ? "
                     f"AND status NOT IN ({_marks(len(_FINISHED))})")
_JOB_NAME = "SELECT job_name FROM runs WHERE run_id = ?"
_STEP_TYPES = (EventType.STEP_START, EventType.STEP_RESTARTED, EventType.STEP_UP_FOR_RETRY,
               EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED)
_OPEN_STEP_TYPES = frozenset(t.value for t in _STEP_TYPES[:3])
_STEP_EVENTS = ("SELECT step_key, event_type FROM event_logs WHERE run_id = ? "
                f"AND event_type IN ({_marks(len(_STEP_TYPES))}) ORDER BY id")


class RunProcess(NamedTuple):
    """The process recorded as executing a run, and its last heartbeat (Unix seconds)."""

    run_id: str
    process: ProcessIdentity
    heartbeat: float

    def gone_reason(self, now: float, heartbeat_timeout: float) -> str | None:
        """Why this run's process is gone, or None if it lives (or may)."""
        reason = gone_reason(self.process)
        if reason is not None or can_check(self.process):
            return reason
        age = now - self.heartbeat
        if age <= heartbeat_timeout:
            return None
        where = ("another host" if self.process.host != current_process().host
                 else "another pid namespace (a container)")
        return (f"its last heartbeat was {age:.0f} s ago, more than the {heartbeat_timeout:g} s "
                f"allowed (it ran on {where}, so its pid cannot be checked from here)")


def _row_to_process(run_id: str, row: Sequence[Any]) -> RunProcess:
    host, pid, namespace, start, heartbeat = row
    return RunProcess(run_id, ProcessIdentity(host, int(pid), namespace, start), float(heartbeat))


# ---------------------------------------------------------------- the heartbeat thread

class _Heartbeats:
    """This process's runs in progress, and the daemon thread that refreshes their heartbeats.

    The thread starts with the first run and then idles (no wake-ups) while no run goes on.
    It holds ``writing`` while it writes; a fork waits for it (``os.register_at_fork``), so a
    forked worker never inherits a lock or a half-used connection from it.
    """

    def __init__(self) -> None:
        self.runs: dict[str, Database] = {}
        self.cond = threading.Condition()
        self.writing = threading.Lock()
        self.thread: threading.Thread | None = None

    def add(self, run_id: str, db: Database) -> None:
        with self.cond:
            idle = not self.runs
            self.runs[run_id] = db
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, daemon=True,
                                               name="headwater-run-heartbeat")
                self.thread.start()
            elif idle:
                self.cond.notify()

    def remove(self, run_id: str) -> None:
        with self.cond:
            self.runs.pop(run_id, None)

    def _loop(self) -> None:
        while True:
            with self.cond:
                while not self.runs:
                    self.cond.wait()
                self.cond.wait(HEARTBEAT_INTERVAL_S)  # the beat's period, not a synchronisation
                runs = dict(self.runs)
            if runs:
                self.beat(runs)

    def beat(self, runs: dict[str, Database]) -> None:
        by_db: dict[int, tuple[Database, list[str]]] = {}
        for run_id, db in runs.items():
            by_db.setdefault(id(db), (db, []))[1].append(run_id)
        now = time.time()
        for db, run_ids in by_db.values():
            with self.writing:
                try:
                    with db.write_cursor() as cursor:
                        cursor.executemany(db.sql(_BEAT), [(now, r) for r in run_ids])
                except Exception as e:  # noqa: BLE001 - a missed beat is retried next period
                    logging.getLogger("headwater").debug("run heartbeat not written: %s", e)


_HEARTBEATS = _Heartbeats()


def _after_fork_in_child() -> None:
    global _HEARTBEATS
    _HEARTBEATS = _Heartbeats()  # a forked worker does not execute its parent's runs


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=lambda: _HEARTBEATS.writing.acquire(),
                        after_in_parent=lambda: _HEARTBEATS.writing.release(),
                        after_in_child=_after_fork_in_child)


class RunProcessRegistration:
    """This process executes a run: its heartbeat goes on until ``close()`` (or the ``with``
    block ends)."""

    def __init__(self, run_id: str | None):
        self.run_id = run_id

    def close(self) -> None:
        if self.run_id is not None:
            _HEARTBEATS.remove(self.run_id)
            self.run_id = None

    def __enter__(self) -> RunProcessRegistration:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def register(db: Database, run_id: str) -> RunProcessRegistration:
    """Record this process as the one executing ``run_id`` and start its heartbeat. An
    in-memory database records nothing: no other process can see its runs."""
    if db.is_memory:
        return RunProcessRegistration(None)
    me = current_process()
    with db.write_cursor() as cursor:
        cursor.execute(db.sql(_INSERT), (run_id, me.host, me.pid, me.namespace, me.start,
                                         time.time()))
    _HEARTBEATS.add(run_id, db)
    return RunProcessRegistration(run_id)


def run_process(db: Database, run_id: str) -> RunProcess | None:
    """The process recorded as executing ``run_id``, None if none is."""
    with db.read_cursor() as cursor:
        row = cursor.execute(db.sql(_SELECT_ONE), (run_id,)).fetchone()
    return None if row is None else _row_to_process(run_id, row)


# ------------------------------------------------------------- marking runs failed

def dead_runs(db: Database, heartbeat_timeout: float | None = None,
              ) -> list[tuple[RunProcess, str]]:
    """In-progress runs whose recorded process is gone, with the reason (one query)."""
    timeout = DEFAULT_HEARTBEAT_TIMEOUT_S if heartbeat_timeout is None else heartbeat_timeout
    with db.read_cursor() as cursor:
        rows = cursor.execute(db.sql(_SELECT_IN_PROGRESS), _IN_PROGRESS).fetchall()
    if not rows:
        return []
    now = time.time()
    dead = []
    for row in rows:
        process = _row_to_process(row[0], row[1:])
        reason = process.gone_reason(now, timeout)
        if reason is not None:
            dead.append((process, reason))
    return dead


def fail_dead_runs(db: Database, heartbeat_timeout: float | None = None) -> list[str]:
    """Mark failed every in-progress run whose process is gone; returns their run ids. A
    read-only instance is only read: nothing is marked."""
    failed: list[str] = []
    if db.read_only:
        return failed
    for found, reason in dead_runs(db, heartbeat_timeout):
        who = found.process.describe()
        message = (f"The process running this run ({who}) is gone: {reason}. Marked failed by "
                   f"{current_process().describe()}; `headwater run reexecute {found.run_id} "
                   "--from-failure` runs its unfinished steps again.")
        step_message = (f"the process running this run ({who}) died before the step "
                        f"finished ({reason})")
        if _fail(db, found.run_id, message, step_message, "RunProcessGone",
                 in_progress_only=True):
            failed.append(found.run_id)
    return failed


def fail_run(db: Database, run_id: str, reason: str | None = None) -> bool:
    """Mark an unfinished run failed by hand; False if it had finished (nothing written)."""
    by = current_process().describe()
    message = (f"Marked failed by hand (`headwater run fail`, {by})"
               + (f": {reason}" if reason else "."))
    step_message = "the run was marked failed by hand before the step finished" + (
        f" ({reason})" if reason else "")
    return _fail(db, run_id, message, step_message, "RunMarkedFailed", in_progress_only=False)


def _fail(db: Database, run_id: str, message: str, step_message: str, error_name: str, *,
          in_progress_only: bool) -> bool:
    """In one transaction: STEP_FAILURE for each started and unfinished step, RUN_FAILURE, and
    the move to FAILURE. False (nothing written) if the run is not (or no longer) open."""
    claim, statuses = ((_CLAIM_IN_PROGRESS, _IN_PROGRESS) if in_progress_only
                       else (_CLAIM_UNFINISHED, _FINISHED))
    now = time.time()
    with db.write_cursor() as cursor:
        begin_event_writes(db, cursor, [run_id])  # first: the lock order of every event writer
        cursor.execute(db.sql(claim), (round(now, 6), run_id, *statuses))
        if cursor.rowcount != 1:
            return False
        job_name = cursor.execute(db.sql(_JOB_NAME), (run_id,)).fetchone()[0]
        cursor.execute(db.sql(_STEP_EVENTS), (run_id, *(t.value for t in _STEP_TYPES)))
        last: dict[str, str] = {}
        for step_key, event_type in cursor.fetchall():
            last[step_key] = event_type
        entries = [_step_failure(run_id, job_name, key, step_message, error_name, now)
                   for key, kind in last.items() if kind in _OPEN_STEP_TYPES]
        run_event = Event(EventType.RUN_FAILURE, job_name, message=message)
        entries.append(EventLogEntry(run_id, now, logging.ERROR, message, None, job_name,
                                     run_event))
        insert_plain_events(db, cursor, [encode_entry(e) for e in entries])
        move_status(db, cursor, run_id, [(RunStatus.FAILURE, now)])
    return True


def _step_failure(run_id: str, job_name: str, step_key: str, why: str, error_name: str,
                  now: float) -> EventLogEntry:
    text = f'Step "{step_key}" did not finish: {why}.'
    error = SerializableErrorInfo(f"{error_name}: {text}\n", [], error_name)
    event = Event(EventType.STEP_FAILURE, job_name, step_key, step_key,
                  f'Execution of step "{step_key}" failed: {text}',
                  StepFailureData(error, None, "FRAMEWORK_ERROR"))
    return EventLogEntry(run_id, now, logging.ERROR, text, step_key, job_name, event)
