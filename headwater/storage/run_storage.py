"""Run queries: create, read, filter, move status, tag, delete. Mixed into ``Instance``.

What every run does (create it, move its status, read it back) is plain SQL on a DB-API
cursor; filtered listings, tags and deletes are built with SQLAlchemy Core (loaded on first use).
"""

from __future__ import annotations

import time
from collections import namedtuple
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import RunNotFoundError
from headwater.definitions.results import AssetCheckKey
from headwater.storage import contracts
from headwater.storage.database import Database
from headwater.storage.errors import RunAlreadyExistsError
from headwater.storage.runs import (
    FINISHED_STATUSES,
    Run,
    RunRecord,
    RunsFilter,
    RunStatus,
    check_transition,
    encode_asset_selection,
    to_timestamp,
)

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection

    from headwater.storage import schema as tables
    from headwater.storage.retention import PruneResult
    from headwater.storage.run_health import RunProcess, RunProcessRegistration
else:
    from headwater.storage.lazy import sa, tables

RUN_COLUMNS = ("id", "run_id", "job_name", "status", "tags", "run_config", "parent_run_id",
               "root_run_id", "asset_selection", "body", "create_timestamp", "update_timestamp",
               "start_time", "end_time")
RunRow = namedtuple("RunRow", RUN_COLUMNS)  # type: ignore[misc]  # a runs row from a DB-API cursor

_INSERT_COLUMNS = RUN_COLUMNS[1:]
_INSERT_RUN = (f"INSERT INTO runs ({', '.join(_INSERT_COLUMNS)}) "
               f"VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})")
_INSERT_TAG = "INSERT INTO run_tags (run_id, \"key\", value) VALUES (?, ?, ?)"
_SELECT_RUN = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE run_id = ?"
_SELECT_STATUS = "SELECT status, start_time, end_time FROM runs WHERE run_id = ?"
_UPDATE_STATUS = ("UPDATE runs SET status = ?, start_time = ?, end_time = ?, update_timestamp = ? "
                  "WHERE run_id = ?")


_ORDER_COLUMNS = frozenset({"id", "create_timestamp", "update_timestamp", "start_time",
                            "end_time", "status", "job_name"})


def _run_columns() -> list[Any]:
    return [tables.runs.c[name] for name in RUN_COLUMNS]


def dumps(value: Any) -> str:
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_NON_STR_KEYS).decode()


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, AssetKey):
        return obj.path
    raise TypeError(f"run config value {obj!r} of type {type(obj).__name__} cannot be stored: "
                    "run config must be JSON-like (dicts, lists, strings, numbers, booleans)")


def _run_to_row(run: Run, now: float) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if run.op_selection is not None:
        body["op_selection"] = list(run.op_selection)
    if run.resolved_op_selection is not None:
        body["resolved_op_selection"] = sorted(run.resolved_op_selection)
    if run.step_keys_to_execute is not None:
        body["step_keys_to_execute"] = list(run.step_keys_to_execute)
    if run.asset_check_selection is not None:
        body["asset_check_selection"] = sorted(
            [k.asset_key.path, k.name] for k in run.asset_check_selection)
    selection = encode_asset_selection(run.asset_selection)
    return {"run_id": run.run_id, "job_name": run.job_name, "status": run.status.value,
            "tags": dumps(dict(run.tags)), "run_config": dumps(dict(run.run_config)),
            "parent_run_id": run.parent_run_id, "root_run_id": run.root_run_id,
            "asset_selection": None if selection is None else dumps(selection),
            "body": dumps(body), "create_timestamp": now, "update_timestamp": now,
            "start_time": None, "end_time": None}


def row_to_run(row: Any) -> Run:
    body = orjson.loads(row.body)
    selection = None if row.asset_selection is None else frozenset(
        AssetKey(p) for p in orjson.loads(row.asset_selection))
    checks = body.get("asset_check_selection")
    resolved = body.get("resolved_op_selection")
    return Run(
        job_name=row.job_name, run_id=row.run_id, run_config=orjson.loads(row.run_config),
        asset_selection=selection,
        asset_check_selection=None if checks is None else frozenset(
            AssetCheckKey(AssetKey(p), n) for p, n in checks),
        op_selection=body.get("op_selection"),
        resolved_op_selection=None if resolved is None else frozenset(resolved),
        step_keys_to_execute=body.get("step_keys_to_execute"), status=RunStatus(row.status),
        tags=orjson.loads(row.tags), root_run_id=row.root_run_id, parent_run_id=row.parent_run_id)


