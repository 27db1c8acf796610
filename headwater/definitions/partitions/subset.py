"""Partition subsets: a set of keys of one partitions definition, as a value.

``PartitionsDefinition.empty_subset()`` / ``subset_with_partition_keys(keys)`` make them, and
partition mappings take and return them (``get_downstream_partitions_for_partitions``,
``get_upstream_mapped_partitions_result_for_partitions``), as in Dagster's API. Headwater's own
code works with key lists; these wrap such a list for user code (custom sensors, tests of
mappings) and are never stored.

Two kinds, as Dagster has: ``DefaultPartitionsSubset`` (static, dynamic and multi keys: an
unordered set, and a one-field tuple whose item 0 is that set, like Dagster's NamedTuple) and
``TimeWindowPartitionsSubset`` (time keys, kept in time order; keys that are not partitions of
the definition are dropped).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from headwater.definitions.partitions.base import PartitionKeyRange

if TYPE_CHECKING:
    from headwater.definitions.partitions.base import PartitionsDefinition


class PartitionsSubset(ABC):
    """A set of partition keys; operations return new subsets."""

    @abstractmethod
    def get_partition_keys(self, current_time: Any = None) -> Iterable[str]: ...

    @abstractmethod
    def with_partition_keys(self, partition_keys: Iterable[str]) -> PartitionsSubset:
        """This subset plus ``partition_keys``."""

    @abstractmethod
    def empty_subset(self) -> PartitionsSubset: ...

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def __contains__(self, partition_key: object) -> bool: ...

    @property
    def is_empty(self) -> bool:
        return len(self) == 0

    def with_partition_key_range(self, partitions_def: PartitionsDefinition,
                                 partition_key_range: PartitionKeyRange,
                                 dynamic_partitions_store: Any = None) -> PartitionsSubset:
        return self.with_partition_keys(partitions_def.get_partition_keys_in_range(
            partition_key_range, dynamic_partitions_store=dynamic_partitions_store))

    def get_partition_keys_not_in_subset(self, partitions_def: PartitionsDefinition,
                                         dynamic_partitions_store: Any = None) -> list[str]:
        return [k for k in partitions_def.get_partition_keys(None, dynamic_partitions_store)
                if k not in self]

    def get_partition_key_ranges(self, partitions_def: PartitionsDefinition,
                                 current_time: Any = None,
                                 dynamic_partitions_store: Any = None) -> list[PartitionKeyRange]:
        """The subset as runs of consecutive keys of ``partitions_def``."""
        ranges: list[PartitionKeyRange] = []
        start = last = None
        for key in partitions_def.get_partition_keys(current_time, dynamic_partitions_store):
            if key in self:
                start, last = (key if start is None else start), key
            elif start is not None:
                ranges.append(PartitionKeyRange(start, last))  # type: ignore[arg-type]
                start = None
        if start is not None:
            ranges.append(PartitionKeyRange(start, last))  # type: ignore[arg-type]
        return ranges

    def __or__(self, other: PartitionsSubset) -> PartitionsSubset:
        return self.with_partition_keys(other.get_partition_keys())

    def __and__(self, other: PartitionsSubset) -> PartitionsSubset:
        return self.empty_subset().with_partition_keys(
            k for k in self.get_partition_keys() if k in other)

    def __sub__(self, other: PartitionsSubset) -> PartitionsSubset:
        return self.empty_subset().with_partition_keys(
            k for k in self.get_partition_keys() if k not in other)


class DefaultPartitionsSubset(PartitionsSubset, tuple):
    """Keys of a static, dynamic or multi-partitions definition, as an unordered set.

    A one-item tuple whose item 0 (``.subset``) is the set, so code written against Dagster's
    NamedTuple (``subset[0]``, ``subset.subset``) reads it the same way."""

    def __new__(cls, subset: Iterable[str] | None = None) -> DefaultPartitionsSubset:
        return tuple.__new__(cls, (set(subset or ()),))

    @property
    def subset(self) -> set[str]:
        return self[0]

    def get_partition_keys(self, current_time: Any = None) -> set[str]:
        return set(self[0])

    def with_partition_keys(self, partition_keys: Iterable[str]) -> DefaultPartitionsSubset:
        return DefaultPartitionsSubset(self[0] | set(partition_keys))

    def empty_subset(self) -> DefaultPartitionsSubset:
        return DefaultPartitionsSubset()

    def __len__(self) -> int:
        return len(self[0])

    def __contains__(self, partition_key: object) -> bool:
        return partition_key in self[0]

    def __repr__(self) -> str:
        return f"DefaultPartitionsSubset(subset={self[0]!r})"


class TimeWindowPartitionsSubset(PartitionsSubset):
    """Keys of a time-window definition, in time order."""

    def __init__(self, partitions_def: Any, keys: Iterable[str] = (),
                 dynamic_partitions_store: Any = None):
        from headwater.definitions.partitions.mapping_base import sort_key_fn

        self.partitions_def = partitions_def
        position = sort_key_fn(partitions_def, dynamic_partitions_store)
        placed = {k: p for k in dict.fromkeys(keys) if (p := position(k)) is not None}
        self._keys = sorted(placed, key=placed.__getitem__)
        self._set = frozenset(self._keys)

    def get_partition_keys(self, current_time: Any = None) -> list[str]:
        return list(self._keys)

    def with_partition_keys(self, partition_keys: Iterable[str]) -> TimeWindowPartitionsSubset:
        return TimeWindowPartitionsSubset(self.partitions_def, [*self._keys, *partition_keys])

    def empty_subset(self) -> TimeWindowPartitionsSubset:
        return TimeWindowPartitionsSubset(self.partitions_def)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, partition_key: object) -> bool:
        return partition_key in self._set

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TimeWindowPartitionsSubset)
                and other.partitions_def == self.partitions_def and other._keys == self._keys)

    def __hash__(self) -> int:
        return hash(tuple(self._keys))

    def __repr__(self) -> str:
        return f"TimeWindowPartitionsSubset({self._keys!r})"


class UpstreamPartitionsResult(NamedTuple):
    """What a mapping says a downstream subset reads: the upstream partitions that exist, and
    those it needs that the upstream definition does not have."""

    partitions_subset: PartitionsSubset
    required_but_nonexistent_subset: PartitionsSubset

    @property
    def required_but_nonexistent_partition_keys(self) -> list[str]:
        return list(self.required_but_nonexistent_subset.get_partition_keys())


def subset_of(partitions_def: PartitionsDefinition | None, keys: Sequence[str],
              store: Any = None) -> PartitionsSubset:
    """``keys`` of ``partitions_def`` as a subset of the kind Dagster gives for it."""
    from headwater.definitions.partitions.time_window import TimeWindowPartitionsDefinition

    if isinstance(partitions_def, TimeWindowPartitionsDefinition):
        return TimeWindowPartitionsSubset(partitions_def, keys, store)
    return DefaultPartitionsSubset(keys)
