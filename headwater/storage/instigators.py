"""Schedule and sensor state (pure data): instigator state with its cursor, and ticks.

A tick is keyed by (instigator, tick key): for a schedule the key is its scheduled time, for a
sensor the evaluation's own id. Creating a tick whose key exists raises
``TickAlreadyExistsError``, so a daemon that crashed and restarts never doubles a tick.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any


class InstigatorType(str, enum.Enum):
    SCHEDULE = "SCHEDULE"
    SENSOR = "SENSOR"
    AUTO_MATERIALIZE = "AUTO_MATERIALIZE"


class InstigatorStatus(str, enum.Enum):
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"
    DECLARED_IN_CODE = "DECLARED_IN_CODE"


class TickStatus(str, enum.Enum):
    STARTED = "STARTED"
    SKIPPED = "SKIPPED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"


FINISHED_TICK_STATUSES = frozenset({TickStatus.SKIPPED, TickStatus.SUCCESS, TickStatus.FAILURE})


def selector_id(location_name: str, name: str) -> str:
    """An instigator's id across code locations: ``<location>:<name>``."""
    return f"{location_name}:{name}"


@dataclass(frozen=True)
class InstigatorState:
    """A schedule's or sensor's stored state: on or off, and its cursor."""

    name: str
    instigator_type: InstigatorType
    status: InstigatorStatus
    location_name: str = ""
    cursor: str | None = None
    last_tick_timestamp: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # JSON-like, instigator-specific
    update_timestamp: float | None = None

    @property
    def selector_id(self) -> str:
        return selector_id(self.location_name, self.name)

    @property
    def is_running(self) -> bool:
        return self.status == InstigatorStatus.RUNNING

    def with_status(self, status: InstigatorStatus) -> InstigatorState:
        return replace(self, status=status)

    def with_cursor(self, cursor: str | None) -> InstigatorState:
        return replace(self, cursor=cursor)


@dataclass(frozen=True)
class Tick:
    """One evaluation of a schedule or sensor, and what it launched."""

    tick_id: int
    selector_id: str
    instigator_name: str
    instigator_type: InstigatorType
    tick_key: str
    status: TickStatus
    timestamp: float
    end_timestamp: float | None = None
    run_ids: tuple[str, ...] = ()
    run_keys: tuple[str, ...] = ()
    cursor: str | None = None
    skip_reason: str | None = None
    error: str | None = None
    # What the evaluation asked for, kept while the tick is STARTED so that a daemon restarted
    # mid-tick creates the missing runs instead of evaluating again (JSON-like; the daemon's).
    evaluation: dict[str, Any] | None = None

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_TICK_STATUSES
