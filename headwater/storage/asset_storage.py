"""The asset index: latest materialization per asset and partition, open plans of asset
partitions (planned by a run, not materialized since), check executions.

Written in the same transaction as the events it indexes (``AssetIndexWriter``, used by
``store_events``); read by ``AssetIndexStorage``, mixed into ``Instance``. Reads of "latest"
and "which partitions" go to the index tables, never scan the event log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

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
from headwater.storage.asset_records import AssetCheckExecutionRecord, AssetRecordsFilter
from headwater.storage.database import Database
from headwater.storage.schema import (
    asset_check_executions,
    asset_keys,
    asset_partition_planned,
    asset_partitions,
    event_logs,
)

MATERIALIZATION = EventType.ASSET_MATERIALIZATION.value
OBSERVATION = EventType.ASSET_OBSERVATION.value
CHECK_EVALUATION = EventType.ASSET_CHECK_EVALUATION.value
INDEXED_EVENT_TYPES = frozenset({MATERIALIZATION, OBSERVATION, CHECK_EVALUATION})

EVENT_COLUMNS = (event_logs.c.id, event_logs.c.run_id, event_logs.c.event_type,
                 event_logs.c.step_key, event_logs.c.timestamp, event_logs.c.body)
_CHUNK = 500  # keys per IN (...) list


def key_from_db(value: str) -> AssetKey:
    return AssetKey(json.loads(value))


def decode_row(row: Row) -> EventLogEntry:
    return decode_entry(row.run_id, row.event_type, row.step_key, row.timestamp, row.body)


def to_record(row: Row) -> EventLogRecord:
    return EventLogRecord(row.id, decode_row(row))


class AssetIndexWriter:
    """Index statements for one database, built once; ``index`` runs inside store_events."""

    def __init__(self, db: Database):
        ak = asset_keys.c
        mat = db.insert(asset_keys)
        self.materialization = mat.on_conflict_do_update(
            index_elements=[ak.asset_key],
            set_={"last_materialization_id": mat.excluded.last_materialization_id,
                  "last_materialization_timestamp": mat.excluded.last_materialization_timestamp,
                  "last_run_id": mat.excluded.last_run_id},
            # Only move forward, even if concurrent writers (PostgreSQL) commit out of order.
            where=sa.or_(ak.last_materialization_id.is_(None),
                         ak.last_materialization_id < mat.excluded.last_materialization_id))
        obs = db.insert(asset_keys)
        self.observation = obs.on_conflict_do_update(
            index_elements=[ak.asset_key],
            set_={"last_observation_id": obs.excluded.last_observation_id,
                  "last_observation_timestamp": obs.excluded.last_observation_timestamp},
            where=sa.or_(ak.last_observation_id.is_(None),
                         ak.last_observation_id < obs.excluded.last_observation_id))
        part = db.insert(asset_partitions)
        self.partition = part.on_conflict_do_update(
            index_elements=[asset_partitions.c.asset_key, asset_partitions.c.partition],
            set_={"last_materialization_id": part.excluded.last_materialization_id,
                  "last_run_id": part.excluded.last_run_id, "timestamp": part.excluded.timestamp},
            where=asset_partitions.c.last_materialization_id
            < part.excluded.last_materialization_id)
        self.check = asset_check_executions.insert()
        pl = asset_partition_planned.c
        # A materialization completes the partition's open plan if it comes from the planning
        # run, or after the plan (then a newer run materialized it).
        self.plan_done = sa.delete(asset_partition_planned).where(
            pl.asset_key == sa.bindparam("asset_key"), pl.partition == sa.bindparam("partition"),
            sa.or_(pl.run_id == sa.bindparam("run_id"), pl.timestamp <= sa.bindparam("ts")))

    def index(self, conn: Connection, entry: EventLogEntry, row: dict[str, Any],
              event_id: int) -> None:
        kind, key, ts, run_id = row["event_type"], row["asset_key"], row["timestamp"], row["run_id"]
        if kind == MATERIALIZATION:
            conn.execute(self.materialization, {
                "asset_key": key, "last_materialization_id": event_id,
                "last_materialization_timestamp": ts, "last_run_id": run_id})
            if row["partition"] is not None:
                conn.execute(self.partition, {
                    "asset_key": key, "partition": row["partition"],
                    "last_materialization_id": event_id, "last_run_id": run_id, "timestamp": ts})
                conn.execute(self.plan_done, {"asset_key": key, "partition": row["partition"],
                                              "run_id": run_id, "ts": ts})
        elif kind == OBSERVATION:
            conn.execute(self.observation, {"asset_key": key, "last_observation_id": event_id,
                                            "last_observation_timestamp": ts})
        elif kind == CHECK_EVALUATION:
            evaluation = entry.asset_check_evaluation
            if isinstance(evaluation, AssetCheckEvaluation):
                conn.execute(self.check, {
                    "asset_key": key, "check_name": evaluation.check_name, "run_id": run_id,
                    "passed": evaluation.passed, "event_id": event_id, "timestamp": ts})


def _latest(conn: Connection, key: str, event_type: str,
            partition: str | None = None) -> Row | None:
    el = event_logs.c
    stmt = sa.select(el.id, el.timestamp, el.run_id).where(
        el.asset_key == key, el.event_type == event_type)
    if partition is not None:
        stmt = stmt.where(el.partition == partition)
    return conn.execute(stmt.order_by(el.id.desc()).limit(1)).first()


def reindex_assets_after_delete(db: Database, conn: Connection, keys: Sequence[str],
                                run_id: str) -> None:
    """After a run's events are deleted, point the index at the remaining latest events."""
    ak, ap = asset_keys.c, asset_partitions.c
    writer = AssetIndexWriter(db)
    for key in keys:
        mat, obs = _latest(conn, key, MATERIALIZATION), _latest(conn, key, OBSERVATION)
        if mat is None and obs is None:
            conn.execute(sa.delete(asset_keys).where(ak.asset_key == key))
        else:
            conn.execute(sa.update(asset_keys).where(ak.asset_key == key).values(
                last_materialization_id=mat.id if mat else None,
                last_materialization_timestamp=mat.timestamp if mat else None,
                last_run_id=mat.run_id if mat else None,
                last_observation_id=obs.id if obs else None,
                last_observation_timestamp=obs.timestamp if obs else None))
        stale = [p for (p,) in conn.execute(sa.select(ap.partition).where(
            ap.asset_key == key, ap.last_run_id == run_id))]
        if stale:
            conn.execute(sa.delete(asset_partitions).where(ap.asset_key == key,
                                                           ap.partition.in_(stale)))
        for partition in stale:
            latest = _latest(conn, key, MATERIALIZATION, partition)
            if latest is not None:
                conn.execute(writer.partition, {
                    "asset_key": key, "partition": partition, "last_materialization_id": latest.id,
                    "last_run_id": latest.run_id, "timestamp": latest.timestamp})


