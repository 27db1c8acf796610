"""The partitions-definition contract shared by every kind, and ``PartitionKeyRange``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from headwater.definitions.errors import InvalidInvocationError, UnknownPartitionError

_EXAMPLES = 3


class PartitionKeyRange(NamedTuple):
    """An inclusive range of partition keys, from ``start`` to ``end``."""

    start: str
    end: str


T_str = TypeVar("T_str", bound=str)


class PartitionsDefinition(ABC, Generic[T_str]):
    """A set of partition keys. Subclasses list their keys and locate one key in that list.

    Generic over its key type, as Dagster's (``PartitionsDefinition[str]`` in annotations).
    """

    @abstractmethod
    def get_partition_keys(self, current_time: Any = None,
                           dynamic_partitions_store: Any = None) -> Sequence[str]:
        """The keys in order; time-based definitions stop at ``current_time`` (default now)."""

    @abstractmethod
    def _position(self, key: str, current_time: Any = None,
                  dynamic_partitions_store: Any = None) -> int | None:
        """The index of ``key`` in ``get_partition_keys(...)``, or None."""

    def has_partition_key(self, partition_key: str, current_time: Any = None,
                          dynamic_partitions_store: Any = None) -> bool:
        return self._position(partition_key, current_time, dynamic_partitions_store) is not None

    def validate_partition_key(self, partition_key: str, current_time: Any = None,
                               dynamic_partitions_store: Any = None) -> None:
        """Raise ``UnknownPartitionError`` naming this definition when the key is not in it."""
        if not self.has_partition_key(partition_key, current_time, dynamic_partitions_store):
            raise self._unknown(partition_key, current_time, dynamic_partitions_store)

    def _unknown(self, partition_key: str, current_time: Any = None,
                 dynamic_partitions_store: Any = None) -> UnknownPartitionError:
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        if not keys:
            hint = "it has no partition keys yet"
        else:
            shown = [repr(k) for k in keys[:_EXAMPLES]]
            if len(keys) > _EXAMPLES + 1:
                shown.append("...")
            if len(keys) > _EXAMPLES:
                shown.append(repr(keys[-1]))
            hint = f"its {len(keys)} keys are {', '.join(shown)}"
        return UnknownPartitionError(
            f"Partition key {partition_key!r} is not in {self!r}: {hint}")

    def get_partition_keys_in_range(self, partition_key_range: PartitionKeyRange,
                                    dynamic_partitions_store: Any = None) -> list[str]:
        """The keys from ``start`` to ``end``, both included. Both must exist, start first."""
        start, end = partition_key_range
        i = self._position(start, None, dynamic_partitions_store)
        j = self._position(end, None, dynamic_partitions_store)
        for key, pos in ((start, i), (end, j)):
            if pos is None:
                raise self._unknown(key, None, dynamic_partitions_store)
        assert i is not None and j is not None
        if i > j:
            raise InvalidInvocationError(
                f"Partition key range {start!r} to {end!r} of {self!r} is reversed: "
                f"{start!r} comes after {end!r}; pass PartitionKeyRange({end!r}, {start!r})")
        keys = self.get_partition_keys(None, dynamic_partitions_store)
        if j >= len(keys):  # a key past ``now`` in an open-ended time definition
            keys = self._keys_through(j)
        return list(keys[i:j + 1])

    def _keys_through(self, index: int) -> Sequence[str]:
        return self.get_partition_keys()

    def get_first_partition_key(self, current_time: Any = None,
                                dynamic_partitions_store: Any = None) -> str | None:
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        return keys[0] if keys else None

    def get_last_partition_key(self, current_time: Any = None,
                               dynamic_partitions_store: Any = None) -> str | None:
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        return keys[-1] if keys else None

    def get_num_partitions(self, current_time: Any = None,
                           dynamic_partitions_store: Any = None) -> int:
        return len(self.get_partition_keys(current_time, dynamic_partitions_store))

    def empty_subset(self) -> Any:
        """A ``PartitionsSubset`` of this definition with no keys (partitions/subset.py)."""
        from headwater.definitions.partitions.subset import subset_of

        return subset_of(self, [])

    def subset_with_partition_keys(self, partition_keys: Iterable[str]) -> Any:
        """A ``PartitionsSubset`` of this definition holding ``partition_keys``."""
        return self.empty_subset().with_partition_keys(partition_keys)
