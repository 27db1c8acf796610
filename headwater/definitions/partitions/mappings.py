"""Partition mappings: the public classes, Dagster's default mapping between two partitioned
assets (``infer_partition_mapping``) and the definition-time check of an asset dependency
(``check_partition_mapping``).

The classes live in ``mapping_base`` (identity, all, last, static, specific),
``time_mapping`` (time windows) and ``multi_mapping`` (multi-dimensional); see
``mapping_base`` for the contract (``upstream_keys``/``downstream_keys``) every mapping keeps.
"""

from __future__ import annotations

from typing import Any

from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.partitions.base import PartitionsDefinition
from headwater.definitions.partitions.mapping_base import (
    AllPartitionMapping,
    IdentityPartitionMapping,
    LastPartitionMapping,
    PartitionMapping,
    SpecificPartitionsPartitionMapping,
    StaticPartitionMapping,
)
from headwater.definitions.partitions.multi import MultiPartitionsDefinition
from headwater.definitions.partitions.multi_mapping import (
    DimensionPartitionMapping,
    MultiPartitionMapping,
    MultiToSingleDimensionPartitionMapping,
)
from headwater.definitions.partitions.time_mapping import TimeWindowPartitionMapping
from headwater.definitions.partitions.time_window import TimeWindowPartitionsDefinition

__all__ = [
    "AllPartitionMapping", "DimensionPartitionMapping", "IdentityPartitionMapping",
    "LastPartitionMapping", "MultiPartitionMapping", "MultiToSingleDimensionPartitionMapping",
    "PartitionMapping", "SpecificPartitionsPartitionMapping", "StaticPartitionMapping",
    "TimeWindowPartitionMapping", "check_partition_mapping", "infer_partition_mapping",
]

_ALL = AllPartitionMapping()
_IDENTITY = IdentityPartitionMapping()
_TIME = TimeWindowPartitionMapping()
_MULTI_TO_SINGLE = MultiToSingleDimensionPartitionMapping()


def infer_partition_mapping(explicit: PartitionMapping | None,
                            upstream_def: PartitionsDefinition | None,
                            downstream_def: PartitionsDefinition | None) -> PartitionMapping:
    """The mapping a dependency uses: ``explicit`` when given, else Dagster's default: all
    partitions when either side is unpartitioned, time windows between two time-window
    definitions, one dimension between a multi-partitioned and a single-dimension asset when
    one of its dimensions fits, identity otherwise (which ``check_partition_mapping`` refuses
    when the keys differ)."""
    if explicit is not None:
        return explicit
    if upstream_def is None or downstream_def is None:
        return _ALL
    if isinstance(upstream_def, TimeWindowPartitionsDefinition) and isinstance(
            downstream_def, TimeWindowPartitionsDefinition):
        return _TIME
    if isinstance(upstream_def, MultiPartitionsDefinition) != isinstance(
            downstream_def, MultiPartitionsDefinition):
        if _MULTI_TO_SINGLE.fit(upstream_def, downstream_def) is None:
            return _MULTI_TO_SINGLE
    return _IDENTITY


def _example(upstream_def: Any, downstream_def: Any) -> str:
    if isinstance(upstream_def, MultiPartitionsDefinition) or isinstance(
            downstream_def, MultiPartitionsDefinition):
        names = (upstream_def if isinstance(upstream_def, MultiPartitionsDefinition)
                 else downstream_def).partition_dimension_names
        return f"MultiToSingleDimensionPartitionMapping(partition_dimension_name={names[0]!r})"
    if isinstance(upstream_def, TimeWindowPartitionsDefinition) or isinstance(
            downstream_def, TimeWindowPartitionsDefinition):
        return "AllPartitionMapping()"
    return "StaticPartitionMapping({'upstream_key': 'downstream_key'})"


def check_partition_mapping(upstream_key: Any, upstream_def: PartitionsDefinition | None,
                            downstream_key: Any, downstream_def: PartitionsDefinition | None,
                            explicit: PartitionMapping | None) -> None:
    """Raise ``InvalidDefinitionError`` when the dependency of ``downstream_key`` on
    ``upstream_key`` has no sensible partition mapping: the explicit one does not fit the two
    definitions, or there is none and the default cannot relate their keys."""
    if upstream_def is None and downstream_def is None:
        return
    if explicit is not None and not isinstance(explicit, PartitionMapping):
        reason = (f"its partition_mapping {explicit!r} is not a PartitionMapping (e.g. "
                  "TimeWindowPartitionMapping(start_offset=-1))")
    else:
        mapping = infer_partition_mapping(explicit, upstream_def, downstream_def)
        reason = mapping.fit(upstream_def, downstream_def)
    if reason is None:
        return
    up = _name(upstream_key)
    down = _name(downstream_key)
    how = ("Pass a partition mapping that fits" if explicit is not None
           else "Pass partition_mapping= to say which upstream partitions each downstream "
                "partition reads")
    raise InvalidDefinitionError(
        f"Asset {down!r} ({_described(downstream_def)}) depends on asset {up!r} "
        f"({_described(upstream_def)}), and the partitions do not line up: {reason}. {how}, "
        f"on AssetIn or AssetDep, e.g. ins={{{_param(up)!r}: AssetIn(partition_mapping="
        f"{_example(upstream_def, downstream_def)})}} or deps=[AssetDep({up!r}, "
        f"partition_mapping=AllPartitionMapping())].")


def _name(key: Any) -> str:
    to_user = getattr(key, "to_user_string", None)
    return to_user() if to_user is not None else str(key)


def _param(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def _described(defn: Any) -> str:
    return "not partitioned" if defn is None else f"partitioned by {defn!r}"