def _now() -> float:
    # Microseconds, so that RunRecord datetimes convert back to exactly the stored value.
    return round(time.time(), 6)


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


def row_to_record(row: Any) -> RunRecord:
    return RunRecord(row.id, row_to_run(row), _utc(row.create_timestamp),
                     _utc(row.update_timestamp), row.start_time, row.end_time)


def _apply_filters(stmt: Any, filters: RunsFilter | None) -> Any:
    if filters is None:
        return stmt
    runs, run_tags = tables.runs, tables.run_tags
    c = runs.c
    # As in Dagster, an empty list means "no filter" rather than "match nothing".
    if filters.run_ids:
        stmt = stmt.where(c.run_id.in_(list(filters.run_ids)))
    if filters.job_name:
        stmt = stmt.where(c.job_name == filters.job_name)
    statuses = filters.status_values()
    if statuses:
        stmt = stmt.where(c.status.in_(statuses))
    for key, tag_value in (filters.tags or {}).items():
        values = [tag_value] if isinstance(tag_value, str) else list(tag_value)
        tagged = sa.select(run_tags.c.run_id).where(run_tags.c.key == key,
                                                    run_tags.c.value.in_(values))
        stmt = stmt.where(c.run_id.in_(tagged))
    for value, column, after in ((filters.created_before, c.create_timestamp, False),
                                 (filters.created_after, c.create_timestamp, True),
                                 (filters.updated_before, c.update_timestamp, False),
                                 (filters.updated_after, c.update_timestamp, True)):
        ts = to_timestamp(value)
        if ts is not None:
            stmt = stmt.where(column > ts if after else column < ts)
    return stmt


def move_status(db: Database, cursor: Any, run_id: str,
                moves: Sequence[tuple[RunStatus, float]]) -> RunStatus:
    """Apply status moves in order through the transitions table; one UPDATE at the end
    (inside the caller's ``write_cursor`` transaction)."""
    row = cursor.execute(db.sql(_SELECT_STATUS), (run_id,)).fetchone()
    if row is None:
        raise RunNotFoundError(f"No run with id {run_id!r} in this instance: create it with "
                               "create_run() before reporting its status.")
    status, start, end = RunStatus(row[0]), row[1], row[2]
    changed = False
    for new, ts in moves:
        if check_transition(run_id, status, new):
            status, changed = new, True
            if new == RunStatus.STARTED and start is None:
                start = ts
            if new in FINISHED_STATUSES:
                end = ts
    if changed:
        cursor.execute(db.sql(_UPDATE_STATUS), (status.value, start, end, _now(), run_id))
    return status


def read_run(db: Database, cursor: Any, run_id: str) -> RunRow | None:
    row = cursor.execute(db.sql(_SELECT_RUN), (run_id,)).fetchone()
    return None if row is None else RunRow._make(row)


