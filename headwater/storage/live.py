"""Following a run's events as they are stored: ``Instance.watch_run_events``.

A watch reads the event log itself, by storage id (the ``event_logs`` id), so it sees every
writer: the launcher, the workers of a multiprocess run, another process on the same instance.
Two parts:

* an ``EventNotifier`` says when the log *may* have changed, per backend: SQLite polls
  ``PRAGMA data_version`` on a connection of its own (one cheap statement per tick, no query of
  the log while nothing was committed); PostgreSQL ``LISTEN``s for the notification every
  event-appending transaction sends at commit (its writers take one lock, so ids commit in
  order and the id cursor never skips one); another database is polled every tick;
* ``RunEventWatch``, backend-neutral: reads the run's events after its cursor when told, yields
  them in batches (lists of ``EventLogRecord``, in storage order) and ends once the run has
  finished and everything it stored is delivered, or after ``stop()``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from headwater.definitions.errors import RunNotFoundError
from headwater.events.records import EventLogRecord, decode_entry
from headwater.storage.database import Database
from headwater.storage.runs import FINISHED_STATUSES, RunStatus

DEFAULT_POLL_INTERVAL = 0.05  # seconds between two checks for new events
PAGE_SIZE = 1000  # events per read: a long backlog comes in several batches

_SELECT_AFTER = ("SELECT id, run_id, event_type, step_key, timestamp, body FROM event_logs "
                 "WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?")
_SELECT_STATUS = "SELECT status FROM runs WHERE run_id = ?"
_FINISHED = frozenset(s.value for s in FINISHED_STATUSES)


class EventNotifier(Protocol):
    """Tells a watch when the event log may have changed. One per watch; used by one thread."""

    def wait(self) -> bool:
        """Block until the log may have changed since the last call (True), or until
        ``close()`` (False). May return True spuriously; never misses a commit."""
        ...

    def close(self) -> None:
        """Wake a waiting ``wait()`` (it returns False) and release what the notifier holds.
        Safe to call from another thread, and more than once."""
        ...


class PollingNotifier:
    """Any backend: says "maybe" every ``interval`` seconds (the watch then runs one query)."""

    def __init__(self, interval: float = DEFAULT_POLL_INTERVAL):
        self.interval = interval
        self._closed = threading.Event()

    def wait(self) -> bool:
        return not self._closed.wait(self.interval)

    def close(self) -> None:
        self._closed.set()


class _OwnConnection:
    """A notifier holding a connection of its own, closed (under its lock) by ``close()``."""

    _closed: threading.Event
    _lock: threading.Lock
    _conn: Any

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class SqliteDataVersionNotifier(_OwnConnection, PollingNotifier):
    """A SQLite file: every ``interval``, ``PRAGMA data_version`` on its own read connection.

    The value changes when another connection (any process, or this process's writer) commits,
    so a watch queries the log only after a commit. The connection is opened here, before the
    watch's first read, so no commit between the two is missed.
    """

    def __init__(self, path: str, interval: float = DEFAULT_POLL_INTERVAL):
        super().__init__(interval)
        self._lock = threading.Lock()
        # Never writes; on a read-only file it opens read-only.
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None)
        self._version = self._read_version()

    def _read_version(self) -> int | None:
        with self._lock:
            if self._conn is None:
                return None
            try:
                return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None  # unreadable for a moment: say "maybe", the watch's read reports it

    def wait(self) -> bool:
        while not self._closed.wait(self.interval):
            version = self._read_version()
            if version is None or version != self._version:
                self._version = version
                return True
        return False



def _sqlite_notifier(db: Database, interval: float, run_id: str | None = None) -> EventNotifier:
    if db.path is not None:
        try:
            return SqliteDataVersionNotifier(db.path, interval)
        except sqlite3.Error:
            pass  # cannot open a second connection: polling still works
    return PollingNotifier(interval)  # in memory: no other connection can see it


class PostgresListenNotifier(_OwnConnection):
    """PostgreSQL: ``LISTEN`` on the event channel (``event_storage.EVENTS_CHANNEL``) on a
    connection of its own; every transaction that appends events notifies it at commit with
    the run id, so a watch wakes at once and queries only for its own run's commits.

    The connection listens before the watch's first read, so no commit between the two is
    missed. ``close()`` from another thread waits for the current short wait to end.
    """

    def __init__(self, db: Database, run_id: str | None,
                 interval: float = DEFAULT_POLL_INTERVAL):
        import psycopg

        from headwater.storage.event_storage import EVENTS_CHANNEL

        self._run_id = run_id
        self._interval = max(interval, 0.05)
        self._closed = threading.Event()
        self._lock = threading.Lock()
        conninfo = db.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False)
        self._conn: Any = psycopg.connect(conninfo, autocommit=True)
        self._conn.execute(f"LISTEN {EVENTS_CHANNEL}")

    def wait(self) -> bool:
        while not self._closed.is_set():
            with self._lock:
                if self._conn is None:
                    return False
                try:
                    for note in self._conn.notifies(timeout=self._interval, stop_after=1):
                        if self._run_id is None or note.payload == self._run_id:
                            return True
                except Exception:  # noqa: BLE001 -- the connection broke: the watch's read says why
                    return True
        return False


def _postgres_notifier(db: Database, interval: float, run_id: str | None = None,
                       ) -> EventNotifier:
    try:
        return PostgresListenNotifier(db, run_id, interval)
    except Exception:  # noqa: BLE001 -- cannot listen (driver, rights): polling still works
        return PollingNotifier(interval)


# Dialect name -> notifier factory. A backend without an entry is polled every interval.
NOTIFIERS: dict[str, Callable[[Database, float, str | None], EventNotifier]] = {"sqlite": _sqlite_notifier,
                                                      "postgresql": _postgres_notifier}


def notifier_for(db: Database, interval: float = DEFAULT_POLL_INTERVAL,
                 run_id: str | None = None) -> EventNotifier:
    """The backend's notifier for a watch of ``run_id`` (None: any run)."""
    factory = NOTIFIERS.get(db.dialect_name)
    return factory(db, interval, run_id) if factory is not None else PollingNotifier(interval)


def parse_cursor(after: str | int | None) -> int:
    """A storage id from a cursor (``EventRecordsResult.cursor``, a record's ``storage_id``)."""
    if after is None or after == "":
        return 0
    try:
        return int(after)
    except (TypeError, ValueError):
        raise ValueError(f"{after!r} is not an event cursor: pass a storage id (an integer, "
                         "e.g. the cursor of get_records_for_run or a record's storage_id)."
                         ) from None


class RunEventWatch:
    """The events of one run, after a cursor, as they are stored (see the module docstring).

    Iterate it for batches (``list[EventLogRecord]``), or ``start(callback)`` to have a daemon
    thread call ``callback(batch)``. ``cursor`` is the storage id of the last event delivered:
    a later watch started ``after=cursor`` resumes exactly there. ``stop()`` (any thread) ends
    the watch: the batch of what was stored until then is still delivered, then it ends.
    """

    def __init__(self, db: Database, run_id: str, after: str | int | None = None, *,
                 poll_interval: float = DEFAULT_POLL_INTERVAL, wait_for_run: bool = False,
                 notifier: EventNotifier | None = None):
        self._db = db
        self.run_id = run_id
        self.cursor = parse_cursor(after)
        self._wait_for_run = wait_for_run
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        if not wait_for_run and self._status() is None:
            raise RunNotFoundError(f"No run with id {run_id!r} in this instance, so there are no "
                                   "events to follow. `headwater run list` shows the runs.")
        self._notifier = notifier or notifier_for(db, poll_interval, run_id)

    def _status(self) -> RunStatus | None:
        db = self._db
        with db.read_cursor() as cursor:
            row = cursor.execute(db.sql(_SELECT_STATUS), (self.run_id,)).fetchone()
        return None if row is None else RunStatus(row[0])

    def _read(self) -> list[EventLogRecord]:
        db = self._db
        with db.read_cursor() as cursor:
            cursor.execute(db.sql(_SELECT_AFTER), (self.run_id, self.cursor, PAGE_SIZE))
            rows = cursor.fetchall()
        return [EventLogRecord(row[0], decode_entry(*row[1:])) for row in rows]

    def __iter__(self) -> Iterator[list[EventLogRecord]]:
        seen_run = False
        try:
            while True:
                stopping = self._stopped.is_set()
                # The status is read before the events: if it says finished, the events read
                # next include everything the run stored up to its end.
                status = self._status()
                seen_run = seen_run or status is not None
                while True:
                    batch = self._read()
                    if not batch:
                        break
                    self.cursor = batch[-1].storage_id
                    yield batch
                    if len(batch) < PAGE_SIZE:
                        break
                if stopping or (status is not None and status in FINISHED_STATUSES):
                    return
                if status is None and seen_run:
                    return  # deleted while watched
                if not self._notifier.wait():
                    self._stopped.set()  # closed by stop(): one last read, then end
        finally:
            self._notifier.close()

    def stop(self) -> None:
        """End the watch (after delivering what is stored now). Safe from any thread."""
        self._stopped.set()
        self._notifier.close()

    def start(self, callback: Callable[[list[EventLogRecord]], Any]) -> RunEventWatch:
        """Deliver batches to ``callback`` on a daemon thread; ``join()`` waits for its end."""
        def follow() -> None:
            try:
                for batch in self:
                    callback(batch)
            except BaseException as exc:  # noqa: BLE001 -- handed to join()
                self.error = exc

        self._thread = threading.Thread(target=follow, name=f"watch-{self.run_id}", daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the watch thread to end; True if it has. Re-raises what it raised."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return not self._thread.is_alive()

    def __enter__(self) -> RunEventWatch:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()
        self.join()
