"""The schedule/sensor state contract in SQL: instigator state and ticks (plain SQL on the
DB-API cursor for what the daemon does every tick; SQLAlchemy Core for the rare deletes)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from headwater.storage import contracts
from headwater.storage.database import Database
from headwater.storage.errors import TickAlreadyExistsError

if TYPE_CHECKING:
    import sqlalchemy as sa

    from headwater.storage import instigators as it
    from headwater.storage import schema as tables
    from headwater.storage.instigators import InstigatorState, InstigatorType, Tick, TickStatus
else:
    from headwater.storage.lazy import LazyModule, sa, tables

    it = LazyModule("headwater.storage.instigators")  # loaded when schedules are first used


def _state_body(state: InstigatorState) -> str:
    return orjson.dumps({"location_name": state.location_name, "cursor": state.cursor,
                         "last_tick_timestamp": state.last_tick_timestamp,
                         "extra": state.extra}).decode()


def _to_state(row: Sequence[Any]) -> InstigatorState:
    """A row of ``_STATE_COLUMNS``."""
    _selector, name, instigator_type, status, raw, update_timestamp = row
    body = orjson.loads(raw)
    return it.InstigatorState(name, it.InstigatorType(instigator_type),
                              it.InstigatorStatus(status), body["location_name"],
                              body["cursor"], body["last_tick_timestamp"], body["extra"],
                              update_timestamp)


def _tick_body(tick: Tick) -> str:
    return orjson.dumps({"name": tick.instigator_name, "run_ids": list(tick.run_ids),
                         "run_keys": list(tick.run_keys), "cursor": tick.cursor,
                         "skip_reason": tick.skip_reason, "error": tick.error,
                         "evaluation": tick.evaluation}).decode()


def _to_tick(row: Sequence[Any]) -> Tick:
    """A row of ``_TICK_COLUMNS``."""
    tick_id, selector, tick_key, instigator_type, status, timestamp, end_timestamp, raw = row
    body = orjson.loads(raw)
    return it.Tick(tick_id, selector, body["name"], it.InstigatorType(instigator_type),
                   tick_key, it.TickStatus(status), timestamp, end_timestamp,
                   tuple(body["run_ids"]), tuple(body["run_keys"]), body["cursor"],
                   body["skip_reason"], body["error"], body.get("evaluation"))


_STATE_COLUMNS = "selector_id, name, instigator_type, status, body, update_timestamp"
_TICK_COLUMNS = ("id, selector_id, tick_key, instigator_type, status, timestamp, end_timestamp, "
                 "body")
_UPSERT_STATE = (
    f"INSERT INTO instigators ({_STATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (selector_id) DO UPDATE SET name = excluded.name, "
    "instigator_type = excluded.instigator_type, status = excluded.status, "
    "body = excluded.body, update_timestamp = excluded.update_timestamp")
_INSERT_TICK = ("INSERT INTO instigator_ticks (selector_id, tick_key, instigator_type, status, "
                "timestamp, body) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (selector_id, tick_key) DO NOTHING")
_UPDATE_TICK = ("UPDATE instigator_ticks SET status = ?, end_timestamp = ?, body = ? "
                "WHERE id = ?")
_SELECT_STATE_BODY = "SELECT body FROM instigators WHERE selector_id = ?"
_SET_STATE_BODY = "UPDATE instigators SET body = ?, update_timestamp = ? WHERE selector_id = ?"


class SqlScheduleStorage(contracts.ScheduleStorage):
    """Plain SQL on the DB-API cursor (``Database.sql`` adapts the parameters to PostgreSQL):
    the daemon ticks a thousand sensors in half a minute, and each tick is two short
    transactions here, not a dozen SQLAlchemy statements."""

    _db: Database

    # ------------------------------------------------------------ instigator state

    def get_instigator_state(self, selector_id: str) -> InstigatorState | None:
        db = self._db
        with db.read_cursor() as cursor:
            row = cursor.execute(db.sql(f"SELECT {_STATE_COLUMNS} FROM instigators "
                                        "WHERE selector_id = ?"), (selector_id,)).fetchone()
        return _to_state(row) if row is not None else None

    def all_instigator_state(self, instigator_type: InstigatorType | None = None,
                             updated_after: float | None = None) -> list[InstigatorState]:
        db = self._db
        where: list[str] = []
        params: list[Any] = []
        if instigator_type is not None:
            where.append("instigator_type = ?")
            params.append(it.InstigatorType(instigator_type).value)
        if updated_after is not None:
            where.append("update_timestamp > ?")
            params.append(updated_after)
        query = f"SELECT {_STATE_COLUMNS} FROM instigators"
        if where:
            query += " WHERE " + " AND ".join(where)
        with db.read_cursor() as cursor:
            rows = cursor.execute(db.sql(query + " ORDER BY selector_id"), params).fetchall()
        return [_to_state(r) for r in rows]

    def set_instigator_state(self, state: InstigatorState) -> InstigatorState:
        from dataclasses import replace

        stored = replace(state, update_timestamp=time.time())
        db = self._db
        with db.write_cursor() as cursor:
            cursor.execute(db.sql(_UPSERT_STATE), (
                state.selector_id, state.name, state.instigator_type.value, state.status.value,
                _state_body(stored), stored.update_timestamp))
        return stored

    def delete_instigator_state(self, selector_id: str) -> None:
        ins = tables.instigators
        with self._db.write() as conn:
            conn.execute(sa.delete(ins).where(ins.c.selector_id == selector_id))

    # ------------------------------------------------------------------ ticks

    def create_tick(self, selector_id: str, instigator_name: str,
                    instigator_type: InstigatorType, tick_key: str, timestamp: float) -> Tick:
        from dataclasses import replace

        tick = it.Tick(0, selector_id, instigator_name, it.InstigatorType(instigator_type),
                       tick_key, it.TickStatus.STARTED, timestamp)
        db = self._db
        params = (selector_id, tick_key, tick.instigator_type.value, tick.status.value,
                  timestamp, _tick_body(tick))
        with db.write_cursor() as cursor:
            if db.is_sqlite:
                cursor.execute(_INSERT_TICK, params)
                tick_id = cursor.lastrowid if cursor.rowcount == 1 else None
            else:
                row = cursor.execute(db.sql(_INSERT_TICK + " RETURNING id"), params).fetchone()
                tick_id = None if row is None else row[0]
        if tick_id is None:
            raise TickAlreadyExistsError(
                f"{instigator_type.value.lower()} {selector_id!r} already has a tick "
                f"{tick_key!r}; it was evaluated before (look it up with get_tick).")
        return replace(tick, tick_id=int(tick_id))

    def update_tick(self, tick: Tick, cursor: str | None = None,
                    set_cursor: bool = False) -> Tick:
        from dataclasses import replace

        if tick.status in it.FINISHED_TICK_STATUSES and tick.end_timestamp is None:
            tick = replace(tick, end_timestamp=time.time())
        db = self._db
        with db.write_cursor() as cur:
            cur.execute(db.sql(_UPDATE_TICK), (tick.status.value, tick.end_timestamp,
                                               _tick_body(tick), tick.tick_id))
            if cur.rowcount == 0:
                from headwater.definitions.errors import InvariantViolationError

                raise InvariantViolationError(
                    f"Tick {tick.tick_id} of {tick.selector_id!r} is not stored: create it "
                    "with create_tick() first.")
            if set_cursor:
                row = cur.execute(db.sql(_SELECT_STATE_BODY), (tick.selector_id,)).fetchone()
                if row is not None:
                    body = orjson.loads(row[0])
                    body["cursor"] = cursor
                    body["last_tick_timestamp"] = tick.timestamp
                    cur.execute(db.sql(_SET_STATE_BODY), (orjson.dumps(body).decode(),
                                                          time.time(), tick.selector_id))
        return tick

    def get_tick(self, selector_id: str, tick_key: str) -> Tick | None:
        db = self._db
        with db.read_cursor() as cursor:
            row = cursor.execute(db.sql(f"SELECT {_TICK_COLUMNS} FROM instigator_ticks "
                                        "WHERE selector_id = ? AND tick_key = ?"),
                                 (selector_id, tick_key)).fetchone()
        return _to_tick(row) if row is not None else None

    def get_ticks(self, selector_id: str, limit: int | None = None,
                  statuses: Sequence[TickStatus] | None = None,
                  before: float | None = None, after: float | None = None) -> list[Tick]:
        query = f"SELECT {_TICK_COLUMNS} FROM instigator_ticks WHERE selector_id = ?"
        params: list[Any] = [selector_id]
        if statuses is not None:
            values = [it.TickStatus(s).value for s in statuses]
            if not values:
                return []
            query += f" AND status IN ({', '.join('?' * len(values))})"
            params.extend(values)
        if before is not None:
            query += " AND timestamp < ?"
            params.append(before)
        if after is not None:
            query += " AND timestamp > ?"
            params.append(after)
        query += " ORDER BY timestamp DESC, id DESC"
        if limit is not None:
            query += " LIMIT ?"
            params.append(int(limit))
        db = self._db
        with db.read_cursor() as cursor:
            rows = cursor.execute(db.sql(query), params).fetchall()
        return [_to_tick(r) for r in rows]

    def purge_ticks(self, selector_id: str | None, before: float,
                    statuses: Sequence[TickStatus] | None = None) -> int:
        t = tables.instigator_ticks
        finished = [s.value for s in (statuses or it.FINISHED_TICK_STATUSES)
                    if it.TickStatus(s) in it.FINISHED_TICK_STATUSES]
        stmt = sa.delete(t).where(t.c.timestamp < before, t.c.status.in_(finished))
        if selector_id is not None:
            stmt = stmt.where(t.c.selector_id == selector_id)
        with self._db.write() as conn:
            return int(conn.execute(stmt).rowcount)