def materialized_partitions(conn: Connection, key: str) -> set[str]:
    """Every materialized partition of an asset, through the driver: 100,000 keys is a normal
    size, and SQLAlchemy's row objects would cost more than the query."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor = conn.connection.cursor()
    try:
        cursor.execute(f"SELECT partition FROM {asset_partitions.name} WHERE asset_key = {mark}",
                       (key,))
        return {p for (p,) in cursor.fetchall()}
    finally:
        cursor.close()


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


class AssetIndexStorage:
    """Asset reads (Dagster instance names): latest materializations, partitions, checks."""

    _db: Database

    # ------------------------------------------------------------ materializations

    def get_latest_materialization_records(
            self, asset_keys_: Iterable[AssetKey]) -> dict[AssetKey, EventLogRecord | None]:
        """Latest materialization record of each key (None if never materialized); batched."""
        by_string = {k.to_string(): k for k in asset_keys_}
        out: dict[AssetKey, EventLogRecord | None] = dict.fromkeys(by_string.values())
        join = asset_keys.join(event_logs,
                               event_logs.c.id == asset_keys.c.last_materialization_id)
        with self._db.read() as conn:
            for chunk in _chunks(list(by_string)):
                stmt = sa.select(asset_keys.c.asset_key, *EVENT_COLUMNS).select_from(join).where(
                    asset_keys.c.asset_key.in_(chunk))
                for row in conn.execute(stmt):
                    out[by_string[row.asset_key]] = to_record(row)
        return out

    def get_latest_materialization_events(
            self, asset_keys_: Iterable[AssetKey]) -> dict[AssetKey, EventLogEntry | None]:
        return {k: r.event_log_entry if r else None
                for k, r in self.get_latest_materialization_records(asset_keys_).items()}

    def get_latest_materialization_event(self, asset_key: AssetKey) -> EventLogEntry | None:
        return self.get_latest_materialization_events([asset_key])[asset_key]

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
        el = event_logs.c
        stmt = sa.select(*EVENT_COLUMNS).where(el.asset_key == f.asset_key.to_string(),
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

    # ------------------------------------------------------------------ keys

    def get_asset_keys(self, prefix: Sequence[str] | None = None, limit: int | None = None,
                       cursor: str | None = None) -> list[AssetKey]:
        """Keys with a materialization or observation, in a stable order.

        ``cursor`` is the ``to_string()`` of the last key of the previous page.
        """
        ak = asset_keys.c
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

    def has_asset_key(self, asset_key: AssetKey) -> bool:
        ak = asset_keys.c
        stmt = sa.select(ak.asset_key).where(
            ak.asset_key == asset_key.to_string(),
            sa.or_(ak.last_materialization_id.is_not(None), ak.last_observation_id.is_not(None)))
        with self._db.read() as conn:
            return conn.execute(stmt).first() is not None

    # ------------------------------------------------------------ partitions

    def get_materialized_partitions(self, asset_key: AssetKey, before_cursor: int | None = None,
                                    after_cursor: int | None = None) -> set[str]:
        if before_cursor is None and after_cursor is None:
            with self._db.read() as conn:
                return materialized_partitions(conn, asset_key.to_string())
        return set(self.get_latest_storage_id_by_partition(asset_key, before_cursor, after_cursor))

    def get_latest_storage_id_by_partition(self, asset_key: AssetKey,
                                           before_cursor: int | None = None,
                                           after_cursor: int | None = None) -> dict[str, int]:
        """Partition -> storage id of its latest materialization (from the partition index)."""
        ap = asset_partitions.c
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
        ace = asset_check_executions.c
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

    def get_latest_asset_check_evaluation_record(
            self, check_key: AssetCheckKey) -> AssetCheckExecutionRecord | None:
        return self.get_latest_asset_check_evaluations([check_key]).get(check_key)

    def get_asset_check_execution_history(self, check_key: AssetCheckKey, limit: int,
                                          cursor: int | None = None,
                                          ) -> list[AssetCheckExecutionRecord]:
        """Evaluations of one check, newest first; ``cursor`` is the last record's id."""
        ace = asset_check_executions.c
        stmt = sa.select().where(ace.asset_key == check_key.asset_key.to_string(),
                                 ace.check_name == check_key.name)
        if cursor is not None:
            stmt = stmt.where(ace.id < cursor)
        return self._check_records(stmt.order_by(ace.id.desc()).limit(limit))

    def _check_records(self, where: Any) -> list[AssetCheckExecutionRecord]:
        ace = asset_check_executions.c
        join = asset_check_executions.outerjoin(event_logs, event_logs.c.id == ace.event_id)
        stmt = where.add_columns(ace.id.label("check_id"), ace.asset_key, ace.check_name,
                                 ace.run_id.label("check_run_id"), ace.passed, ace.event_id,
                                 ace.timestamp.label("check_ts"), event_logs.c.event_type,
                                 event_logs.c.step_key, event_logs.c.timestamp, event_logs.c.body,
                                 event_logs.c.run_id).select_from(join)
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
            for chunk in _chunks(keys):
                conn.execute(sa.update(event_logs).where(event_logs.c.asset_key.in_(chunk))
                             .values(asset_key=None))
                conn.execute(sa.delete(asset_partitions).where(
                    asset_partitions.c.asset_key.in_(chunk)))
                conn.execute(sa.delete(asset_partition_planned).where(
                    asset_partition_planned.c.asset_key.in_(chunk)))
                conn.execute(sa.delete(asset_check_executions).where(
                    asset_check_executions.c.asset_key.in_(chunk)))
                conn.execute(sa.update(asset_keys).where(asset_keys.c.asset_key.in_(chunk)).values(
                    last_materialization_id=None, last_materialization_timestamp=None,
                    last_run_id=None, last_observation_id=None, last_observation_timestamp=None,
                    wipe_timestamp=now))


def page(db: Database, stmt: Any, limit: int | None, cursor: str | int | None,
         ascending: bool) -> EventRecordsResult:
    """Run an event query one page at a time: ``cursor`` is the last storage id seen."""
    el = event_logs.c
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