class SqlRunStorage(contracts.RunStorage):
    """The run storage contract in SQL: everything about runs except their events."""

    _db: Database

    def add_run(self, run: Run) -> Run:
        """Store an already-built ``Run`` (Dagster: ``add_run``)."""
        row = _run_to_row(run, _now())
        db = self._db
        try:
            with db.write_cursor() as cursor:
                cursor.execute(db.sql(_INSERT_RUN), tuple(row[c] for c in _INSERT_COLUMNS))
                if run.tags:
                    cursor.executemany(db.sql(_INSERT_TAG), [(run.run_id, k, v)
                                                             for k, v in run.tags.items()])
        except db.dbapi.IntegrityError:
            raise RunAlreadyExistsError(
                f"A run with id {run.run_id!r} already exists in this instance; "
                "use a new run id (or omit it to get a fresh one).") from None
        return run

    def handle_run_status(self, run_id: str, status: RunStatus | str) -> Run:
        """Move a run to ``status`` through the transitions table; returns the updated run.

        Raises ``InvariantViolationError`` for an illegal move, ``RunNotFoundError`` if the
        run does not exist. Moving to the current status is a no-op.
        """
        with self._db.write_cursor() as cursor:
            move_status(self._db, cursor, run_id, [(RunStatus(status), time.time())])
            row = read_run(self._db, cursor, run_id)
        assert row is not None
        return row_to_run(row)

    def has_run(self, run_id: str) -> bool:
        with self._db.read_cursor() as cursor:
            return cursor.execute(self._db.sql("SELECT 1 FROM runs WHERE run_id = ?"),
                                  (run_id,)).fetchone() is not None

    def get_run_record_by_id(self, run_id: str) -> RunRecord | None:
        with self._db.read_cursor() as cursor:
            row = read_run(self._db, cursor, run_id)
        return row_to_record(row) if row is not None else None

    def get_run_records(self, filters: RunsFilter | None = None, limit: int | None = None,
                        order_by: str | None = None, ascending: bool = False,
                        cursor: str | None = None, bucket_by: Any = None) -> list[RunRecord]:
        """Runs matching ``filters``, newest first (``ascending=True``: oldest first);
        ``order_by`` a column of the run record instead of creation order (``create_timestamp``,
        ``update_timestamp``, ``start_time``, ``end_time``, ``status``, ``job_name``).

        ``cursor`` is a run id: return the runs created after (before) it.
        """
        if bucket_by is not None:
            from headwater.definitions.errors import InvalidInvocationError

            raise InvalidInvocationError(
                "get_run_records(bucket_by=...) is not supported by Headwater: filter by job "
                "name or tag with RunsFilter and a limit per call instead.")
        runs = tables.runs
        stmt = _apply_filters(sa.select(*_run_columns()), filters)
        if cursor is not None:
            cursor_id = sa.select(runs.c.id).where(runs.c.run_id == cursor).scalar_subquery()
            stmt = stmt.where(runs.c.id > cursor_id if ascending else runs.c.id < cursor_id)
        keys = [runs.c.id]
        if order_by is not None and order_by != "id":
            if order_by not in _ORDER_COLUMNS:
                from headwater.definitions.errors import InvalidInvocationError

                raise InvalidInvocationError(
                    f"Cannot order runs by {order_by!r}: use one of "
                    + ", ".join(sorted(_ORDER_COLUMNS)) + ".")
            keys.insert(0, runs.c[order_by])
        stmt = stmt.order_by(*(k.asc() if ascending else k.desc() for k in keys))
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._db.read() as conn:
            rows = conn.execute(stmt).all()
        return [row_to_record(r) for r in rows]

    def get_runs_count(self, filters: RunsFilter | None = None) -> int:
        stmt = _apply_filters(sa.select(sa.func.count()).select_from(tables.runs), filters)
        with self._db.read() as conn:
            return int(conn.execute(stmt).scalar_one())

    def add_run_tags(self, run_id: str, new_tags: Mapping[str, str]) -> None:
        """Add or overwrite tags of a stored run."""
        new = {str(k): str(v) for k, v in new_tags.items()}
        runs, run_tags = tables.runs, tables.run_tags
        with self._db.write() as conn:
            current = conn.execute(sa.select(runs.c.tags).where(runs.c.run_id == run_id)).first()
            if current is None:
                raise RunNotFoundError(f"No run with id {run_id!r} in this instance.")
            merged = {**orjson.loads(current.tags), **new}
            conn.execute(sa.update(runs).where(runs.c.run_id == run_id).values(
                tags=dumps(merged), update_timestamp=_now()))
            if new:
                conn.execute(sa.delete(run_tags).where(run_tags.c.run_id == run_id,
                                                       run_tags.c.key.in_(list(new))))
                conn.execute(run_tags.insert(), [{"run_id": run_id, "key": k, "value": v}
                                                 for k, v in new.items()])

    def get_run_tags(self, tag_keys: Sequence[str] | None = None, value_prefix: str | None = None,
                     limit: int | None = None) -> list[tuple[str, set[str]]]:
        rt = tables.run_tags.c
        stmt = sa.select(rt.key, rt.value).distinct()
        if tag_keys is not None:
            stmt = stmt.where(rt.key.in_(list(tag_keys)))
        if value_prefix:
            stmt = stmt.where(rt.value.startswith(value_prefix, autoescape=True))
        stmt = stmt.order_by(rt.key, rt.value)
        if limit is not None:
            stmt = stmt.limit(limit)
        out: dict[str, set[str]] = {}
        with self._db.read() as conn:
            for key, value in conn.execute(stmt):
                out.setdefault(key, set()).add(value)
        return sorted(out.items())

    def get_run_tag_keys(self) -> list[str]:
        rt = tables.run_tags.c
        with self._db.read() as conn:
            return list(conn.execute(sa.select(rt.key).distinct().order_by(rt.key)).scalars())

    def delete_run(self, run_id: str) -> None:
        """Delete a run with everything it recorded (``delete_runs``)."""
        with self._db.write() as conn:
            delete_runs(conn, [run_id])

    def prune_runs(self, older_than: timedelta, *, keep_failed: bool = False,
                   batch_size: int | None = None, dry_run: bool = False,
                   now: float | None = None) -> PruneResult:
        """Delete finished runs older than ``older_than`` with what they recorded, in batches,
        keeping every asset's latest facts (``storage/retention.py``)."""
        from headwater.storage.retention import DEFAULT_BATCH_SIZE, prune_runs

        return prune_runs(self._db, older_than, keep_failed=keep_failed,
                          batch_size=batch_size or DEFAULT_BATCH_SIZE, dry_run=dry_run, now=now,
                          files_root=self._files_root())

    def _files_root(self) -> str | None:
        """The folder of this instance's files (compute logs), if it has one of its own."""
        return getattr(self, "_root", None)

    # ------------------------------------------------- the process executing a run

    def register_run_process(self, run_id: str) -> RunProcessRegistration:
        """Record this process as executing ``run_id`` (host, pid, start time) and keep its
        heartbeat while the returned registration is open (``with``, or ``close()``). Runs
        left in progress by a process that is gone are marked failed first (one query).
        See ``run_health.py``."""
        from headwater.storage import run_health

        if self._db.is_memory:  # no other process sees these runs: nothing to record
            return run_health.RunProcessRegistration(None)
        run_health.fail_dead_runs(self._db)
        return run_health.register(self._db, run_id)

    def get_run_process(self, run_id: str) -> RunProcess | None:
        """The process recorded as executing ``run_id`` (None if none is): its host, pid and
        start time, and its last heartbeat."""
        from headwater.storage import run_health

        return run_health.run_process(self._db, run_id)

    def fail_dead_runs(self, heartbeat_timeout: float | None = None) -> list[str]:
        """Mark failed each STARTING/STARTED/CANCELING run (or NOT_STARTED one with a recorded
        process, which died before the run's start was written) whose process is gone (its pid is
        not alive here, or now is another process's; on another host: no heartbeat for
        ``heartbeat_timeout`` s, default 60). Returns their run ids; a run whose process
        lives is never touched."""
        from headwater.storage import run_health

        return run_health.fail_dead_runs(self._db, heartbeat_timeout)


