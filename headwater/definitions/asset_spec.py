"""AssetSpec, AssetDep, AssetIn, AssetOut: declarative descriptions of assets and their edges."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from headwater.definitions.asset_key import (
    AssetKey,
    CoercibleToAssetKey,
    CoercibleToAssetKeyPrefix,
    _prefix_parts,
    check_valid_name,
    coerce_key,
)

IO_MANAGER_KEY_METADATA = "dagster/io_manager_key"
DEFAULT_IO_MANAGER_KEY = "io_manager"
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NO_KINDS: frozenset[str] = frozenset()
KIND_TAG_PREFIX = "dagster/kind/"


@dataclass(frozen=True)
class AssetDep:
    """A dependency on an upstream asset whose value is not loaded."""

    asset: Any
    partition_mapping: Any = None

    @property
    def asset_key(self) -> AssetKey:
        return coerce_key(self.asset)

    @staticmethod
    def from_coercible(arg: Any) -> AssetDep:
        if isinstance(arg, AssetDep):
            return arg
        if isinstance(arg, str):
            check_valid_name(arg, "Dependency", asset=True, reserved=False)
        return AssetDep(coerce_key(arg))


def coerce_deps(deps: Iterable[Any] | None) -> tuple[AssetDep, ...]:
    if not deps:
        return ()
    out: list[AssetDep] = []
    for d in deps:
        keys = getattr(d, "keys", None)
        if keys is not None and not isinstance(d, (str, list, tuple, AssetKey)) and len(keys) > 1:
            out.extend(AssetDep(k) for k in sorted(keys))  # a multi-asset: depend on every key
        else:
            out.append(AssetDep.from_coercible(d))
    return tuple(out)


@dataclass(frozen=True)
class AssetIn:
    """How an asset input maps to an upstream asset."""

    key: CoercibleToAssetKey | None = None
    metadata: Mapping[str, Any] | None = None
    key_prefix: CoercibleToAssetKeyPrefix | None = None
    input_manager_key: str | None = None
    partition_mapping: Any = None
    dagster_type: Any = None

    def resolve_key(self, input_name: str) -> AssetKey:
        if self.key is not None:
            return coerce_key(self.key)
        return AssetKey([*_prefix_parts(self.key_prefix), input_name])


def coerce_ins(ins: Mapping[str, Any] | None) -> dict[str, AssetIn]:
    """``ins=`` with every value an ``AssetIn`` (a bare key becomes ``AssetIn(key=...)``)."""
    return {k: (v if isinstance(v, AssetIn) else AssetIn(key=v)) for k, v in (ins or {}).items()}


def input_partition_mappings(ins: Mapping[str, AssetIn]) -> dict[str, Any]:
    """``AssetIn(partition_mapping=...)`` by input name."""
    return {n: ai.partition_mapping for n, ai in ins.items() if ai.partition_mapping is not None}


@dataclass(frozen=True)
class AssetOut:
    """One output of a multi-asset and the asset it produces."""

    key_prefix: CoercibleToAssetKeyPrefix | None = None
    key: CoercibleToAssetKey | None = None
    dagster_type: Any = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str | None = None
    metadata: Mapping[str, Any] | None = None
    group_name: str | None = None
    code_version: str | None = None
    owners: Sequence[str] | None = None
    tags: Mapping[str, str] | None = None
    kinds: Iterable[str] | None = None
    automation_condition: Any = None
    deps: Iterable[Any] | None = None
    freshness_policy: Any = None
    backfill_policy: Any = None
    is_virtual: bool = False

    def to_spec(self, output_name: str, default_group: str | None) -> AssetSpec:
        key = coerce_key(self.key) if self.key is not None else AssetKey(
            [*_prefix_parts(self.key_prefix), output_name])
        return AssetSpec(key=key, deps=self.deps, description=self.description,
                         metadata=self.metadata, skippable=not self.is_required,
                         group_name=self.group_name or default_group,
                         code_version=self.code_version, owners=self.owners, tags=self.tags,
                         kinds=self.kinds, automation_condition=self.automation_condition,
                         freshness_policy=self.freshness_policy)

    @staticmethod
    def from_spec(spec: AssetSpec, dagster_type: Any = None, io_manager_key: str | None = None,
                  is_required: bool = True) -> AssetOut:
        return AssetOut(key=spec.key, description=spec.description, metadata=spec.metadata,
                        group_name=spec.group_name, code_version=spec.code_version,
                        owners=spec.owners, tags=spec.tags, kinds=spec.kinds,
                        dagster_type=dagster_type, io_manager_key=io_manager_key,
                        is_required=is_required, deps=spec.deps,
                        automation_condition=spec.automation_condition,
                        freshness_policy=spec.freshness_policy)


@dataclass(frozen=True, init=False)
class AssetSpec:
    """Everything declared about one asset, without how it is computed."""

    key: AssetKey
    deps: tuple[AssetDep, ...] = ()
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    skippable: bool = False
    group_name: str | None = None
    code_version: str | None = None
    automation_condition: Any = None
    owners: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset()
    partitions_def: Any = None
    freshness_policy: Any = None

    def __init__(self, key: CoercibleToAssetKey, *, deps: Iterable[Any] | None = None,
                 description: str | None = None, metadata: Mapping[str, Any] | None = None,
                 skippable: bool = False, group_name: str | None = None,
                 code_version: str | None = None, automation_condition: Any = None,
                 owners: Sequence[str] | None = None, tags: Mapping[str, str] | None = None,
                 kinds: Iterable[str] | None = None, partitions_def: Any = None,
                 freshness_policy: Any = None, legacy_freshness_policy: Any = None):
        s = object.__setattr__
        s(self, "key", coerce_key(key))
        s(self, "deps", coerce_deps(deps))
        s(self, "description", description)
        s(self, "metadata", dict(metadata) if metadata else _EMPTY)
        s(self, "skippable", skippable)
        s(self, "group_name", group_name)
        s(self, "code_version", code_version)
        s(self, "automation_condition", automation_condition)
        s(self, "owners", tuple(owners or ()))
        if tags or kinds:
            kinds_set = frozenset(kinds or ())
            tag_dict = dict(tags or {})
            for k in list(tag_dict):
                if k.startswith(KIND_TAG_PREFIX):
                    kinds_set |= {k[len(KIND_TAG_PREFIX):]}
            for kind in kinds_set:
                tag_dict[KIND_TAG_PREFIX + kind] = ""
            s(self, "tags", tag_dict)
            s(self, "kinds", kinds_set)
        else:
            s(self, "tags", _EMPTY)
            s(self, "kinds", _NO_KINDS)
        s(self, "partitions_def", partitions_def)
        s(self, "freshness_policy", freshness_policy or legacy_freshness_policy)

    @property
    def dep_keys(self) -> tuple[AssetKey, ...]:
        return tuple(d.asset_key for d in self.deps)

    def replace_attributes(self, **kwargs: Any) -> AssetSpec:
        current = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        current.update(kwargs)
        return AssetSpec(**current)

    def merge_attributes(self, *, deps: Iterable[Any] | None = None,
                         metadata: Mapping[str, Any] | None = None,
                         owners: Sequence[str] | None = None, tags: Mapping[str, str] | None = None,
                         kinds: Iterable[str] | None = None) -> AssetSpec:
        return self.replace_attributes(
            deps=[*self.deps, *coerce_deps(deps)],
            metadata={**self.metadata, **(metadata or {})},
            owners=[*self.owners, *(o for o in owners or () if o not in self.owners)],
            tags={**self.tags, **(tags or {})},
            kinds={*self.kinds, *(kinds or ())},
        )

    def with_io_manager_key(self, io_manager_key: str) -> AssetSpec:
        return self.replace_attributes(metadata={**self.metadata,
                                                 IO_MANAGER_KEY_METADATA: io_manager_key})

    def __repr__(self) -> str:
        return f"AssetSpec(key={self.key!r})"
