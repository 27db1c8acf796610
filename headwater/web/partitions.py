"""Partitions for the web: a definition rebuilt from its snapshot (the web never imports user
code), and a status as *ranges* of consecutive keys, never a list of 100,000 keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from headwater.locations.snapshot import PartitionsSnap

MATERIALIZED, FAILED, IN_PROGRESS, MISSING = "MATERIALIZED", "FAILED", "IN_PROGRESS", "MISSING"


def partitions_def_from_snap(snap: PartitionsSnap | None) -> Any:
    """The partitions definition a snapshot describes (None if it cannot be rebuilt)."""
    import headwater.definitions.partitions as p

    if snap is None:
        return None
    if snap.kind == "static" and snap.keys is not None:
        return p.StaticPartitionsDefinition(list(snap.keys))
    if snap.kind == "dynamic" and snap.name:
        return p.DynamicPartitionsDefinition(name=snap.name)
    if snap.kind == "time_window" and snap.start and snap.fmt and snap.cron_schedule:
        return p.TimeWindowPartitionsDefinition(
            start=datetime.fromisoformat(snap.start), fmt=snap.fmt,
            end=None if snap.end is None else datetime.fromisoformat(snap.end),
            timezone=snap.timezone, cron_schedule=snap.cron_schedule,
            end_offset=snap.end_offset)
    if snap.kind == "multi" and len(snap.dimensions) == 2:
        dims = {name: partitions_def_from_snap(d) for name, d in snap.dimensions}
        if all(d is not None for d in dims.values()):
            return p.MultiPartitionsDefinition(dims)
    return None


@dataclass(frozen=True)
class StatusRange:
    start_index: int
    end_index: int  # inclusive
    start: str
    end: str
    status: str


def status_ranges(keys: list[str], materialized: frozenset[str], failed: frozenset[str],
                  in_progress: frozenset[str]) -> list[StatusRange]:
    """Runs of consecutive keys (in definition order) that share a status."""
    out: list[StatusRange] = []
    begin, current = 0, None
    for i, key in enumerate(keys):
        status = (FAILED if key in failed else IN_PROGRESS if key in in_progress
                  else MATERIALIZED if key in materialized else MISSING)
        if status != current:
            if current is not None:
                out.append(StatusRange(begin, i - 1, keys[begin], keys[i - 1], current))
            begin, current = i, status
    if current is not None:
        out.append(StatusRange(begin, len(keys) - 1, keys[begin], keys[-1], current))
    return out
