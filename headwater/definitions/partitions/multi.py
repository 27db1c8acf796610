"""Two partition dimensions crossed: ``MultiPartitionsDefinition`` and ``MultiPartitionKey``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.partitions.base import PartitionsDefinition

_SEP = "|"


class MultiPartitionKey(str):
    """A key of a ``MultiPartitionsDefinition``: the per-dimension keys ordered by dimension
    name and joined with ``"|"``; ``keys_by_dimension`` keeps them by name."""

    keys_by_dimension: dict[str, str]

    def __new__(cls, keys_by_dimension: Mapping[str, str]) -> MultiPartitionKey:
        ordered = dict(sorted(keys_by_dimension.items()))
        key = super().__new__(cls, _SEP.join(ordered.values()))
        key.keys_by_dimension = ordered
        return key

    def __getnewargs__(self) -> tuple[Any, ...]:  # pickling
        return (self.keys_by_dimension,)


class PartitionDimensionDefinition(NamedTuple):
    name: str
    partitions_def: PartitionsDefinition


class MultiPartitionsDefinition(PartitionsDefinition):
    """Every combination of the keys of exactly two named dimensions."""

    def __init__(self, partitions_defs: Mapping[str, PartitionsDefinition]):
        if len(partitions_defs) != 2:
            raise InvalidDefinitionError(
                "MultiPartitionsDefinition takes exactly 2 dimensions, e.g. "
                "{'date': DailyPartitionsDefinition(...), 'region': StaticPartitionsDefinition(...)}"
                f"; got {len(partitions_defs)}: {sorted(partitions_defs)}")
        for name, pdef in partitions_defs.items():
            if not isinstance(pdef, PartitionsDefinition) or isinstance(
                    pdef, MultiPartitionsDefinition):
                raise InvalidDefinitionError(
                    f"MultiPartitionsDefinition dimension {name!r} must be a single-dimension "
                    f"PartitionsDefinition; got {pdef!r}")
        self.partitions_defs = [PartitionDimensionDefinition(n, d)
                                for n, d in sorted(partitions_defs.items())]

    @property
    def partition_dimension_names(self) -> list[str]:
        return [d.name for d in self.partitions_defs]

    def get_partition_keys(self, current_time: Any = None,
                           dynamic_partitions_store: Any = None) -> list[MultiPartitionKey]:
        (n1, d1), (n2, d2) = self.partitions_defs
        k1 = d1.get_partition_keys(current_time, dynamic_partitions_store)
        k2 = d2.get_partition_keys(current_time, dynamic_partitions_store)
        return [MultiPartitionKey({n1: a, n2: b}) for a in k1 for b in k2]

    def get_partition_key_from_str(self, partition_key_str: str) -> MultiPartitionKey:
        parts = partition_key_str.split(_SEP)
        if len(parts) != 2:
            raise self._unknown(partition_key_str)
        return MultiPartitionKey(dict(zip(self.partition_dimension_names, parts, strict=True)))

    def _position(self, key: str, current_time: Any = None,
                  dynamic_partitions_store: Any = None) -> int | None:
        parts = key.split(_SEP)
        if len(parts) != 2:
            return None
        (_, d1), (_, d2) = self.partitions_defs
        i = d1._position(parts[0], current_time, dynamic_partitions_store)
        j = d2._position(parts[1], current_time, dynamic_partitions_store)
        if i is None or j is None:
            return None
        return i * d2.get_num_partitions(current_time, dynamic_partitions_store) + j

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, MultiPartitionsDefinition)
                and self.partitions_defs == other.partitions_defs)

    def __hash__(self) -> int:
        return hash(tuple(self.partitions_defs))

    def __repr__(self) -> str:
        dims = ", ".join(f"{n!r}: {d!r}" for n, d in self.partitions_defs)
        return f"MultiPartitionsDefinition({{{dims}}})"
