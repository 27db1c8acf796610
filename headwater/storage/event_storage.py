"""The event log: the hot write path (``store_events``) and per-run reads. Mixed into Instance.

``store_events`` writes a batch in ONE transaction: plain events with one executemany on a
statement built once; asset events one by one (their ids feed the asset index, updated in the
same transaction); run-lifecycle events move the run's status through the transitions table,
so events, index and status commit together or not at all. A run's plan for an asset
partition (ASSET_MATERIALIZATION_PLANNED with a partition) is recorded in
``asset_partition_planned`` with one more executemany, only when the batch has such events.
All of it is SQL written once, run on a DB-API cursor (no SQLAlchemy on the write path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from headwater.events.records import (
    EventLogEntry,
    EventRecordsResult,
    EventType,
    decode_entry,
    encode_entry,
)
from headwater.storage import contracts
from headwater.storage.asset_records import RunStatusChangeRecordsFilter
from headwater.storage.asset_storage import (
    INDEXED_EVENT_TYPES,
    event_columns,
    index_event,
    page,
)
from headwater.storage.contracts.events import OfType
from headwater.storage.database import Database
from headwater.storage.run_storage import move_status
from headwater.storage.runs import RunStatus

if TYPE_CHECKING:
    import sqlalchemy as sa

    from headwater.storage import schema as tables
    from headwater.storage.live import RunEventWatch
else:
    from headwater.storage.lazy import sa, tables

# Run-lifecycle event -> the status it moves the run to.
STATUS_BY_EVENT: dict[str, RunStatus] = {
    EventType.RUN_ENQUEUED.value: RunStatus.QUEUED,
    EventType.RUN_STARTING.value: RunStatus.STARTING,
    EventType.RUN_START.value: RunStatus.STARTED,
    EventType.RUN_SUCCESS.value: RunStatus.SUCCESS,
    EventType.RUN_FAILURE.value: RunStatus.FAILURE,
    EventType.RUN_CANCELING.value: RunStatus.CANCELING,
    EventType.RUN_CANCELED.value: RunStatus.CANCELED,
}

PLANNED = EventType.ASSET_MATERIALIZATION_PLANNED.value


_EVENT_COLUMNS = ("run_id", "event_type", "step_key", "asset_key", "partition", "timestamp", "body")
_INSERT_EVENT = (f"INSERT INTO event_logs ({', '.join(_EVENT_COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})")
_SELECT_RUN_EVENTS = ("SELECT run_id, event_type, step_key, timestamp, body FROM event_logs "
                      "WHERE run_id = ?")
_UPSERT_PLANNED = ("INSERT INTO asset_partition_planned (asset_key, partition, run_id, timestamp) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (asset_key, partition) DO UPDATE SET "
                   "run_id = excluded.run_id, timestamp = excluded.timestamp")


# PostgreSQL: the channel followers LISTEN on (payload: the run id), and the advisory lock that
# orders event writers.
EVENTS_CHANNEL = "headwater_events"
_EVENT_WRITERS_LOCK = 0x68770001


def begin_event_writes(db: Database, cursor: Any, run_ids: Iterable[str]) -> None:
    """Call first in a transaction that appends events. SQLite: nothing (its write lock already
    orders writers). PostgreSQL: take the event writers' lock until commit, so event ids become
    visible in id order and a follower's cursor never steps over an id committed later; and
    notify the runs' followers, which PostgreSQL delivers at commit (never on rollback)."""
    if db.is_sqlite:
        return
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_EVENT_WRITERS_LOCK,))
    for run_id in dict.fromkeys(run_ids):
        cursor.execute("SELECT pg_notify(%s, %s)", (EVENTS_CHANNEL, run_id))


def insert_plain_events(db: Database, cursor: Any, rows: Sequence[dict[str, Any]]) -> None:
    """The hot path: one ``executemany`` of a statement written once."""
    cursor.executemany(db.sql(_INSERT_EVENT),
                       [tuple(r[c] for c in _EVENT_COLUMNS) for r in rows])


def insert_event(db: Database, cursor: Any, row: dict[str, Any]) -> int:
    """Insert one event and return its storage id."""
    values = tuple(row[c] for c in _EVENT_COLUMNS)
    if db.is_sqlite:
        return int(cursor.execute(_INSERT_EVENT, values).lastrowid)
    cursor.execute(db.sql(_INSERT_EVENT + " RETURNING id"), values)
    return int(cursor.fetchone()[0])


def upsert_planned(db: Database, cursor: Any, rows: Sequence[tuple[str, str, str, float]]) -> None:
    """Record (asset_key, partition, run_id, timestamp) as each partition's latest plan: one
    executemany (the later of two rows for the same partition wins)."""
    cursor.executemany(db.sql(_UPSERT_PLANNED), rows)


def event_type_values(of_type: OfType) -> list[str] | None:
    if of_type is None:
        return None
    if isinstance(of_type, (EventType, str)):
        of_type = [of_type]
    return [t.value if isinstance(t, EventType) else str(t) for t in of_type]


