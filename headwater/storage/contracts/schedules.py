"""The schedule/sensor state contract: instigator state (on/off, cursor) and ticks."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the daemon's types load when it first uses them, not with every instance
    from headwater.storage.instigators import InstigatorState, InstigatorType, Tick, TickStatus


class ScheduleStorage(ABC):
    # ------------------------------------------------------------ instigator state

    @abstractmethod
    def get_instigator_state(self, selector_id: str) -> InstigatorState | None: ...

    @abstractmethod
    def all_instigator_state(self, instigator_type: InstigatorType | None = None,
                             updated_after: float | None = None) -> list[InstigatorState]:
        """Every stored state (of one type); with ``updated_after``, only those stored after
        that time (the daemon keeps a thousand states current by reading what changed)."""

    @abstractmethod
    def set_instigator_state(self, state: InstigatorState) -> InstigatorState:
        """Store (insert or replace) a state; returns it with its update time."""

    @abstractmethod
    def delete_instigator_state(self, selector_id: str) -> None: ...

    # ------------------------------------------------------------------ ticks

    @abstractmethod
    def create_tick(self, selector_id: str, instigator_name: str,
                    instigator_type: InstigatorType, tick_key: str,
                    timestamp: float) -> Tick:
        """Record a tick as STARTED before acting on it. ``TickAlreadyExistsError`` if this
        instigator has a tick with this key (nothing stored): a restarted daemon never doubles
        a tick."""

    @abstractmethod
    def update_tick(self, tick: Tick, cursor: str | None = None,
                    set_cursor: bool = False) -> Tick:
        """Store a tick's new status, runs, skip reason or error; with ``set_cursor``, the
        instigator's cursor too, in the same transaction."""

    @abstractmethod
    def get_tick(self, selector_id: str, tick_key: str) -> Tick | None: ...

    @abstractmethod
    def get_ticks(self, selector_id: str, limit: int | None = None,
                  statuses: Sequence[TickStatus] | None = None,
                  before: float | None = None, after: float | None = None) -> list[Tick]:
        """An instigator's ticks, newest first; timestamps bound them exclusively."""

    @abstractmethod
    def purge_ticks(self, selector_id: str | None, before: float,
                    statuses: Sequence[TickStatus] | None = None) -> int:
        """Delete finished ticks older than ``before``; returns how many."""
