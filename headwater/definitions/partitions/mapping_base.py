"""The partition-mapping contract and the mappings that need no time arithmetic.

A mapping says which partitions of an upstream asset a partition of a downstream asset reads.
Every mapping answers two questions, in the upstream definition's key order and without
duplicates:

* ``upstream_keys(downstream_keys, downstream_def, upstream_def, store)``: what the given
  downstream partitions read (``downstream_def=None``: the downstream asset is unpartitioned);
* ``downstream_keys(upstream_keys, upstream_def, downstream_def, store)``: which downstream
  partitions read any of the given upstream partitions (a backfill's "what does this affect").
  An unpartitioned downstream has no partition keys, so the answer is ``[]``.

``store`` is a dynamic-partitions store (anything with ``get_dynamic_partitions(name)``).
``fit(upstream_def, downstream_def)`` returns why the mapping cannot join the two definitions,
or None; ``check_partition_mapping`` turns that into a definition-time error.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from headwater.definitions.errors import InvalidDefinitionError, UnknownPartitionError
from headwater.definitions.partitions.base import PartitionsDefinition
from headwater.definitions.partitions.multi import MultiPartitionsDefinition
from headwater.definitions.partitions.static import (
    DynamicPartitionsDefinition,
    StaticPartitionsDefinition,
)
from headwater.definitions.partitions.subset import (
    DefaultPartitionsSubset,
    PartitionsSubset,
    UpstreamPartitionsResult,
    subset_of,
)
from headwater.definitions.partitions.time_window import TimeWindowPartitionsDefinition

_SHOWN = 5


# ----------------------------------------------------------------------- key ordering helpers

def sort_key_fn(defn: PartitionsDefinition, store: Any = None) -> Callable[[str], Any]:
    """A function giving each key of ``defn`` a sortable position (None when it is not a key),
    cheap per call: a dict lookup for static and dynamic keys, the window start for time keys."""
    if isinstance(defn, StaticPartitionsDefinition):
        return defn._position
    if isinstance(defn, TimeWindowPartitionsDefinition):
        def when(key: str) -> Any:
            try:
                return defn.time_window_for_partition_key(key).start.timestamp()
            except UnknownPartitionError:
                return None
        return when
    if isinstance(defn, MultiPartitionsDefinition):
        (_, d1), (_, d2) = defn.partitions_defs
        f1, f2 = sort_key_fn(d1, store), sort_key_fn(d2, store)

        def both(key: str) -> Any:
            parts = key.split("|")
            if len(parts) != 2:
                return None
            a, b = f1(parts[0]), f2(parts[1])
            return None if a is None or b is None else (a, b)
        return both
    index = {k: i for i, k in enumerate(defn.get_partition_keys(None, store))}
    return index.get


def in_order(defn: PartitionsDefinition, keys: Iterable[str], store: Any = None,
             what: str = "") -> list[str]:
    """``keys`` without duplicates, in ``defn``'s order; unknown keys raise, naming ``what``."""
    pos = sort_key_fn(defn, store)
    placed: dict[str, Any] = {}
    unknown: list[str] = []
    for k in dict.fromkeys(keys):
        p = pos(k)
        if p is None:
            unknown.append(k)
        else:
            placed[k] = p
    if unknown:
        raise UnknownPartitionError(
            f"{what}partition key(s) {show_keys(unknown)} are not in {defn!r}")
    return sorted(placed, key=placed.__getitem__)


def show_keys(keys: Sequence[str]) -> str:
    shown = ", ".join(repr(k) for k in keys[:_SHOWN])
    return f"[{shown}{', ...' if len(keys) > _SHOWN else ''}]"


def all_keys(defn: PartitionsDefinition, store: Any = None) -> list[str]:
    return list(defn.get_partition_keys(None, store))


def same_cadence(a: PartitionsDefinition, b: PartitionsDefinition) -> bool:
    """Keys of ``a`` and ``b`` name the same partitions: equal definitions, two dynamic ones
    (keys are matched by name), or time windows that differ only in start and end."""
    if a == b:
        return True
    if isinstance(a, DynamicPartitionsDefinition) and isinstance(b, DynamicPartitionsDefinition):
        return True
    if isinstance(a, TimeWindowPartitionsDefinition) and isinstance(b, TimeWindowPartitionsDefinition):
        return (a.cron_schedule, a.fmt, a.timezone) == (b.cron_schedule, b.fmt, b.timezone)
    if isinstance(a, MultiPartitionsDefinition) and isinstance(b, MultiPartitionsDefinition):
        return (a.partition_dimension_names == b.partition_dimension_names and all(
            same_cadence(x.partitions_def, y.partitions_def)
            for x, y in zip(a.partitions_defs, b.partitions_defs, strict=True)))
    return False


