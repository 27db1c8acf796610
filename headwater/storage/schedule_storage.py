"""The schedule/sensor state contract in SQL: instigator state and ticks (SQLAlchemy Core)."""

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


def _to_state(row: Any) -> InstigatorState:
    body = orjson.loads(row.body)
    return it.InstigatorState(row.name, it.InstigatorType(row.instigator_type),
                              it.InstigatorStatus(row.status), body["location_name"],
                              body["cursor"], body["last_tick_timestamp"], body["extra"],
                              row.update_timestamp)


def _tick_body(tick: Tick) -> str:
    return orjson.dumps({"name": tick.instigator_name, "run_ids": list(tick.run_ids),
                         "run_keys": list(tick.run_keys), "cursor": tick.cursor,
                         "skip_reason": tick.skip_reason, "error": tick.error,
                         "evaluation": tick.evaluation}).decode()


def _to_tick(row: Any) -> Tick:
    body = orjson.loads(row.body)
    return it.Tick(row.id, row.selector_id, body["name"],
                   it.InstigatorType(row.instigator_type), row.tick_key,
                   it.TickStatus(row.status), row.timestamp, row.end_timestamp,
                   tuple(body["run_ids"]), tuple(body["run_keys"]), body["cursor"],
                   body["skip_reason"], body["error"], body.get("evaluation"))


class SqlScheduleStorage(contracts.ScheduleStorage):
    _db: Database

    # ------------------------------------------------------------ instigator state

    def get_instigator_state(self, selector_id: str) -> InstigatorState | None:
        ins = tables.instigators
        with self._db.read() as conn:
            row = conn.execute(sa.select(ins).where(ins.c.selector_id == selector_id)).first()
        return _to_state(row) if row is not None else None

    def all_instigator_state(self, instigator_type: InstigatorType | None = None,
                             ) -> list[InstigatorState]:
        ins = tables.instigators
        stmt = sa.select(ins).order_by(ins.c.selector_id)
        if instigator_type is not None:
            stmt = stmt.where(ins.c.instigator_type == it.InstigatorType(instigator_type).value)
        with self._db.read() as conn:
            return [_to_state(r) for r in conn.execute(stmt)]

    def set_instigator_state(self, state: InstigatorState) -> InstigatorState:
        from dataclasses import replace

        stored = replace(state, update_timestamp=time.time())
        values = {"name": state.name, "instigator_type": state.instigator_type.value,
                  "status": state.status.value, "body": _state_body(stored),
                  "update_timestamp": stored.update_timestamp}
        stmt = self._db.insert(tables.instigators).values(selector_id=state.selector_id, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[tables.instigators.c.selector_id],
                                          set_=values)
        with self._db.write() as conn:
            conn.execute(stmt)
        return stored

    def delete_instigator_state(self, selector_id: str) -> None:
        ins = tables.instigators
        with self._db.write() as conn:
            conn.execute(sa.delete(ins).where(ins.c.selector_id == selector_id))

    # ------------------------------------------------------------------ ticks

    def create_tick(self, selector_id: str, instigator_name: str,
                    instigator_type: InstigatorType, tick_key: str, timestamp: float) -> Tick:
        tick = it.Tick(0, selector_id, instigator_name, it.InstigatorType(instigator_type),
                       tick_key, it.TickStatus.STARTED, timestamp)
        t = tables.instigator_ticks
        stmt = self._db.insert(t).values(
            selector_id=selector_id, tick_key=tick_key, instigator_type=tick.instigator_type.value,
            status=tick.status.value, timestamp=timestamp, body=_tick_body(tick),
        ).on_conflict_do_nothing(index_elements=[t.c.selector_id, t.c.tick_key]).returning(t.c.id)
        with self._db.write() as conn:
            tick_id = conn.execute(stmt).scalar()
        if tick_id is None:
            raise TickAlreadyExistsError(
                f"{instigator_type.value.lower()} {selector_id!r} already has a tick "
                f"{tick_key!r}; it was evaluated before (look it up with get_tick).")
        from dataclasses import replace

        return replace(tick, tick_id=int(tick_id))

    def update_tick(self, tick: Tick, cursor: str | None = None,
                    set_cursor: bool = False) -> Tick:
        from dataclasses import replace

        if tick.status in it.FINISHED_TICK_STATUSES and tick.end_timestamp is None:
            tick = replace(tick, end_timestamp=time.time())
        t, ins = tables.instigator_ticks, tables.instigators
        with self._db.write() as conn:
            done = conn.execute(sa.update(t).where(t.c.id == tick.tick_id).values(
                status=tick.status.value, end_timestamp=tick.end_timestamp,
                body=_tick_body(tick)))
            if done.rowcount == 0:
                from headwater.definitions.errors import InvariantViolationError

                raise InvariantViolationError(
                    f"Tick {tick.tick_id} of {tick.selector_id!r} is not stored: create it "
                    "with create_tick() first.")
            if set_cursor:
                row = conn.execute(sa.select(ins).where(
                    ins.c.selector_id == tick.selector_id)).first()
                if row is not None:
                    state = replace(_to_state(row), cursor=cursor,
                                    last_tick_timestamp=tick.timestamp)
                    conn.execute(sa.update(ins).where(ins.c.selector_id == tick.selector_id)
                                 .values(body=_state_body(state), update_timestamp=time.time()))
        return tick

    def get_tick(self, selector_id: str, tick_key: str) -> Tick | None:
        t = tables.instigator_ticks
        with self._db.read() as conn:
            row = conn.execute(sa.select(t).where(t.c.selector_id == selector_id,
                                                  t.c.tick_key == tick_key)).first()
        return _to_tick(row) if row is not None else None

    def get_ticks(self, selector_id: str, limit: int | None = None,
                  statuses: Sequence[TickStatus] | None = None,
                  before: float | None = None, after: float | None = None) -> list[Tick]:
        t = tables.instigator_ticks
        stmt = sa.select(t).where(t.c.selector_id == selector_id)
        if statuses is not None:
            stmt = stmt.where(t.c.status.in_([it.TickStatus(s).value for s in statuses]))
        if before is not None:
            stmt = stmt.where(t.c.timestamp < before)
        if after is not None:
            stmt = stmt.where(t.c.timestamp > after)
        stmt = stmt.order_by(t.c.timestamp.desc(), t.c.id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._db.read() as conn:
            return [_to_tick(r) for r in conn.execute(stmt)]

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
