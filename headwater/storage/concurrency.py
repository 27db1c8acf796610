"""Concurrency pools (pure data): slots per key, claimed by steps across runs.

A pool (Dagster: concurrency key) has a number of slots; a step tagged with the pool claims
one before it runs and frees it when it ends. A claim that finds no free slot waits in line
(``PENDING``), ordered by priority, then by arrival.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ConcurrencySlotStatus(str, enum.Enum):
    CLAIMED = "CLAIMED"
    PENDING = "PENDING"


@dataclass(frozen=True)
class ConcurrencyClaimStatus:
    """The outcome of a claim: the slot is held, or the step waits."""

    concurrency_key: str
    status: ConcurrencySlotStatus
    priority: int = 0

    @property
    def is_claimed(self) -> bool:
        return self.status == ConcurrencySlotStatus.CLAIMED


@dataclass(frozen=True)
class ClaimedSlot:
    run_id: str
    step_key: str


@dataclass(frozen=True)
class PendingStep:
    run_id: str
    step_key: str
    priority: int
    enqueued_timestamp: float


@dataclass(frozen=True)
class ConcurrencyKeyInfo:
    """A pool's limit, who holds its slots and who waits (Dagster: ConcurrencyKeyInfo)."""

    concurrency_key: str
    slot_count: int
    claimed_slots: tuple[ClaimedSlot, ...]
    pending_steps: tuple[PendingStep, ...]
    # no limit of its own: ``slot_count`` is the instance's default (concurrency.pools.default_limit)
    using_default_limit: bool = False

    @property
    def active_slot_count(self) -> int:
        return len(self.claimed_slots)

    @property
    def pending_step_count(self) -> int:
        return len(self.pending_steps)

    @property
    def active_run_ids(self) -> set[str]:
        return {s.run_id for s in self.claimed_slots}