# ------------------------------------------------------------------------------ the contract

class PartitionMapping(ABC):
    """Which partitions of an upstream asset each partition of a downstream asset depends on.

    Pass one as ``AssetIn(partition_mapping=...)`` or ``AssetDep(..., partition_mapping=...)``.
    """

    def upstream_keys(self, downstream_keys: Sequence[str] | None,
                      downstream_def: PartitionsDefinition | None,
                      upstream_def: PartitionsDefinition | None, store: Any = None) -> list[str]:
        """The upstream partition keys that ``downstream_keys`` read (see the module doc)."""
        if upstream_def is None:
            return []
        if downstream_def is None:
            downstream_keys = None
        return self._upstream(None if downstream_keys is None else list(downstream_keys),
                              downstream_def, upstream_def, store)

    def downstream_keys(self, upstream_keys: Sequence[str],
                        upstream_def: PartitionsDefinition | None,
                        downstream_def: PartitionsDefinition | None,
                        store: Any = None) -> list[str]:
        """The downstream partition keys that read any of ``upstream_keys``."""
        if downstream_def is None:
            return []
        if upstream_def is None:
            return all_keys(downstream_def, store)
        return self._downstream(list(upstream_keys), upstream_def, downstream_def, store)

    def upstream_keys_and_missing(self, downstream_keys: Sequence[str] | None,
                                  downstream_def: PartitionsDefinition | None,
                                  upstream_def: PartitionsDefinition | None,
                                  store: Any = None) -> tuple[list[str], list[str]]:
        """Like ``upstream_keys``, but the upstream keys the downstream partitions need and the
        upstream definition lacks come back second instead of being refused."""
        if upstream_def is None:
            return [], []
        if downstream_def is None:
            downstream_keys = None
        return self._upstream_and_missing(
            None if downstream_keys is None else list(downstream_keys), downstream_def,
            upstream_def, store)

    def _upstream_and_missing(self, downstream_keys: list[str] | None,
                              downstream_def: PartitionsDefinition | None,
                              upstream_def: PartitionsDefinition,
                              store: Any) -> tuple[list[str], list[str]]:
        return self._upstream(downstream_keys, downstream_def, upstream_def, store), []

    # Dagster's subset-based spelling of the two questions, for user code
    def get_downstream_partitions_for_partitions(
            self, upstream_partitions_subset: PartitionsSubset,
            upstream_partitions_def: PartitionsDefinition | None,
            downstream_partitions_def: PartitionsDefinition | None, current_time: Any = None,
            dynamic_partitions_store: Any = None) -> PartitionsSubset:
        """The downstream partitions that read any partition of ``upstream_partitions_subset``."""
        keys = self.downstream_keys(list(upstream_partitions_subset.get_partition_keys()),
                                    upstream_partitions_def, downstream_partitions_def,
                                    dynamic_partitions_store)
        return subset_of(downstream_partitions_def, keys, dynamic_partitions_store)

    def get_upstream_mapped_partitions_result_for_partitions(
            self, downstream_partitions_subset: PartitionsSubset | None,
            downstream_partitions_def: PartitionsDefinition | None,
            upstream_partitions_def: PartitionsDefinition, current_time: Any = None,
            dynamic_partitions_store: Any = None) -> UpstreamPartitionsResult:
        """The upstream partitions ``downstream_partitions_subset`` reads (None: an
        unpartitioned downstream asset), and those it needs that do not exist."""
        down = (None if downstream_partitions_subset is None
                else list(downstream_partitions_subset.get_partition_keys()))
        found, missing = self.upstream_keys_and_missing(
            down, downstream_partitions_def, upstream_partitions_def, dynamic_partitions_store)
        return UpstreamPartitionsResult(
            subset_of(upstream_partitions_def, found, dynamic_partitions_store),
            DefaultPartitionsSubset(missing))

    def fit(self, upstream_def: PartitionsDefinition | None,
            downstream_def: PartitionsDefinition | None) -> str | None:
        """Why this mapping cannot join these two definitions, or None when it can."""
        return None

    @property
    def description(self) -> str:
        doc = type(self).__doc__ or ""
        return doc.strip().splitlines()[0] if doc.strip() else ""

    @abstractmethod
    def _upstream(self, downstream_keys: list[str] | None,
                  downstream_def: PartitionsDefinition | None,
                  upstream_def: PartitionsDefinition, store: Any) -> list[str]: ...

    @abstractmethod
    def _downstream(self, upstream_keys: list[str], upstream_def: PartitionsDefinition,
                    downstream_def: PartitionsDefinition, store: Any) -> list[str]: ...


