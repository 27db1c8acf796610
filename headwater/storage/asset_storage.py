"""The asset index: latest materialization per asset and partition, open plans of asset
partitions (planned by a run, not materialized since), check executions.

Written in the same transaction as the events it indexes (``index_event``, plain SQL, used
by ``store_events``); read by ``AssetIndexStorage``, mixed into ``Instance`` (SQLAlchemy Core,
loaded on first use). Reads of "latest" and "which partitions" go to the index tables, never
scan the event log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.results import AssetCheckKey
from headwater.events.records import (
    AssetCheckEvaluation,
    EventLogEntry,
    EventLogRecord,
    EventRecordsResult,
    EventType,
    decode_entry,
)
from headwater.storage import contracts
from headwater.storage.asset_records import (
    AssetCheckExecutionRecord,
    AssetEntry,
    AssetRecord,
    AssetRecordsFilter,
    EventRecordsFilter,
)
from headwater.storage.database import Database

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection

    from headwater.storage import schema as tables
else:
    from headwater.storage.lazy import sa, tables

MATERIALIZATION = EventType.ASSET_MATERIALIZATION.value
OBSERVATION = EventType.ASSET_OBSERVATION.value
CHECK_EVALUATION = EventType.ASSET_CHECK_EVALUATION.value
INDEXED_EVENT_TYPES = frozenset({MATERIALIZATION, OBSERVATION, CHECK_EVALUATION})

_CHUNK = 500  # keys per IN (...) list


def key_from_db(value: str) -> AssetKey:
    return AssetKey(json.loads(value))


def event_columns() -> tuple[Any, ...]:
    el = tables.event_logs.c
    return (el.id, el.run_id, el.event_type, el.step_key, el.timestamp, el.body)


def decode_row(row: Any) -> EventLogEntry:
    return decode_entry(row.run_id, row.event_type, row.step_key, row.timestamp, row.body)


def to_record(row: Any) -> EventLogRecord:
    return EventLogRecord(row.id, decode_row(row))


def _upsert_latest(kind: str) -> str:
    """Point an asset's row at its latest event of ``kind``; only ever forward, even if
    concurrent writers (PostgreSQL) commit out of order."""
    columns = (f"last_{kind}_id", f"last_{kind}_timestamp") + (
        ("last_run_id",) if kind == "materialization" else ())
    return (f"INSERT INTO asset_keys (asset_key, {', '.join(columns)}) "
            f"VALUES (?, {', '.join('?' * len(columns))}) ON CONFLICT (asset_key) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in columns)
            + f" WHERE asset_keys.last_{kind}_id IS NULL"
            f" OR asset_keys.last_{kind}_id < excluded.last_{kind}_id")


_UPSERT_MATERIALIZATION = _upsert_latest("materialization")
_UPSERT_OBSERVATION = _upsert_latest("observation")
_UPSERT_PARTITION = (
    "INSERT INTO asset_partitions (asset_key, partition, last_materialization_id, last_run_id, "
    "timestamp) VALUES (?, ?, ?, ?, ?) ON CONFLICT (asset_key, partition) DO UPDATE SET "
    "last_materialization_id = excluded.last_materialization_id, "
    "last_run_id = excluded.last_run_id, timestamp = excluded.timestamp "
    "WHERE asset_partitions.last_materialization_id < excluded.last_materialization_id")
# A materialization completes the partition's open plan if it comes from the planning run, or
# after the plan (then a newer run materialized it).
_PLAN_DONE = ("DELETE FROM asset_partition_planned WHERE asset_key = ? AND partition = ? "
              "AND (run_id = ? OR timestamp <= ?)")
_INSERT_CHECK = ("INSERT INTO asset_check_executions (asset_key, check_name, run_id, passed, "
                 "event_id, timestamp) VALUES (?, ?, ?, ?, ?, ?)")


def index_event(db: Database, cursor: Any, entry: EventLogEntry, row: dict[str, Any],
                event_id: int) -> None:
    """Index one stored asset event (inside ``store_events``' transaction)."""
    kind, key, ts, run_id = row["event_type"], row["asset_key"], row["timestamp"], row["run_id"]
    if kind == MATERIALIZATION:
        cursor.execute(db.sql(_UPSERT_MATERIALIZATION), (key, event_id, ts, run_id))
        partition = row["partition"]
        if partition is not None:
            cursor.execute(db.sql(_UPSERT_PARTITION), (key, partition, event_id, run_id, ts))
            cursor.execute(db.sql(_PLAN_DONE), (key, partition, run_id, ts))
    elif kind == OBSERVATION:
        cursor.execute(db.sql(_UPSERT_OBSERVATION), (key, event_id, ts))
    elif kind == CHECK_EVALUATION:
        evaluation = entry.asset_check_evaluation
        if isinstance(evaluation, AssetCheckEvaluation):
            cursor.execute(db.sql(_INSERT_CHECK), (key, evaluation.check_name, run_id,
                                                   evaluation.passed, event_id, ts))


def _latest(conn: Connection, key: str, event_type: str,
            partition: str | None = None) -> Any:
    el = tables.event_logs.c
    stmt = sa.select(el.id, el.timestamp, el.run_id).where(
        el.asset_key == key, el.event_type == event_type)
    if partition is not None:
        stmt = stmt.where(el.partition == partition)
    return conn.execute(stmt.order_by(el.id.desc()).limit(1)).first()


def reindex_assets_after_delete(conn: Connection, keys: Sequence[str],
                                run_ids: Sequence[str]) -> None:
    """After runs' events are deleted, point the index at the remaining latest events."""
    ak, ap = tables.asset_keys.c, tables.asset_partitions.c
    for key in keys:
        mat, obs = _latest(conn, key, MATERIALIZATION), _latest(conn, key, OBSERVATION)
        if mat is None and obs is None:
            conn.execute(sa.delete(tables.asset_keys).where(ak.asset_key == key))
        else:
            conn.execute(sa.update(tables.asset_keys).where(ak.asset_key == key).values(
                last_materialization_id=mat.id if mat else None,
                last_materialization_timestamp=mat.timestamp if mat else None,
                last_run_id=mat.run_id if mat else None,
                last_observation_id=obs.id if obs else None,
                last_observation_timestamp=obs.timestamp if obs else None))
        stale = [p for chunk in chunks(run_ids) for (p,) in conn.execute(
            sa.select(ap.partition).where(ap.asset_key == key, ap.last_run_id.in_(chunk)))]
        if stale:
            conn.execute(sa.delete(tables.asset_partitions).where(
                ap.asset_key == key, ap.partition.in_(stale)))
        for partition in stale:
            latest = _latest(conn, key, MATERIALIZATION, partition)
            if latest is not None:
                conn.execute(tables.asset_partitions.insert(), {
                    "asset_key": key, "partition": partition, "last_materialization_id": latest.id,
                    "last_run_id": latest.run_id, "timestamp": latest.timestamp})


def materialized_partitions(db: Database, cursor: Any, key: str) -> set[str]:
    """Every materialized partition of an asset, on a DB-API cursor: 100,000 keys is a normal
    size, and SQLAlchemy's row objects would cost more than the query."""
    cursor.execute(db.sql("SELECT partition FROM asset_partitions WHERE asset_key = ?"), (key,))
    return {p for (p,) in cursor.fetchall()}


def chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    """``items`` in slices short enough for one ``IN (...)`` list."""
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


class SqlAssetIndex(contracts.EventLogStorage):
    """The event log contract's asset reads in SQL (Dagster instance names): latest
    materializations, asset records, partitions, checks."""

    _db: Database

    # ------------------------------------------------------------ materializations

    def get_latest_materialization_records(
            self, asset_keys_: Iterable[AssetKey]) -> dict[AssetKey, EventLogRecord | None]:
        """Latest materialization record of each key (None if never materialized); batched."""
        by_string = {k.to_string(): k for k in asset_keys_}
        out: dict[AssetKey, EventLogRecord | None] = dict.fromkeys(by_string.values())
        join = tables.asset_keys.join(tables.event_logs,
                               tables.event_logs.c.id == tables.asset_keys.c.last_materialization_id)
        with self._db.read() as conn:
            for chunk in chunks(list(by_string)):
                stmt = sa.select(tables.asset_keys.c.asset_key, *event_columns()).select_from(join).where(
                    tables.asset_keys.c.asset_key.in_(chunk))
                for row in conn.execute(stmt):
                    out[by_string[row.asset_key]] = to_record(row)
        return out

    def fetch_materializations(self, records_filter: AssetKey | AssetRecordsFilter, limit: int,
                               cursor: str | None = None,
                               ascending: bool = False) -> EventRecordsResult:
        """Materialization records of one asset, newest first; page on with the cursor."""
        return self._fetch(MATERIALIZATION, records_filter, limit, cursor, ascending)

    def fetch_observations(self, records_filter: AssetKey | AssetRecordsFilter, limit: int,
                           cursor: str | None = None, ascending: bool = False) -> EventRecordsResult:
        return self._fetch(OBSERVATION, records_filter, limit, cursor, ascending)

    def _fetch(self, event_type: str, records_filter: AssetKey | AssetRecordsFilter, limit: int,
               cursor: str | None, ascending: bool) -> EventRecordsResult:
        f = records_filter if isinstance(records_filter, AssetRecordsFilter) \
            else AssetRecordsFilter(asset_key=records_filter)
        el = tables.event_logs.c
        stmt = sa.select(*event_columns()).where(el.asset_key == f.asset_key.to_string(),
                                               el.event_type == event_type)
        if f.asset_partitions is not None:
            stmt = stmt.where(el.partition.in_(list(f.asset_partitions)))
        if f.after_storage_id is not None:
            stmt = stmt.where(el.id > f.after_storage_id)
        if f.before_storage_id is not None:
            stmt = stmt.where(el.id < f.before_storage_id)
        if f.after_timestamp is not None:
            stmt = stmt.where(el.timestamp > f.after_timestamp)
        if f.before_timestamp is not None:
            stmt = stmt.where(el.timestamp < f.before_timestamp)
        return page(self._db, stmt, limit, cursor, ascending)

    def get_event_records(self, event_records_filter: EventRecordsFilter,
                          limit: int | None = None,
                          ascending: bool = False) -> list[EventLogRecord]:
        f = event_records_filter
        el = tables.event_logs.c
        stmt = sa.select(*event_columns()).where(el.event_type == EventType(f.event_type).value)
        if f.asset_key is not None:
            stmt = stmt.where(el.asset_key == f.asset_key.to_string())
        if f.asset_partitions is not None:
            stmt = stmt.where(el.partition.in_(list(f.asset_partitions)))
        # a cursor is a storage id (or Dagster's RunShardedEventsCursor, which carries one)
        for value, column, after in ((getattr(f.after_cursor, "id", f.after_cursor), el.id, True),
                                     (getattr(f.before_cursor, "id", f.before_cursor), el.id,
                                      False),
                                     (f.after_timestamp, el.timestamp, True),
                                     (f.before_timestamp, el.timestamp, False)):
            if value is not None:
                stmt = stmt.where(column > value if after else column < value)
        if f.storage_ids is not None:
            stmt = stmt.where(el.id.in_(list(f.storage_ids)))
        return page(self._db, stmt, limit, None, ascending).records

    # ------------------------------------------------------------------ keys

    def get_asset_keys(self, prefix: Sequence[str] | None = None, limit: int | None = None,
                       cursor: str | None = None) -> list[AssetKey]:
        """Keys with a materialization or observation, in a stable order.

        ``cursor`` is the ``to_string()`` of the last key of the previous page.
        """
        ak = tables.asset_keys.c
        stmt = sa.select(ak.asset_key).where(sa.or_(ak.last_materialization_id.is_not(None),
                                                    ak.last_observation_id.is_not(None)))
        if prefix:
            exact = AssetKey(list(prefix)).to_string()
            stmt = stmt.where(sa.or_(ak.asset_key == exact,
                                     ak.asset_key.startswith(exact[:-1] + ", ", autoescape=True)))
        if cursor is not None:
            stmt = stmt.where(ak.asset_key > cursor)
        stmt = stmt.order_by(ak.asset_key)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._db.read() as conn:
            rows = conn.execute(stmt).all()
        return [key_from_db(r.asset_key) for r in rows]

    def get_asset_records(self,
                          asset_keys: Sequence[AssetKey] | None = None) -> list[AssetRecord]:
        """Index entries (latest materialization and observation) of the given keys, or of
        every materialized or observed asset, in key order; unknown or wiped keys are left
        out."""
        ak = tables.asset_keys
        mat, obs = tables.event_logs.alias("mat"), tables.event_logs.alias("obs")
        cols: list[Any] = [ak.c.asset_key, ak.c.last_run_id, ak.c.wipe_timestamp]
        for alias in (mat, obs):
            cols += [c.label(f"{alias.name}_{c.name}") for c in (
                alias.c.id, alias.c.run_id, alias.c.event_type, alias.c.step_key,
                alias.c.timestamp, alias.c.body)]
        stmt = (sa.select(*cols).select_from(
            ak.outerjoin(mat, mat.c.id == ak.c.last_materialization_id)
            .outerjoin(obs, obs.c.id == ak.c.last_observation_id))
            .where(sa.or_(ak.c.last_materialization_id.is_not(None),
                          ak.c.last_observation_id.is_not(None)))
            .order_by(ak.c.asset_key))
        wanted = None if asset_keys is None else [k.to_string() for k in asset_keys]
        rows: list[Any] = []
        with self._db.read() as conn:
            if wanted is None:
                rows = list(conn.execute(stmt).all())
            else:
                for chunk in chunks(wanted):
                    rows += conn.execute(stmt.where(ak.c.asset_key.in_(chunk))).all()
        out = []
        for r in rows:
            m = r._mapping
            records: list[EventLogRecord | None] = []
            for prefix in ("mat", "obs"):
                if m[f"{prefix}_id"] is None:
                    records.append(None)
                    continue
                entry = decode_entry(m[f"{prefix}_run_id"], m[f"{prefix}_event_type"],
                                     m[f"{prefix}_step_key"], m[f"{prefix}_timestamp"],
                                     m[f"{prefix}_body"])
                records.append(EventLogRecord(m[f"{prefix}_id"], entry))
            storage_id = max(rec.storage_id for rec in records if rec is not None)
            out.append(AssetRecord(storage_id, AssetEntry(
                key_from_db(r.asset_key), records[0], r.last_run_id, records[1],
                r.wipe_timestamp)))
        if wanted is not None:
            out.sort(key=lambda rec: rec.asset_entry.asset_key.to_string())
        return out

    def latest_materialization_ids(self, asset_keys: Sequence[AssetKey]) -> dict[AssetKey, int]:
        """Per asset, the storage id of its latest materialization; assets never materialized
        (or wiped since) are left out. The asset index's rows only, no event decoded: one pass
        over the index when most of it is asked for (a status overlay of every asset), else
        primary-key seeks in chunks."""
        db = self._db
        by_string = {k.to_string(): k for k in asset_keys}
        out: dict[AssetKey, int] = {}
        select = "SELECT asset_key, last_materialization_id FROM asset_keys WHERE " \
                 "last_materialization_id IS NOT NULL"
        with db.read_cursor() as cursor:
            if len(by_string) > 1000:
                rows: Iterable[Any] = cursor.execute(db.sql(select)).fetchall()
            else:
                rows = []
                for chunk in chunks(list(by_string)):
                    marks = ", ".join("?" * len(chunk))
                    rows += cursor.execute(db.sql(f"{select} AND asset_key IN ({marks})"),
                                           list(chunk)).fetchall()
        for key, storage_id in rows:
            asset_key = by_string.get(key)
            if asset_key is not None:
                out[asset_key] = int(storage_id)
        return out

    def latest_planned_runs(self, asset_keys: Sequence[AssetKey],
                            ) -> dict[AssetKey, tuple[int, str, str | None]]:
        """Per asset, the latest run that planned to materialize it: (storage id of its
        ASSET_MATERIALIZATION_PLANNED event, run id, run status or None if the run is gone).
        Assets never planned are left out. One indexed seek per key (the asset index), in
        chunks: what the UI colours failed and running assets by."""
        db = self._db
        by_string = {k.to_string(): k for k in asset_keys}
        planned: dict[str, tuple[int, str]] = {}
        with db.read_cursor() as cursor:
            for chunk in chunks(list(by_string)):
                marks = ", ".join("?" * len(chunk))
                rows = cursor.execute(db.sql(
                    f"SELECT e.asset_key, e.id, e.run_id FROM event_logs e JOIN ("
                    f"SELECT asset_key, MAX(id) AS id FROM event_logs WHERE event_type = ? "
                    f"AND asset_key IN ({marks}) GROUP BY asset_key) m ON m.id = e.id"),
                    [EventType.ASSET_MATERIALIZATION_PLANNED.value, *chunk]).fetchall()
                planned.update((key, (storage_id, run_id)) for key, storage_id, run_id in rows)
            run_ids = sorted({run_id for _, run_id in planned.values()})
            status: dict[str, str] = {}
            for chunk in chunks(run_ids):
                marks = ", ".join("?" * len(chunk))
                status.update(cursor.execute(db.sql(
                    f"SELECT run_id, status FROM runs WHERE run_id IN ({marks})"),
                    list(chunk)).fetchall())
        return {by_string[key]: (storage_id, run_id, status.get(run_id))
                for key, (storage_id, run_id) in planned.items()}

    def has_asset_key(self, asset_key: AssetKey) -> bool:
        ak = tables.asset_keys.c
        stmt = sa.select(ak.asset_key).where(
            ak.asset_key == asset_key.to_string(),
            sa.or_(ak.last_materialization_id.is_not(None), ak.last_observation_id.is_not(None)))
        with self._db.read() as conn:
            return conn.execute(stmt).first() is not None

    # ------------------------------------------------------------ partitions

    def get_materialized_partitions(self, asset_key: AssetKey, before_cursor: int | None = None,
                                    after_cursor: int | None = None) -> set[str]:
        if before_cursor is None and after_cursor is None:
            with self._db.read_cursor() as cursor:
                return materialized_partitions(self._db, cursor, asset_key.to_string())
        return set(self.get_latest_storage_id_by_partition(asset_key, before_cursor, after_cursor))

    def get_latest_storage_id_by_partition(self, asset_key: AssetKey,
                                           before_cursor: int | None = None,
                                           after_cursor: int | None = None) -> dict[str, int]:
        """Partition -> storage id of its latest materialization (from the partition index)."""
        ap = tables.asset_partitions.c
        stmt = sa.select(ap.partition, ap.last_materialization_id).where(
            ap.asset_key == asset_key.to_string())
        if before_cursor is not None:
            stmt = stmt.where(ap.last_materialization_id < before_cursor)
        if after_cursor is not None:
            stmt = stmt.where(ap.last_materialization_id > after_cursor)
        with self._db.read() as conn:
            return {p: i for p, i in conn.execute(stmt)}

    # ------------------------------------------------------------------ checks

    def get_latest_asset_check_evaluations(
            self, check_keys: Iterable[AssetCheckKey]) -> dict[AssetCheckKey, AssetCheckExecutionRecord]:
        """Latest stored evaluation of each check key that has one."""
        wanted = {(k.asset_key.to_string(), k.name): k for k in check_keys}
        if not wanted:
            return {}
        ace = tables.asset_check_executions.c
        latest = sa.select(sa.func.max(ace.id)).where(
            ace.asset_key.in_(sorted({a for a, _ in wanted}))).group_by(ace.asset_key,
                                                                         ace.check_name)
        out: dict[AssetCheckKey, AssetCheckExecutionRecord] = {}
        for record in self._check_records(sa.select().where(ace.id.in_(latest))):
            key = wanted.get((record.key.asset_key.to_string(), record.key.name))
            if key is not None:
                out[key] = record
        return out

    get_latest_asset_check_execution_by_key = get_latest_asset_check_evaluations

    def get_asset_check_execution_history(self, check_key: AssetCheckKey, limit: int,
                                          cursor: int | None = None,
                                          ) -> list[AssetCheckExecutionRecord]:
        """Evaluations of one check, newest first; ``cursor`` is the last record's id."""
        ace = tables.asset_check_executions.c
        stmt = sa.select().where(ace.asset_key == check_key.asset_key.to_string(),
                                 ace.check_name == check_key.name)
        if cursor is not None:
            stmt = stmt.where(ace.id < cursor)
        return self._check_records(stmt.order_by(ace.id.desc()).limit(limit))

    def _check_records(self, where: Any) -> list[AssetCheckExecutionRecord]:
        ace = tables.asset_check_executions.c
        join = tables.asset_check_executions.outerjoin(tables.event_logs, tables.event_logs.c.id == ace.event_id)
        stmt = where.add_columns(ace.id.label("check_id"), ace.asset_key, ace.check_name,
                                 ace.run_id.label("check_run_id"), ace.passed, ace.event_id,
                                 ace.timestamp.label("check_ts"), tables.event_logs.c.event_type,
                                 tables.event_logs.c.step_key, tables.event_logs.c.timestamp, tables.event_logs.c.body,
                                 tables.event_logs.c.run_id).select_from(join)
        with self._db.read() as conn:
            rows = conn.execute(stmt).all()
        return [AssetCheckExecutionRecord(
            r.check_id, AssetCheckKey(key_from_db(r.asset_key), r.check_name),
            r.check_run_id, r.passed, r.event_id, r.check_ts,
            decode_row(r) if r.body is not None else None) for r in rows]

    # ------------------------------------------------------------------ wipe

    def wipe_assets(self, asset_keys_: Iterable[AssetKey]) -> None:
        """Forget assets' materializations, observations, partitions (materialized and
        planned) and check results.

        Runs' event logs keep their events (the log is the record of what ran); the events
        are just no longer attached to the asset.
        """
        keys = [k.to_string() for k in asset_keys_]
        now = time.time()
        with self._db.write() as conn:
            for chunk in chunks(keys):
                conn.execute(sa.update(tables.event_logs).where(tables.event_logs.c.asset_key.in_(chunk))
                             .values(asset_key=None))
                conn.execute(sa.delete(tables.asset_partitions).where(
                    tables.asset_partitions.c.asset_key.in_(chunk)))
                conn.execute(sa.delete(tables.asset_partition_planned).where(
                    tables.asset_partition_planned.c.asset_key.in_(chunk)))
                conn.execute(sa.delete(tables.asset_check_executions).where(
                    tables.asset_check_executions.c.asset_key.in_(chunk)))
                conn.execute(sa.update(tables.asset_keys).where(tables.asset_keys.c.asset_key.in_(chunk)).values(
                    last_materialization_id=None, last_materialization_timestamp=None,
                    last_run_id=None, last_observation_id=None, last_observation_timestamp=None,
                    wipe_timestamp=now))


def page(db: Database, stmt: Any, limit: int | None, cursor: str | int | None,
         ascending: bool) -> EventRecordsResult:
    """Run an event query one page at a time: ``cursor`` is the last storage id seen."""
    el = tables.event_logs.c
    if cursor is not None and cursor != "":
        last = int(cursor)
        stmt = stmt.where(el.id > last if ascending else el.id < last)
    stmt = stmt.order_by(el.id.asc() if ascending else el.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit + 1)
    with db.read() as conn:
        rows = conn.execute(stmt).all()
    has_more = limit is not None and len(rows) > limit
    records = [to_record(r) for r in (rows[:limit] if has_more else rows)]
    next_cursor = str(records[-1].storage_id) if records else (
        None if cursor is None else str(cursor))
    return EventRecordsResult(records, next_cursor, has_more)
