"""Whether a schedule or sensor is on, from its stored state and its default in code.

A stored RUNNING or STOPPED (``headwater schedule start/stop``, the UI) wins over the code's
``default_status``; no stored state, or DECLARED_IN_CODE, follows the code. The state's
``extra["start_timestamp"]`` is when it was turned on: a schedule never ticks for times before
it (no catch-up of ticks from before it was started).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from headwater.storage.instigators import (
    InstigatorState,
    InstigatorStatus,
    InstigatorType,
    selector_id,
)

START_TIMESTAMP = "start_timestamp"


def is_running(state: InstigatorState | None, default_status: str) -> bool:
    if state is None or state.status == InstigatorStatus.DECLARED_IN_CODE:
        return str(default_status).upper() == "RUNNING"
    return state.status == InstigatorStatus.RUNNING


def ensure_state(instance: Any, state: InstigatorState | None, location_name: str, name: str,
                 instigator_type: InstigatorType, now: float) -> InstigatorState:
    """The stored state of an instigator that is on, stored first if it has none (so that its
    cursor and start time have a row to live in)."""
    if state is not None and START_TIMESTAMP in state.extra:
        return state
    if state is None:
        state = InstigatorState(name, instigator_type, InstigatorStatus.DECLARED_IN_CODE,
                                location_name)
    return instance.set_instigator_state(
        replace(state, extra={**state.extra, START_TIMESTAMP: now}))


def set_running(instance: Any, location_name: str, name: str, instigator_type: InstigatorType,
                running: bool, now: float) -> InstigatorState:
    """Turn an instigator on (from ``now``: no catch-up for the time it was off) or off,
    keeping its cursor."""
    state = instance.get_instigator_state(selector_id(location_name, name))
    if state is None:
        state = InstigatorState(name, instigator_type, InstigatorStatus.STOPPED, location_name)
    extra = dict(state.extra)
    if running:
        extra[START_TIMESTAMP] = now
    status = InstigatorStatus.RUNNING if running else InstigatorStatus.STOPPED
    return instance.set_instigator_state(replace(state, status=status, extra=extra))


class StateCache:
    """The stored states of one type of instigator, kept current cheaply: each read asks only
    for the rows stored since the last one (less a margin for writers' clocks), and every
    ``full_refresh_seconds`` all of them (which also forgets deleted rows). A pass of the
    sensor daemon then costs a few rows, not a thousand decoded states."""

    MARGIN_S = 1.0

    def __init__(self, instance: Any, instigator_type: InstigatorType,
                 full_refresh_seconds: float = 30.0):
        self.instance = instance
        self.instigator_type = instigator_type
        self.full_refresh_seconds = full_refresh_seconds
        self._states: dict[str, InstigatorState] | None = None
        self._read_at = 0.0  # monotonic time of the last full read
        self._newest = 0.0  # the latest update_timestamp seen

    def current(self) -> dict[str, InstigatorState]:
        """selector id -> stored state (the dict is this cache's own: do not change it)."""
        now = time.monotonic()
        if self._states is None or now - self._read_at >= self.full_refresh_seconds:
            rows = self.instance.all_instigator_state(self.instigator_type)
            self._states = {s.selector_id: s for s in rows}
            self._read_at = now
        else:
            rows = self.instance.all_instigator_state(
                self.instigator_type, updated_after=self._newest - self.MARGIN_S)
            self._states.update((s.selector_id, s) for s in rows)
        for state in rows:
            if state.update_timestamp is not None and state.update_timestamp > self._newest:
                self._newest = state.update_timestamp
        return self._states