def _unpartitioned_downstream(name: str) -> str:
    return (f"{name} maps partitions one to one, but the downstream asset is not partitioned; "
            "use AllPartitionMapping() or LastPartitionMapping(), or partition the downstream "
            "asset")


@dataclass(frozen=True)
class IdentityPartitionMapping(PartitionMapping):
    """Each downstream partition reads the upstream partition with the same key."""

    def fit(self, upstream_def: Any, downstream_def: Any) -> str | None:
        if upstream_def is None:
            return None
        if downstream_def is None:
            return _unpartitioned_downstream("IdentityPartitionMapping")
        if not same_cadence(upstream_def, downstream_def):
            return ("IdentityPartitionMapping needs both assets to have the same partitions, but "
                    f"upstream has {upstream_def!r} and downstream has {downstream_def!r}")
        return None

    def _upstream(self, downstream_keys: Any, downstream_def: Any, upstream_def: Any,
                  store: Any) -> list[str]:
        if downstream_keys is None:
            raise UnknownPartitionError(_unpartitioned_downstream("IdentityPartitionMapping"))
        return in_order(upstream_def, downstream_keys, store,
                        f"Downstream partitions of {downstream_def!r} read upstream ")

    def _upstream_and_missing(self, downstream_keys: Any, downstream_def: Any,
                              upstream_def: Any, store: Any) -> tuple[list[str], list[str]]:
        if downstream_keys is None:
            raise UnknownPartitionError(_unpartitioned_downstream("IdentityPartitionMapping"))
        pos = sort_key_fn(upstream_def, store)
        missing = [k for k in dict.fromkeys(downstream_keys) if pos(k) is None]
        absent = set(missing)
        return in_order(upstream_def, (k for k in downstream_keys if k not in absent),
                        store), missing

    def _downstream(self, upstream_keys: list[str], upstream_def: Any, downstream_def: Any,
                    store: Any) -> list[str]:
        pos = sort_key_fn(downstream_def, store)
        found = {k: p for k in upstream_keys if (p := pos(k)) is not None}
        return sorted(found, key=found.__getitem__)


@dataclass(frozen=True)
class AllPartitionMapping(PartitionMapping):
    """Every downstream partition reads every upstream partition."""

    def _upstream(self, downstream_keys: Any, downstream_def: Any, upstream_def: Any,
                  store: Any) -> list[str]:
        return all_keys(upstream_def, store)

    def _downstream(self, upstream_keys: list[str], upstream_def: Any, downstream_def: Any,
                    store: Any) -> list[str]:
        return all_keys(downstream_def, store) if upstream_keys else []


@dataclass(frozen=True)
class LastPartitionMapping(PartitionMapping):
    """Every downstream partition reads the last upstream partition."""

    def _upstream(self, downstream_keys: Any, downstream_def: Any, upstream_def: Any,
                  store: Any) -> list[str]:
        last = upstream_def.get_last_partition_key(None, store)
        return [] if last is None else [last]

    def _downstream(self, upstream_keys: list[str], upstream_def: Any, downstream_def: Any,
                    store: Any) -> list[str]:
        last = upstream_def.get_last_partition_key(None, store)
        return all_keys(downstream_def, store) if last in upstream_keys else []