class SqlEventLogStorage(contracts.EventLogStorage):
    """The event log contract's writes and per-run reads in SQL (the asset index reads are in
    ``asset_storage.SqlAssetIndex``)."""

    _db: Database

    def store_events(self, entries: Sequence[EventLogEntry]) -> None:
        """Append a batch of events atomically (see module docstring).

        Raises ``InvariantViolationError`` (nothing written) if a run event asks for an
        illegal status move, ``RunNotFoundError`` if a run event names an unknown run, and
        ``StorageError`` if the database is locked or read-only (nothing written).
        """
        if not entries:
            return
        rows = [encode_entry(e) for e in entries]
        moves: dict[str, list[tuple[RunStatus, float]]] = {}
        planned: list[tuple[str, str, str, float]] = []
        indexed = False
        for row in rows:
            kind = row["event_type"]
            status = STATUS_BY_EVENT.get(kind)
            if status is not None:
                moves.setdefault(row["run_id"], []).append((status, row["timestamp"]))
            elif kind in INDEXED_EVENT_TYPES and row["asset_key"] is not None:
                indexed = True
            elif kind == PLANNED and row["partition"] is not None:
                planned.append((row["asset_key"], row["partition"], row["run_id"],
                                row["timestamp"]))
        db = self._db
        with db.write_cursor() as cursor:
            begin_event_writes(db, cursor, (row["run_id"] for row in rows))
            for run_id, run_moves in moves.items():
                move_status(db, cursor, run_id, run_moves)
            if planned:
                upsert_planned(db, cursor, planned)
            if not indexed:
                insert_plain_events(db, cursor, rows)
                return
            pending: list[dict[str, Any]] = []
            for entry, row in zip(entries, rows, strict=True):
                if row["asset_key"] is None or row["event_type"] not in INDEXED_EVENT_TYPES:
                    pending.append(row)
                    continue
                if pending:  # keep log order: flush the plain events before this one
                    insert_plain_events(db, cursor, pending)
                    pending = []
                index_event(db, cursor, entry, row, insert_event(db, cursor, row))
            if pending:
                insert_plain_events(db, cursor, pending)

    def all_logs(self, run_id: str, of_type: OfType = None) -> list[EventLogEntry]:
        """Every event of a run, in the order stored; ``of_type`` narrows to event type(s).

        Plain SQL on a DB-API cursor: the CLI reads every run it executes back this way.
        """
        sql, params = _SELECT_RUN_EVENTS, [run_id]
        types = event_type_values(of_type)
        if types is not None:
            if not types:
                return []
            sql += f" AND event_type IN ({', '.join('?' * len(types))})"
            params += types
        db = self._db
        with db.read_cursor() as cursor:
            cursor.execute(db.sql(sql + " ORDER BY id"), params)
            rows = cursor.fetchall()
        return [decode_entry(*row) for row in rows]

    def get_records_for_run(self, run_id: str, cursor: str | int | None = None,
                            of_type: OfType = None, limit: int | None = None,
                            ascending: bool = True) -> EventRecordsResult:
        """A page of a run's events for streaming: pass back ``result.cursor`` for the next."""
        el = tables.event_logs.c
        stmt = sa.select(*event_columns()).where(el.run_id == run_id)
        types = event_type_values(of_type)
        if types is not None:
            stmt = stmt.where(el.event_type.in_(types))
        return page(self._db, stmt, limit, cursor, ascending)

    def watch_run_events(self, run_id: str, after: str | int | None = None, *,
                         poll_interval: float | None = None,
                         wait_for_run: bool = False) -> RunEventWatch:
        """Follow a run's events as they are stored, by any process (``storage/live.py``).

        Iterate the result for batches of ``EventLogRecord`` after the cursor ``after`` (a
        storage id); it ends once the run has finished and all its events were delivered, or
        after ``stop()``. ``RunNotFoundError`` for an unknown run, unless ``wait_for_run``
        (the run is about to be created by this or another process).
        """
        from headwater.storage.live import DEFAULT_POLL_INTERVAL, RunEventWatch

        return RunEventWatch(self._db, run_id, after, wait_for_run=wait_for_run,
                             poll_interval=poll_interval or DEFAULT_POLL_INTERVAL)

    def subscribe_run_events(self, run_id: str, callback: Callable[[list[Any]], Any],
                             after: str | int | None = None, **options: Any) -> RunEventWatch:
        """``watch_run_events`` on a daemon thread calling ``callback(batch)``; the returned
        watch is the stop handle (``stop()``, ``join()``)."""
        return self.watch_run_events(run_id, after, **options).start(callback)

    def fetch_run_status_changes(self, records_filter: EventType | RunStatusChangeRecordsFilter,
                                 limit: int, cursor: str | None = None,
                                 ascending: bool = False) -> EventRecordsResult:
        f = records_filter if isinstance(records_filter, RunStatusChangeRecordsFilter) \
            else RunStatusChangeRecordsFilter(EventType(records_filter))
        if f.event_type.value not in STATUS_BY_EVENT:
            from headwater.definitions.errors import InvalidInvocationError

            raise InvalidInvocationError(
                f"{f.event_type.name} is not a run status change; use one of "
                + ", ".join(EventType(v).name for v in STATUS_BY_EVENT) + ".")
        el = tables.event_logs.c
        stmt = sa.select(*event_columns()).where(el.event_type == f.event_type.value)
        for value, column, after in ((f.after_storage_id, el.id, True),
                                     (f.before_storage_id, el.id, False),
                                     (f.after_timestamp, el.timestamp, True),
                                     (f.before_timestamp, el.timestamp, False)):
            if value is not None:
                stmt = stmt.where(column > value if after else column < value)
        if f.storage_ids is not None:
            stmt = stmt.where(el.id.in_(list(f.storage_ids)))
        if f.job_names:
            runs = tables.runs.c
            stmt = stmt.where(el.run_id.in_(sa.select(runs.run_id).where(
                runs.job_name.in_(list(f.job_names)))))
        return page(self._db, stmt, limit, cursor, ascending)
