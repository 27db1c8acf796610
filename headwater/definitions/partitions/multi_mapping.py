"""Mappings between multi-partitioned assets and others: ``MultiToSingleDimensionPartitionMapping``
(one dimension of a multi-partitioned asset against a single-dimension asset) and
``MultiPartitionMapping`` (dimension by dimension between two multi-partitioned assets)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from headwater.definitions.errors import InvalidDefinitionError, UnknownPartitionError
from headwater.definitions.partitions.base import PartitionsDefinition
from headwater.definitions.partitions.mapping_base import (
    IdentityPartitionMapping,
    PartitionMapping,
    all_keys,
    in_order,
)
from headwater.definitions.partitions.multi import MultiPartitionKey, MultiPartitionsDefinition
from headwater.definitions.partitions.time_mapping import TimeWindowPartitionMapping
from headwater.definitions.partitions.time_window import TimeWindowPartitionsDefinition


def _dimension_value(key: str, index: int) -> str:
    parts = key.split("|")
    if len(parts) != 2:
        raise UnknownPartitionError(
            f"Partition key {key!r} is not a key of a MultiPartitionsDefinition (two dimension "
            "keys joined by '|')")
    return parts[index]


def _cross(multi: MultiPartitionsDefinition, dim_index: int, dim_keys: list[str],
           store: Any) -> list[str]:
    """Every multi key whose dimension ``dim_index`` is one of ``dim_keys``, in multi order."""
    (n1, d1), (n2, d2) = multi.partitions_defs
    firsts, seconds = ((dim_keys, all_keys(d2, store)) if dim_index == 0
                       else (all_keys(d1, store), dim_keys))
    return [MultiPartitionKey({n1: a, n2: b}) for a in firsts for b in seconds]


class _Joint(NamedTuple):
    multi: MultiPartitionsDefinition
    single: PartitionsDefinition
    dim_index: int
    inner: PartitionMapping
    multi_upstream: bool


@dataclass(frozen=True)
class MultiToSingleDimensionPartitionMapping(PartitionMapping):
    """A multi-partitioned asset and a single-dimension asset related through one dimension:
    a partition reads every partition that shares its key in that dimension."""

    partition_dimension_name: str | None = None

    def _joint(self, upstream_def: Any, downstream_def: Any) -> _Joint | str:
        up_multi = isinstance(upstream_def, MultiPartitionsDefinition)
        down_multi = isinstance(downstream_def, MultiPartitionsDefinition)
        if up_multi == down_multi or upstream_def is None or downstream_def is None:
            return ("MultiToSingleDimensionPartitionMapping needs one asset with a "
                    "MultiPartitionsDefinition and the other with a single-dimension one; got "
                    f"upstream {upstream_def!r} and downstream {downstream_def!r}")
        multi, single = (upstream_def, downstream_def) if up_multi else (downstream_def, upstream_def)
        names = multi.partition_dimension_names
        dims = [d.partitions_def for d in multi.partitions_defs]
        if self.partition_dimension_name is not None:
            if self.partition_dimension_name not in names:
                return (f"MultiToSingleDimensionPartitionMapping names dimension "
                        f"{self.partition_dimension_name!r}, which {multi!r} does not have; its "
                        f"dimensions are {names}")
            candidates = [names.index(self.partition_dimension_name)]
        else:
            candidates = [i for i, d in enumerate(dims) if d == single]
            if not candidates and isinstance(single, TimeWindowPartitionsDefinition):
                candidates = [i for i, d in enumerate(dims)
                              if isinstance(d, TimeWindowPartitionsDefinition)]
            if len(candidates) != 1:
                which = "several" if candidates else "no"
                return (f"MultiToSingleDimensionPartitionMapping finds {which} dimension of "
                        f"{multi!r} matching {single!r}; pass partition_dimension_name= naming "
                        f"one of {names}")
        index = candidates[0]
        dim = dims[index]
        if dim == single:
            inner: PartitionMapping = IdentityPartitionMapping()
        elif isinstance(dim, TimeWindowPartitionsDefinition) and isinstance(
                single, TimeWindowPartitionsDefinition):
            inner = TimeWindowPartitionMapping()
        else:
            return (f"MultiToSingleDimensionPartitionMapping relates dimension {names[index]!r} "
                    f"({dim!r}) to {single!r}, which has other keys; name the dimension with the "
                    "same partitions")
        return _Joint(multi, single, index, inner, up_multi)

    def _resolved(self, upstream_def: Any, downstream_def: Any) -> _Joint:
        joint = self._joint(upstream_def, downstream_def)
        if isinstance(joint, str):
            raise UnknownPartitionError(joint)
        return joint

    def fit(self, upstream_def: Any, downstream_def: Any) -> str | None:
        if upstream_def is None:
            return None
        joint = self._joint(upstream_def, downstream_def)
        return joint if isinstance(joint, str) else None

    def _upstream(self, downstream_keys: list[str] | None, downstream_def: Any,
                  upstream_def: Any, store: Any) -> list[str]:
        j = self._resolved(upstream_def, downstream_def)
        dim = j.multi.partitions_defs[j.dim_index].partitions_def
        if j.multi_upstream:
            dim_keys = j.inner.upstream_keys(downstream_keys, j.single, dim, store)
            return _cross(j.multi, j.dim_index, dim_keys, store)
        values = [_dimension_value(k, j.dim_index) for k in downstream_keys or ()]
        return j.inner.upstream_keys(list(dict.fromkeys(values)), dim, j.single, store)

    def _downstream(self, upstream_keys: list[str], upstream_def: Any, downstream_def: Any,
                    store: Any) -> list[str]:
        j = self._resolved(upstream_def, downstream_def)
        dim = j.multi.partitions_defs[j.dim_index].partitions_def
        if j.multi_upstream:
            values = list(dict.fromkeys(_dimension_value(k, j.dim_index) for k in upstream_keys))
            return j.inner.downstream_keys(values, dim, j.single, store)
        dim_keys = j.inner.downstream_keys(upstream_keys, j.single, dim, store)
        return _cross(j.multi, j.dim_index, dim_keys, store)


@dataclass(frozen=True)
class DimensionPartitionMapping:
    """For ``MultiPartitionMapping``: the downstream dimension an upstream dimension maps to,
    and how."""

    dimension_name: str
    partition_mapping: PartitionMapping


@dataclass(frozen=True)
class MultiPartitionMapping(PartitionMapping):
    """Two multi-partitioned assets mapped dimension by dimension: each upstream dimension named
    here maps to a downstream dimension with its own mapping; an upstream dimension not named
    here is read whole."""

    downstream_mappings_by_upstream_dimension: Mapping[str, DimensionPartitionMapping]

    def __post_init__(self) -> None:
        given = self.downstream_mappings_by_upstream_dimension
        bad = [k for k, v in dict(given).items() if not isinstance(v, DimensionPartitionMapping)]
        if bad:
            raise InvalidDefinitionError(
                f"MultiPartitionMapping: upstream dimension {bad[0]!r} must map to a "
                "DimensionPartitionMapping(dimension_name=..., partition_mapping=...)")

    def __hash__(self) -> int:
        return hash(frozenset(self.downstream_mappings_by_upstream_dimension.items()))

    def fit(self, upstream_def: Any, downstream_def: Any) -> str | None:
        if upstream_def is None:
            return None
        if not (isinstance(upstream_def, MultiPartitionsDefinition)
                and isinstance(downstream_def, MultiPartitionsDefinition)):
            return ("MultiPartitionMapping needs MultiPartitionsDefinition on both sides; got "
                    f"upstream {upstream_def!r} and downstream {downstream_def!r}")
        up_dims = dict(upstream_def.partitions_defs)
        down_dims = dict(downstream_def.partitions_defs)
        for up_name, dm in self.downstream_mappings_by_upstream_dimension.items():
            if up_name not in up_dims:
                return (f"MultiPartitionMapping maps upstream dimension {up_name!r}, which "
                        f"{upstream_def!r} does not have; its dimensions are {sorted(up_dims)}")
            if dm.dimension_name not in down_dims:
                return (f"MultiPartitionMapping maps to downstream dimension "
                        f"{dm.dimension_name!r}, which {downstream_def!r} does not have; its "
                        f"dimensions are {sorted(down_dims)}")
            reason = dm.partition_mapping.fit(up_dims[up_name], down_dims[dm.dimension_name])
            if reason:
                return f"MultiPartitionMapping, dimension {up_name!r}: {reason}"
        return None

    def _map(self, keys: list[str] | None, from_def: Any, to_def: Any, store: Any,
             upstream: bool) -> list[str]:
        if not (isinstance(from_def, MultiPartitionsDefinition)
                and isinstance(to_def, MultiPartitionsDefinition)):
            raise UnknownPartitionError(
                f"MultiPartitionMapping maps multi-partitioned assets only; got {from_def!r} "
                f"and {to_def!r}")
        from_names = from_def.partition_dimension_names
        from_dims = dict(from_def.partitions_defs)
        # for each target dimension: (source dimension index or None, source def, mapping)
        plan: list[tuple[int | None, Any, PartitionMapping | None]] = []
        by_up = self.downstream_mappings_by_upstream_dimension
        for name, target_dim in to_def.partitions_defs:
            if upstream:
                dm = by_up.get(name)
                source = dm.dimension_name if dm else None
            else:
                source = next((u for u, d in by_up.items() if d.dimension_name == name), None)
                dm = by_up.get(source) if source else None
            if dm is None or source not in from_dims:
                plan.append((None, target_dim, None))
            else:
                plan.append((from_names.index(source), from_dims[source], dm.partition_mapping))
        memo: dict[tuple[int, str], list[str]] = {}
        found: set[str] = set()
        for key in keys or ():
            per_dim: list[list[str]] = []
            for dim_no, (index, source_def, mapping) in enumerate(plan):
                target_def = to_def.partitions_defs[dim_no].partitions_def
                if mapping is None or index is None:
                    value_keys = memo.get((dim_no, ""))
                    if value_keys is None:
                        value_keys = memo[(dim_no, "")] = all_keys(target_def, store)
                else:
                    value = _dimension_value(key, index)
                    value_keys = memo.get((dim_no, "=" + value))
                    if value_keys is None:
                        value_keys = memo[(dim_no, "=" + value)] = (
                            mapping.upstream_keys([value], source_def, target_def, store)
                            if upstream else
                            mapping.downstream_keys([value], source_def, target_def, store))
                per_dim.append(value_keys)
            found.update(f"{a}|{b}" for a in per_dim[0] for b in per_dim[1])
        ordered = in_order(to_def, found, store, "MultiPartitionMapping: ")
        return [to_def.get_partition_key_from_str(k) for k in ordered]

    def _upstream(self, downstream_keys: list[str] | None, downstream_def: Any,
                  upstream_def: Any, store: Any) -> list[str]:
        return self._map(downstream_keys, downstream_def, upstream_def, store, upstream=True)

    def _downstream(self, upstream_keys: list[str], upstream_def: Any, downstream_def: Any,
                    store: Any) -> list[str]:
        return self._map(upstream_keys, upstream_def, downstream_def, store, upstream=False)