@dataclass(frozen=True)
class SpecificPartitionsPartitionMapping(PartitionMapping):
    """Every downstream partition reads the given upstream partitions."""

    partition_keys: Sequence[str]

    def __post_init__(self) -> None:
        keys = self.partition_keys
        if isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
            raise InvalidDefinitionError(
                f"SpecificPartitionsPartitionMapping takes a list of partition keys (strings), "
                f"e.g. SpecificPartitionsPartitionMapping(['2024-01-01']); got {keys!r}")

    def __hash__(self) -> int:
        return hash(tuple(self.partition_keys))

    def fit(self, upstream_def: Any, downstream_def: Any) -> str | None:
        if isinstance(upstream_def, (StaticPartitionsDefinition, TimeWindowPartitionsDefinition)):
            pos = sort_key_fn(upstream_def)
            missing = [k for k in self.partition_keys if pos(k) is None]
        else:  # dynamic keys are known only at run time
            missing = []
        if missing:
            return (f"SpecificPartitionsPartitionMapping names partition key(s) "
                    f"{show_keys(missing)} that are not in the upstream {upstream_def!r}")
        return None

    def _upstream(self, downstream_keys: Any, downstream_def: Any, upstream_def: Any,
                  store: Any) -> list[str]:
        return in_order(upstream_def, self.partition_keys, store,
                        "SpecificPartitionsPartitionMapping: upstream ")

    def _downstream(self, upstream_keys: list[str], upstream_def: Any, downstream_def: Any,
                    store: Any) -> list[str]:
        wanted = set(self.partition_keys)
        return all_keys(downstream_def, store) if any(k in wanted for k in upstream_keys) else []


def _as_set(value: str | Collection[str], up: str) -> frozenset[str]:
    values = {value} if isinstance(value, str) else (
        set(value) if isinstance(value, Collection) else {value})
    if not all(isinstance(v, str) for v in values):
        raise InvalidDefinitionError(
            f"StaticPartitionMapping: upstream key {up!r} maps to {value!r}; map each upstream "
            "key to a downstream key or a set of them, e.g. {'a': 'x', 'b': {'x', 'y'}}")
    return frozenset(values)


@dataclass(frozen=True)
class StaticPartitionMapping(PartitionMapping):
    """Upstream static keys mapped to downstream static keys by a dict: each upstream key to
    one downstream key or a set of them."""

    downstream_partition_keys_by_upstream_partition_key: Mapping[str, str | Collection[str]]
    _down_by_up: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    _up_by_down: dict[str, set[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        given = self.downstream_partition_keys_by_upstream_partition_key
        if not isinstance(given, Mapping):
            raise InvalidDefinitionError(
                "StaticPartitionMapping takes a dict from upstream partition key to downstream "
                f"key(s), e.g. {{'a': 'x', 'b': {{'x', 'y'}}}}; got {given!r}")
        down_by_up = {up: _as_set(v, up) for up, v in given.items()}
        up_by_down: dict[str, set[str]] = {}
        for up, downs in down_by_up.items():
            for d in downs:
                up_by_down.setdefault(d, set()).add(up)
        object.__setattr__(self, "_down_by_up", down_by_up)
        object.__setattr__(self, "_up_by_down", up_by_down)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticPartitionMapping) and self._down_by_up == other._down_by_up

    def __hash__(self) -> int:
        return hash(frozenset(self._down_by_up.items()))

    def fit(self, upstream_def: Any, downstream_def: Any) -> str | None:
        if upstream_def is None:
            return None
        for side, defn in (("upstream", upstream_def), ("downstream", downstream_def)):
            if not isinstance(defn, StaticPartitionsDefinition):
                return (f"StaticPartitionMapping needs StaticPartitionsDefinition on both sides, "
                        f"but the {side} asset has {defn!r}")
        for side, defn, keys in (("upstream", upstream_def, self._down_by_up),
                                 ("downstream", downstream_def, self._up_by_down)):
            missing = sorted(k for k in keys if not defn.has_partition_key(k))
            if missing:
                return (f"StaticPartitionMapping maps {side} key(s) {show_keys(missing)} that are "
                        f"not in the {side} {defn!r}")
        return None

    def _upstream(self, downstream_keys: Any, downstream_def: Any, upstream_def: Any,
                  store: Any) -> list[str]:
        ups = (u for d in downstream_keys or () for u in self._up_by_down.get(d, ()))
        return in_order(upstream_def, ups, store, "StaticPartitionMapping: upstream ")

    def _downstream(self, upstream_keys: list[str], upstream_def: Any, downstream_def: Any,
                    store: Any) -> list[str]:
        downs = (d for u in upstream_keys for d in self._down_by_up.get(u, ()))
        return in_order(downstream_def, downs, store, "StaticPartitionMapping: downstream ")

