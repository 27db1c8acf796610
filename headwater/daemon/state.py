"""Whether a schedule or sensor is on, from its stored state and its default in code.

A stored RUNNING or STOPPED (``headwater schedule start/stop``, the UI) wins over the code's
``default_status``; no stored state, or DECLARED_IN_CODE, follows the code. The state's
``extra["start_timestamp"]`` is when it was turned on: a schedule never ticks for times before
it (no catch-up of ticks from before it was started).
"""

from __future__ import annotations

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
