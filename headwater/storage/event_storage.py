"""The event log: the hot write path (``store_events``) and per-run reads. Mixed into Instance.

``store_events`` writes a batch in ONE transaction: plain events with one executemany on a
statement built once; asset events one by one (their ids feed the asset index, updated in the
same transaction); run-lifecycle events move the run's status through the transitions table,
so events, index and status commit together or not at all. A run's plan for an asset
partition (ASSET_MATERIALIZATION_PLANNED with a partition) is recorded in
``asset_partition_planned`` with one more executemany, only when the batch has such events.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any, Union

import sqlalchemy as sa

from headwater.events.records import (
    Event,
    EventLogEntry,
    EventRecordsResult,
    EventType,
    encode_entry,
)
from headwater.storage.asset_storage import (
    EVENT_COLUMNS,
    INDEXED_EVENT_TYPES,
    AssetIndexWriter,
    decode_row,
    page,
)
from headwater.storage.database import Database
from headwater.storage.run_storage import move_status
from headwater.storage.runs import Run, RunStatus
from headwater.storage.schema import asset_partition_planned, event_logs

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

OfType = Union[EventType, str, Iterable[Union[EventType, str]], None]

_INSERT_EVENT = event_logs.insert()
_EVENT_COLUMNS = ("run_id", "event_type", "step_key", "asset_key", "partition", "timestamp", "body")
_RAW_INSERT: dict[str, str] = {}


def _raw_insert_sql(paramstyle: str) -> str:
    sql = _RAW_INSERT.get(paramstyle)
    if sql is None:
        mark = "?" if paramstyle == "qmark" else "%s"
        sql = (f"INSERT INTO {event_logs.name} ({', '.join(_EVENT_COLUMNS)}) "
               f"VALUES ({', '.join([mark] * len(_EVENT_COLUMNS))})")
        _RAW_INSERT[paramstyle] = sql
    return sql


def insert_plain_events(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """The hot path: one DB-API ``executemany`` on the transaction's own connection, with
    SQL written once per dialect (SQLAlchemy's per-call machinery is most of the cost)."""
    sql = _raw_insert_sql(conn.dialect.paramstyle)
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, [tuple(r[c] for c in _EVENT_COLUMNS) for r in rows])
    finally:
        cursor.close()


_RAW_PLANNED: dict[str, str] = {}


def upsert_planned(conn: sa.Connection, rows: Sequence[tuple[str, str, str, float]]) -> None:
    """Record (asset_key, partition, run_id, timestamp) as each partition's latest plan: one
    DB-API executemany (the later of two rows for the same partition wins)."""
    paramstyle = conn.dialect.paramstyle
    sql = _RAW_PLANNED.get(paramstyle)
    if sql is None:
        mark = "?" if paramstyle == "qmark" else "%s"
        table = asset_partition_planned.name
        sql = (f"INSERT INTO {table} (asset_key, partition, run_id, timestamp) "
               f"VALUES ({mark}, {mark}, {mark}, {mark}) "
               "ON CONFLICT (asset_key, partition) DO UPDATE SET "
               "run_id = excluded.run_id, timestamp = excluded.timestamp")
        _RAW_PLANNED[paramstyle] = sql
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def event_type_values(of_type: OfType) -> list[str] | None:
    if of_type is None:
        return None
    if isinstance(of_type, (EventType, str)):
        of_type = [of_type]
    return [t.value if isinstance(t, EventType) else str(t) for t in of_type]


class EventLogStorage:
    """Writes and per-run reads of the event log."""

    _db: Database

    @cached_property
    def _index_writer(self) -> AssetIndexWriter:
        return AssetIndexWriter(self._db)

    def store_event(self, entry: EventLogEntry) -> None:
        self.store_events([entry])

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
        writer = self._index_writer if indexed else None
        with self._db.write() as conn:
            for run_id, run_moves in moves.items():
                move_status(conn, run_id, run_moves)
            if planned:
                upsert_planned(conn, planned)
            if writer is None:
                insert_plain_events(conn, rows)
                return
            pending: list[dict[str, Any]] = []
            for entry, row in zip(entries, rows, strict=True):
                if row["asset_key"] is None or row["event_type"] not in INDEXED_EVENT_TYPES:
                    pending.append(row)
                    continue
                if pending:  # keep log order: flush the plain events before this one
                    insert_plain_events(conn, pending)
                    pending = []
                inserted = conn.execute(_INSERT_EVENT, row).inserted_primary_key
                assert inserted is not None
                event_id = int(inserted[0])
                writer.index(conn, entry, row, event_id)
            if pending:
                insert_plain_events(conn, pending)

    def all_logs(self, run_id: str, of_type: OfType = None) -> list[EventLogEntry]:
        """Every event of a run, in the order stored; ``of_type`` narrows to event type(s)."""
        el = event_logs.c
        stmt = sa.select(*EVENT_COLUMNS).where(el.run_id == run_id)
        types = event_type_values(of_type)
        if types is not None:
            stmt = stmt.where(el.event_type.in_(types))
        with self._db.read() as conn:
            rows = conn.execute(stmt.order_by(el.id)).all()
        return [decode_row(r) for r in rows]

    def get_records_for_run(self, run_id: str, cursor: str | int | None = None,
                            of_type: OfType = None, limit: int | None = None,
                            ascending: bool = True) -> EventRecordsResult:
        """A page of a run's events for streaming: pass back ``result.cursor`` for the next."""
        el = event_logs.c
        stmt = sa.select(*EVENT_COLUMNS).where(el.run_id == run_id)
        types = event_type_values(of_type)
        if types is not None:
            stmt = stmt.where(el.event_type.in_(types))
        return page(self._db, stmt, limit, cursor, ascending)

    # ------------------------------------------------------- run lifecycle reports

    def report_run_failed(self, run: Run | str, message: str | None = None) -> None:
        """Mark a run failed from outside its execution (e.g. its process died)."""
        self._report(run, EventType.RUN_FAILURE, message or "This run has been marked as "
                     "failed from outside the execution context.", logging.ERROR)

    def report_run_canceled(self, run: Run | str, message: str | None = None) -> None:
        self._report(run, EventType.RUN_CANCELED, message or "This run has been marked as "
                     "canceled from outside the execution context.", logging.ERROR)

    def _report(self, run: Run | str, event_type: EventType, message: str, level: int) -> None:
        if isinstance(run, str):
            found = self.get_run_by_id(run)  # type: ignore[attr-defined]
            if found is None:
                from headwater.definitions.errors import RunNotFoundError

                raise RunNotFoundError(f"No run with id {run!r} in this instance.")
            run = found
        assert isinstance(run, Run)
        event = Event(event_type, run.job_name, message=message)
        self.store_event(EventLogEntry(run.run_id, time.time(), level, message, None,
                                       run.job_name, event))
