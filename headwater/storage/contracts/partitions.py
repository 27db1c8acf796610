"""The dynamic partitions contract: keys of each DynamicPartitionsDefinition, by name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any


class DynamicPartitionStorage(ABC):
    @abstractmethod
    def add_dynamic_partitions(self, partitions_def_name: str,
                               partition_keys: Sequence[str]) -> None:
        """Add keys (those already there are skipped), in the order given."""

    @abstractmethod
    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None: ...

    @abstractmethod
    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        """The keys in the order they were added ([] for an unknown name)."""

    @abstractmethod
    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool: ...

    @abstractmethod
    def apply_dynamic_partitions_requests(self, requests: Iterable[Any]) -> None:
        """Add/delete requests in order, in one transaction: all or none."""
