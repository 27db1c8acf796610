"""The concurrency pool contract in SQL (SQLAlchemy Core).

A claim runs in one write transaction that first locks the pool's limit row (PostgreSQL:
``SELECT ... FOR UPDATE``; SQLite: the transaction holds the database's write lock already),
so two processes never take the same last slot.

A pool with no limit of its own takes the instance's default (``concurrency: pools:
default_limit`` in dagster.yaml), read when it is used: no row is written for it, so a changed
default applies at once and ``set``/``delete`` of the pool's own limit win over it / give it
back. With no row to lock, a claim on such a pool takes a transaction-scoped advisory lock on
the pool's name (PostgreSQL).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from headwater.definitions.errors import InvalidInvocationError
from headwater.storage import contracts
from headwater.storage.database import Database

if TYPE_CHECKING:
    import sqlalchemy as sa

    from headwater.storage import concurrency as cy
    from headwater.storage import schema as tables
    from headwater.storage.concurrency import ConcurrencyClaimStatus, ConcurrencyKeyInfo
else:
    from headwater.storage.lazy import LazyModule, sa, tables

    cy = LazyModule("headwater.storage.concurrency")  # loaded when pools are first used

CLAIMED, PENDING = "CLAIMED", "PENDING"  # ConcurrencySlotStatus values, as stored
_PG_POOL_LOCK_CLASS = 0x4857  # "HW": the first key of a pool's advisory lock (two-int form)


def _check_key(concurrency_key: str) -> str:
    if not isinstance(concurrency_key, str) or not concurrency_key:
        raise InvalidInvocationError(
            f"Invalid concurrency key {concurrency_key!r}: a pool is named by a non-empty string.")
    return concurrency_key


class SqlConcurrencyStorage(contracts.ConcurrencyStorage):
    _db: Database

    def default_pool_limit(self) -> int | None:
        """The slots of a pool with no limit of its own; None: such a pool is not limited.
        The instance answers from its configuration."""
        return None

    def get_concurrency_keys(self) -> set[str]:
        """The pools with a limit of their own, and, when a default limit is configured, the
        pools with steps holding or waiting for a slot."""
        cl, cc = tables.concurrency_limits, tables.concurrency_claims
        with self._db.read() as conn:
            keys = set(conn.execute(sa.select(cl.c.concurrency_key)).scalars())
            if self.default_pool_limit() is not None:
                keys |= set(conn.execute(sa.select(cc.c.concurrency_key).distinct()).scalars())
        return keys

    def set_concurrency_slots(self, concurrency_key: str, num: int) -> None:
        if not isinstance(num, int) or isinstance(num, bool) or num < 0:
            raise InvalidInvocationError(
                f"Cannot give concurrency pool {concurrency_key!r} {num!r} slots: the number of "
                "slots is a whole number, 0 or more.")
        cl = tables.concurrency_limits
        values = {"slot_count": num, "update_timestamp": time.time()}
        stmt = self._db.insert(cl).values(concurrency_key=_check_key(concurrency_key), **values)
        stmt = stmt.on_conflict_do_update(index_elements=[cl.c.concurrency_key], set_=values)
        with self._db.write() as conn:
            conn.execute(stmt)

    def delete_concurrency_limit(self, concurrency_key: str) -> None:
        cl = tables.concurrency_limits
        with self._db.write() as conn:
            conn.execute(sa.delete(cl).where(cl.c.concurrency_key == concurrency_key))

    def get_concurrency_info(self, concurrency_key: str) -> ConcurrencyKeyInfo:
        cl, cc = tables.concurrency_limits, tables.concurrency_claims
        with self._db.read() as conn:
            count = conn.execute(sa.select(cl.c.slot_count).where(
                cl.c.concurrency_key == concurrency_key)).scalar()
            rows = conn.execute(sa.select(cc).where(cc.c.concurrency_key == concurrency_key)
                                .order_by(cc.c.priority.desc(), cc.c.id)).all()
        default = self.default_pool_limit() if count is None else None
        return cy.ConcurrencyKeyInfo(
            concurrency_key, int(count if count is not None else default or 0),
            tuple(cy.ClaimedSlot(r.run_id, r.step_key) for r in rows if r.status == CLAIMED),
            tuple(cy.PendingStep(r.run_id, r.step_key, r.priority, r.timestamp)
                  for r in rows if r.status == PENDING),
            using_default_limit=default is not None)

    def claim_concurrency_slot(self, concurrency_key: str, run_id: str, step_key: str,
                               priority: int = 0) -> ConcurrencyClaimStatus:
        """A pool without a limit (its own or the default) has no slots to wait for: the claim
        succeeds unrecorded."""
        cl, cc = tables.concurrency_limits, tables.concurrency_claims
        key = _check_key(concurrency_key)
        with self._db.write() as conn:
            limit = conn.execute(sa.select(cl.c.slot_count).where(cl.c.concurrency_key == key)
                                 .with_for_update()).scalar()
            if limit is None:
                limit = self.default_pool_limit()
                if limit is None:
                    return cy.ConcurrencyClaimStatus(key, cy.ConcurrencySlotStatus.CLAIMED,
                                                     priority)
                if self._db.dialect_name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:c, hashtext(:k))"),
                                 {"c": _PG_POOL_LOCK_CLASS, "k": key})
            mine = conn.execute(sa.select(cc.c.id, cc.c.status, cc.c.priority).where(
                cc.c.concurrency_key == key, cc.c.run_id == run_id,
                cc.c.step_key == step_key)).first()
            if mine is not None and mine.status == CLAIMED:
                return cy.ConcurrencyClaimStatus(key, cy.ConcurrencySlotStatus.CLAIMED,
                                                 mine.priority)
            claimed = conn.execute(sa.select(sa.func.count()).where(
                cc.c.concurrency_key == key, cc.c.status == CLAIMED)).scalar_one()
            if mine is not None:  # its place in line was fixed when it first asked
                priority = mine.priority
            ahead = sa.or_(cc.c.priority > priority,
                           sa.and_(cc.c.priority == priority, cc.c.id < mine.id)
                           if mine is not None else cc.c.priority == priority)
            waiting_ahead = conn.execute(sa.select(sa.func.count()).where(
                cc.c.concurrency_key == key, cc.c.status == PENDING, ahead)).scalar_one()
            status = CLAIMED if claimed + waiting_ahead < limit else PENDING
            now = time.time()
            if mine is None:
                conn.execute(cc.insert().values(concurrency_key=key, run_id=run_id,
                                                step_key=step_key, status=status,
                                                priority=priority, timestamp=now))
            elif status == CLAIMED:
                conn.execute(sa.update(cc).where(cc.c.id == mine.id).values(
                    status=CLAIMED, timestamp=now))
        return cy.ConcurrencyClaimStatus(key, cy.ConcurrencySlotStatus(status), priority)

    def free_concurrency_slot_for_step(self, run_id: str, step_key: str) -> None:
        cc = tables.concurrency_claims
        with self._db.write() as conn:
            conn.execute(sa.delete(cc).where(cc.c.run_id == run_id, cc.c.step_key == step_key))

    def free_concurrency_slots_for_run(self, run_id: str) -> None:
        cc = tables.concurrency_claims
        with self._db.write() as conn:
            conn.execute(sa.delete(cc).where(cc.c.run_id == run_id))
