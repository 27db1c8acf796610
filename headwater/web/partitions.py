"""Partitions for the web: a definition rebuilt from its snapshot (the web never imports user
code), and a status as *ranges* of consecutive keys, never a list of 100,000 keys."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from headwater.locations.snapshot import PartitionsSnap

MATERIALIZED, FAILED, IN_PROGRESS, MISSING = "MATERIALIZED", "FAILED", "IN_PROGRESS", "MISSING"


def partitions_def_from_snap(snap: PartitionsSnap | None) -> Any:
    """The partitions definition a snapshot describes (None if it cannot be rebuilt)."""
    try:
        return _rebuild(snap)
    except Exception:  # noqa: BLE001 - a description we cannot rebuild: nothing is checked
        return None


def _rebuild(snap: PartitionsSnap | None) -> Any:
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
        dims = {name: _rebuild(d) for name, d in snap.dimensions}
        if all(d is not None for d in dims.values()):
            return p.MultiPartitionsDefinition(dims)
    return None


def partition_key_problem(snap: PartitionsSnap, key: str, instance: Any) -> str | None:
    """Why ``key`` is not a partition of the definition ``snap`` describes; None when it is (or
    when the definition cannot be rebuilt here: the run then checks it). Dynamic keys are read
    from ``instance``."""
    from headwater.definitions.errors import HeadwaterError

    pdef = partitions_def_from_snap(snap)
    if pdef is None:
        return None
    try:
        pdef.validate_partition_key(key, dynamic_partitions_store=instance)
    except HeadwaterError as e:
        return str(e)
    return None


# One character per partition in a status string (``PartitionStatus.statuses``).
CODES = {MATERIALIZED: "M", FAILED: "F", IN_PROGRESS: "R", MISSING: "-"}
_BY_CODE = {code: status for status, code in CODES.items()}
_RUN = re.compile(r"(.)\1*")


def status_string(keys: list[str], materialized: frozenset[str], failed: frozenset[str],
                  in_progress: frozenset[str]) -> str:
    """Each key's status as one character, in definition order (``CODES``): what a status bar
    draws, ~1 byte per partition, whatever the pattern."""
    m, f, r = CODES[MATERIALIZED], CODES[FAILED], CODES[IN_PROGRESS]
    miss = CODES[MISSING]
    return "".join(f if k in failed else r if k in in_progress else m if k in materialized
                   else miss for k in keys)


def status_ranges(keys: list[str], statuses: str,
                  limit: int | None = None) -> tuple[list[dict[str, Any]], bool]:
    """Runs of consecutive keys (in definition order) that share a status: the first ``limit``
    of them, and whether there were more (an alternating pattern has a run per key)."""
    out: list[dict[str, Any]] = []
    for run in _RUN.finditer(statuses):
        if limit is not None and len(out) == limit:
            return out, True
        out.append({"start_index": run.start(), "end_index": run.end() - 1,
                    "start": keys[run.start()], "end": keys[run.end() - 1],
                    "status": _BY_CODE[run.group(1)]})
    return out, False


def status_counts(statuses: str) -> dict[str, int]:
    return {status: n for status, code in CODES.items() if (n := statuses.count(code))}
