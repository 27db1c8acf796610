"""Backfill records and their runs (Dagster instance names). Mixed into ``Instance``.

A backfill is one row of ``backfills`` (its keys and policy in a JSON body); its runs are
found through the indexed ``run_tags`` (``dagster/backfill=<id>``), with their partition tags,
so the launcher knows which partitions are done without reading any event.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from headwater.definitions.errors import InvariantViolationError
from headwater.storage import contracts
from headwater.storage.database import Database
from headwater.storage.runs import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    BACKFILL_ID_TAG,
    BACKFILL_STAGE_TAG,
    PARTITION_NAME_TAG,
    RunStatus,
)

if TYPE_CHECKING:
    import sqlalchemy as sa

    from headwater.storage import backfills as bf
    from headwater.storage import schema as tables
    from headwater.storage.backfills import BackfillRun, BulkActionStatus, PartitionBackfill
    from headwater.storage.contracts.backfills import StatusArg
else:  # the backfill records load with the first backfill (a run worker needs none)
    from headwater.storage.lazy import LazyModule, sa, tables

    bf = LazyModule("headwater.storage.backfills")


def _columns() -> tuple[Any, ...]:
    b = tables.backfills.c
    return (b.backfill_id, b.status, b.body, b.create_timestamp, b.update_timestamp)



def _to_backfill(row: Any) -> PartitionBackfill:
    return bf.decode_backfill(row.backfill_id, row.status, row.body, row.create_timestamp,
                           row.update_timestamp)


def _status_values(status: StatusArg) -> list[str] | None:
    if status is None:
        return None
    if isinstance(status, (bf.BulkActionStatus, str)):
        status = [status]
    return [bf.BulkActionStatus(s).value for s in status]


class SqlBackfillStorage(contracts.BackfillStorage):
    """The backfill contract in SQL: add, read, list and update backfills; a backfill's runs."""

    _db: Database

    def add_backfill(self, partition_backfill: PartitionBackfill) -> None:
        """Store a new backfill, in one transaction (nothing is stored on error)."""
        b = partition_backfill
        row = {"backfill_id": b.backfill_id, "status": b.status.value, "body": bf.encode_body(b),
               "create_timestamp": b.create_timestamp,
               "update_timestamp": b.update_timestamp or b.create_timestamp}
        try:
            with self._db.write() as conn:
                conn.execute(tables.backfills.insert(), row)
        except sa.exc.IntegrityError:
            raise InvariantViolationError(
                f"A backfill with id {b.backfill_id!r} already exists in this instance; use a "
                "new id (make_backfill_id()), or update_backfill() to change it.") from None

    def get_backfill(self, backfill_id: str) -> PartitionBackfill | None:
        with self._db.read() as conn:
            row = conn.execute(sa.select(*_columns()).where(
                tables.backfills.c.backfill_id == backfill_id)).first()
        return _to_backfill(row) if row is not None else None

    def get_backfill_status(self, backfill_id: str) -> BulkActionStatus | None:
        """Only the status (cheap: the running backfill reads it before every run)."""
        db = self._db
        with db.read_cursor() as cursor:
            row = cursor.execute(db.sql("SELECT status FROM backfills WHERE backfill_id = ?"),
                                 (backfill_id,)).fetchone()
        return bf.BulkActionStatus(row[0]) if row is not None else None

    def get_backfills(self, status: StatusArg = None, limit: int | None = None,
                      cursor: str | None = None) -> list[PartitionBackfill]:
        """Backfills, newest first; ``status`` narrows to one status or several; ``cursor``
        is the id of the last backfill of the previous page."""
        stmt = self._filtered(sa.select(*_columns()), status)
        if cursor is not None:
            cursor_id = sa.select(tables.backfills.c.id).where(
                tables.backfills.c.backfill_id == cursor).scalar_subquery()
            stmt = stmt.where(tables.backfills.c.id < cursor_id)
        stmt = stmt.order_by(tables.backfills.c.id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._db.read() as conn:
            rows = conn.execute(stmt).all()
        return [_to_backfill(r) for r in rows]

    def get_backfills_count(self, status: StatusArg = None) -> int:
        stmt = self._filtered(sa.select(sa.func.count()).select_from(tables.backfills), status)
        with self._db.read() as conn:
            return int(conn.execute(stmt).scalar_one())

    @staticmethod
    def _filtered(stmt: sa.Select, status: StatusArg) -> sa.Select:
        values = _status_values(status)
        return stmt if values is None else stmt.where(tables.backfills.c.status.in_(values))

    def update_backfill(self, partition_backfill: PartitionBackfill) -> PartitionBackfill:
        """Store a changed backfill (status, error, ...) and return it as stored, with a new
        ``update_timestamp``. The status may only move along ``backfills.TRANSITIONS``."""
        b = partition_backfill
        now = time.time()
        with self._db.write() as conn:
            current = conn.execute(sa.select(tables.backfills.c.status).where(
                tables.backfills.c.backfill_id == b.backfill_id)).first()
            if current is None:
                raise InvariantViolationError(
                    f"Backfill {b.backfill_id!r} is not in this instance: store it with "
                    "add_backfill() before updating it.")
            bf.check_backfill_transition(b.backfill_id, current.status, b.status)
            stored = replace(b, update_timestamp=now)
            conn.execute(sa.update(tables.backfills).where(
                tables.backfills.c.backfill_id == b.backfill_id).values(
                status=b.status.value, body=bf.encode_body(stored), update_timestamp=now))
        return stored

    def get_backfill_runs(self, backfill_id: str) -> list[BackfillRun]:
        """The backfill's runs, oldest first, with their status and partition tags."""
        runs, run_tags = tables.runs, tables.run_tags
        tagged = run_tags.alias("tagged")
        part, start, end, stage = (run_tags.alias(n)
                                   for n in ("part", "range_start", "range_end", "stage"))

        def tag(alias: Any, key: str) -> sa.ColumnElement[bool]:
            return sa.and_(alias.c.run_id == runs.c.run_id, alias.c.key == key)

        stmt = (sa.select(runs.c.run_id, runs.c.status, part.c.value.label("partition"),
                          start.c.value.label("range_start"), end.c.value.label("range_end"),
                          stage.c.value.label("stage"))
                .select_from(tagged.join(runs, runs.c.run_id == tagged.c.run_id)
                             .outerjoin(part, tag(part, PARTITION_NAME_TAG))
                             .outerjoin(start, tag(start, ASSET_PARTITION_RANGE_START_TAG))
                             .outerjoin(end, tag(end, ASSET_PARTITION_RANGE_END_TAG))
                             .outerjoin(stage, tag(stage, BACKFILL_STAGE_TAG)))
                .where(tagged.c.key == BACKFILL_ID_TAG, tagged.c.value == backfill_id)
                .order_by(runs.c.id))
        with self._db.read() as conn:
            rows = conn.execute(stmt).all()
        return [bf.BackfillRun(r.run_id, RunStatus(r.status), r.partition, r.range_start,
                            r.range_end, r.stage) for r in rows]
