"""Whether a partition key belongs to a partitions definition known only from a snapshot: the
definition is rebuilt from its description (library code, never the user's), dynamic keys are
read from the instance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from headwater.locations.snapshot import PartitionsSnap


def partitions_def(snap: PartitionsSnap | None) -> Any:
    """The definition a snapshot describes, or None when it cannot be rebuilt."""
    import headwater.definitions.partitions as p

    if snap is None:
        return None
    try:
        if snap.kind == "static" and snap.keys is not None:
            return p.StaticPartitionsDefinition(list(snap.keys))
        if snap.kind == "dynamic" and snap.name:
            return p.DynamicPartitionsDefinition(name=snap.name)
        if snap.kind == "time_window" and snap.start and snap.fmt and snap.cron_schedule:
            return p.TimeWindowPartitionsDefinition(
                start=datetime.fromisoformat(snap.start), fmt=snap.fmt, timezone=snap.timezone,
                cron_schedule=snap.cron_schedule)
        if snap.kind == "multi" and len(snap.dimensions) == 2:
            dims = {name: partitions_def(d) for name, d in snap.dimensions}
            if all(d is not None for d in dims.values()):
                return p.MultiPartitionsDefinition(dims)
    except Exception:  # noqa: BLE001 - a description we cannot rebuild: the key is not checked
        return None
    return None


def partition_key_problem(snap: PartitionsSnap, key: str, instance: Any) -> str | None:
    """Why ``key`` is not a partition of the definition ``snap`` describes; None when it is (or
    when the definition cannot be rebuilt here: the run then checks it)."""
    from headwater.definitions.errors import HeadwaterError

    pdef = partitions_def(snap)
    if pdef is None:
        return None
    try:
        pdef.validate_partition_key(key, dynamic_partitions_store=instance)
    except HeadwaterError as e:
        return str(e)
    return None
