"""Partitions listed up front (``StaticPartitionsDefinition``) or kept by an instance
(``DynamicPartitionsDefinition``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from headwater.definitions.errors import InvalidDefinitionError, InvalidInvocationError
from headwater.definitions.partitions.base import PartitionsDefinition


class StaticPartitionsDefinition(PartitionsDefinition):
    """A fixed list of string keys, in the order given."""

    def __init__(self, partition_keys: Sequence[str]):
        keys = list(partition_keys)
        bad = [k for k in keys if not isinstance(k, str)]
        if bad:
            raise InvalidDefinitionError(
                f"StaticPartitionsDefinition keys must be strings; got {bad[0]!r}")
        self._keys = keys
        self._index = {k: i for i, k in enumerate(keys)}
        if len(self._index) != len(keys):
            dups = sorted(k for k, n in Counter(keys).items() if n > 1)
            raise InvalidDefinitionError(
                f"StaticPartitionsDefinition has duplicate partition keys {dups[:5]}: "
                "each key must appear once")

    def get_partition_keys(self, current_time: Any = None,
                           dynamic_partitions_store: Any = None) -> list[str]:
        return list(self._keys)

    def _position(self, key: str, current_time: Any = None,
                  dynamic_partitions_store: Any = None) -> int | None:
        return self._index.get(key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticPartitionsDefinition) and self._keys == other._keys

    def __hash__(self) -> int:
        return hash(tuple(self._keys))

    def __repr__(self) -> str:
        shown = ", ".join(repr(k) for k in self._keys[:3])
        more = f", ... ({len(self._keys)} keys)" if len(self._keys) > 3 else ""
        return f"StaticPartitionsDefinition([{shown}{more}])"


class DynamicPartitionsDefinition(PartitionsDefinition):
    """Keys added at run time and stored by an instance under ``name``.

    Reading the keys needs that store: pass ``dynamic_partitions_store=instance`` (anything with
    a ``get_dynamic_partitions(name)`` method)."""

    def __init__(self, name: str):
        if not isinstance(name, str) or not name:
            raise InvalidDefinitionError(
                "DynamicPartitionsDefinition needs a name, e.g. "
                "DynamicPartitionsDefinition(name='customers')")
        self.name = name

    def _store_keys(self, store: Any) -> list[str]:
        if store is None:
            raise InvalidInvocationError(
                f"{self!r} keeps its keys in an instance: pass dynamic_partitions_store=instance "
                "(e.g. DagsterInstance.ephemeral()) to read them")
        return list(store.get_dynamic_partitions(self.name))

    def get_partition_keys(self, current_time: Any = None,
                           dynamic_partitions_store: Any = None) -> list[str]:
        return self._store_keys(dynamic_partitions_store)

    def _position(self, key: str, current_time: Any = None,
                  dynamic_partitions_store: Any = None) -> int | None:
        keys = self._store_keys(dynamic_partitions_store)
        return keys.index(key) if key in keys else None

    def build_add_request(self, partition_keys: Sequence[str]) -> Any:
        """An ``AddDynamicPartitionsRequest`` for these keys (e.g. in a ``SensorResult``)."""
        from headwater.definitions.run_request import AddDynamicPartitionsRequest

        return AddDynamicPartitionsRequest(self.name, list(partition_keys))

    def build_delete_request(self, partition_keys: Sequence[str]) -> Any:
        from headwater.definitions.run_request import DeleteDynamicPartitionsRequest

        return DeleteDynamicPartitionsRequest(self.name, list(partition_keys))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DynamicPartitionsDefinition) and self.name == other.name

    def __hash__(self) -> int:
        return hash(("dynamic", self.name))

    def __repr__(self) -> str:
        return f"DynamicPartitionsDefinition(name={self.name!r})"
