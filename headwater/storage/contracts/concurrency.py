"""The concurrency pool contract: slots per key, claimed by steps across runs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded when pools are first used, not with every instance
    from headwater.storage.concurrency import ConcurrencyClaimStatus, ConcurrencyKeyInfo


class ConcurrencyStorage(ABC):
    @abstractmethod
    def set_concurrency_slots(self, concurrency_key: str, num: int) -> None:
        """Set a pool's number of slots (0 blocks it; steps already holding slots keep them)."""

    @abstractmethod
    def delete_concurrency_limit(self, concurrency_key: str) -> None: ...

    @abstractmethod
    def get_concurrency_keys(self) -> set[str]: ...

    @abstractmethod
    def get_concurrency_info(self, concurrency_key: str) -> ConcurrencyKeyInfo: ...

    @abstractmethod
    def claim_concurrency_slot(self, concurrency_key: str, run_id: str, step_key: str,
                               priority: int = 0) -> ConcurrencyClaimStatus:
        """Take a slot if one is free and no step of higher priority (or equal priority, earlier)
        waits; else wait in line (PENDING). Claiming again re-checks the same place in line."""

    @abstractmethod
    def free_concurrency_slot_for_step(self, run_id: str, step_key: str) -> None: ...

    @abstractmethod
    def free_concurrency_slots_for_run(self, run_id: str) -> None:
        """Release every slot and place in line a run holds (it ended, or its process died)."""
