"""Which assets of a backfill run in which stage, and each stage's partition keys.

A backfill's partitioned assets are grouped by partitions definition, in dependency order:
stage 0 holds the most upstream definition's assets, and the keys a backfill is given are keys
of that definition. A later stage (say daily assets downstream of hourly ones) gets the keys its
assets' partition mappings give from the earlier stages' keys — the days of a range of hours —
and runs once every earlier stage succeeded. Definitions that no dependency links are not
compatible: nothing says which of their partitions the given keys mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvalidDefinitionError


@dataclass(frozen=True)
class Stage:
    index: int
    partitions_def: Any
    assets: list[AssetKey]


def _names(keys: Sequence[AssetKey]) -> str:
    shown = ", ".join(k.to_user_string() for k in keys[:4])
    return shown + (" ..." if len(keys) > 4 else "")


def plan_stages(graph: Any, keys: Sequence[AssetKey]) -> list[Stage]:
    """The stages of the partitioned assets among ``keys`` (in dependency order); raises
    InvalidDefinitionError for partitionings no dependency links, or interleaved ones."""
    members: dict[Any, list[AssetKey]] = {}
    for key in keys:
        pdef = graph.partitions_def_for(key)
        if pdef is not None:
            members.setdefault(pdef, []).append(key)
    order = list(members)
    stage_of = {k: i for i, pdef in enumerate(order) for k in members[pdef]}
    fed: set[int] = set()
    for key, stage in stage_of.items():
        for parent in graph.parents[graph.ids[key]]:
            up = stage_of.get(graph.keys[parent])
            if up is None or up == stage:
                continue
            if up > stage:
                raise InvalidDefinitionError(
                    f"The backfill's assets with {order[stage]!r} ({_names(members[order[stage]])})"
                    f" are both upstream and downstream of those with {order[up]!r} "
                    f"({_names(members[order[up]])}); backfill them in separate steps.")
            fed.add(stage)
    for stage in range(1, len(order)):
        if stage not in fed:
            raise InvalidDefinitionError(
                "The selection mixes incompatible partitionings: "
                f"{_names(members[order[0]])} use {order[0]!r} and "
                f"{_names(members[order[stage]])} use {order[stage]!r}, and no dependency links "
                "them, so the backfill's partition keys cannot be mapped to the second. Backfill "
                "them separately.")
    return [Stage(i, pdef, members[pdef]) for i, pdef in enumerate(order)]


def stage_keys(graph: Any, stages: Sequence[Stage], root_keys: Sequence[str],
               store: Any) -> list[list[str]]:
    """Each stage's partition keys: the given keys for the first, then what the partition
    mappings of the later stages' dependencies give (in definition order)."""
    stage_of = {k: s.index for s in stages for k in s.assets}
    out: list[list[str]] = [list(root_keys)]
    for stage in stages[1:]:
        wanted: set[str] = set()
        for key in stage.assets:
            for parent in graph.parents[graph.ids[key]]:
                up_key = graph.keys[parent]
                up = stage_of.get(up_key)
                if up is None or up >= stage.index:
                    continue
                mapping = graph.partition_mapping_for(key, up_key)
                wanted.update(mapping.downstream_keys(out[up], stages[up].partitions_def,
                                                      stage.partitions_def, store))
        keys = stage.partitions_def.get_partition_keys(dynamic_partitions_store=store)
        out.append([k for k in keys if k in wanted])
    return out