class DeletedRows(NamedTuple):
    """Rows ``delete_runs`` removed, per table."""

    runs: int
    events: int
    tags: int
    check_executions: int
    planned_partitions: int


def delete_runs(conn: Connection, run_ids: Sequence[str]) -> DeletedRows:
    """Delete runs, their events, tags, check executions, open partition plans and concurrency
    claims, inside the caller's transaction; the asset index then points at the latest events
    that remain."""
    from headwater.storage.asset_storage import chunks, reindex_assets_after_delete

    el = tables.event_logs
    keys: set[str] = set()
    counts = [0] * 5
    for chunk in chunks(list(run_ids)):
        keys.update(k for (k,) in conn.execute(sa.select(el.c.asset_key).distinct().where(
            el.c.run_id.in_(chunk), el.c.asset_key.is_not(None))))
        for i, table in enumerate((tables.event_logs, tables.run_tags,
                                   tables.asset_check_executions, tables.asset_partition_planned,
                                   tables.runs)):
            counts[i] += conn.execute(sa.delete(table).where(table.c.run_id.in_(chunk))).rowcount
        for extra in (tables.concurrency_claims, tables.run_workers):  # a dead run's leftovers
            conn.execute(sa.delete(extra).where(extra.c.run_id.in_(chunk)))
    if keys:
        reindex_assets_after_delete(conn, sorted(keys), run_ids)
    events, tags, checks, planned, runs = counts
    return DeletedRows(runs, events, tags, checks, planned)
