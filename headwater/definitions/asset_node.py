"""``AssetNode``: one asset of a resolved AssetGraph, as ``AssetGraph.get(key)`` returns it.

A read-only view over the graph's arrays (ids, specs, owners): it copies nothing, so the
graph stays cheap at 100k assets and nodes are built only for the keys someone asks about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.asset_spec import AssetDep, AssetSpec
from headwater.definitions.assets import DEFAULT_GROUP, AssetsDefinition

if TYPE_CHECKING:
    from headwater.definitions.asset_graph import AssetGraph


class AssetNode:
    """What is declared about one asset, and its parents and children in the graph."""

    __slots__ = ("_graph", "_id")

    def __init__(self, graph: AssetGraph, asset_id: int):
        self._graph = graph
        self._id = asset_id

    # --- identity and place in the graph ---
    @property
    def key(self) -> AssetKey:
        return self._graph.keys[self._id]

    @property
    def parent_keys(self) -> set[AssetKey]:
        keys = self._graph.keys
        return {keys[p] for p in self._graph.parents[self._id]}

    @property
    def child_keys(self) -> set[AssetKey]:
        keys = self._graph.keys
        return {keys[c] for c in self._graph.children[self._id]}

    @property
    def check_keys(self) -> set[Any]:
        return self._graph.check_keys_for({self.key})

    # --- what the definition declares ---
    @property
    def assets_def(self) -> AssetsDefinition:
        return self._graph.assets_defs[self._graph.owner[self._id]]

    @property
    def _spec(self) -> AssetSpec:
        return self._graph.specs[self._id]

    def to_asset_spec(self) -> AssetSpec:
        """The asset's spec, with its dependencies and partitions as the graph resolved them
        (a parameter that loads an asset is a dependency too)."""
        spec = self._spec
        declared = {d.asset_key: d for d in spec.deps}
        deps = [declared.get(k) or AssetDep(k) for k in self._parent_key_list()]
        changes: dict[str, Any] = {}
        if deps != list(spec.deps):
            changes["deps"] = deps
        if spec.partitions_def is None and self.partitions_def is not None:
            changes["partitions_def"] = self.partitions_def
        return spec.replace_attributes(**changes) if changes else spec

    def _parent_key_list(self) -> list[AssetKey]:
        keys = self._graph.keys
        return [keys[p] for p in self._graph.parents[self._id]]

    @property
    def group_name(self) -> str:
        return self._spec.group_name or DEFAULT_GROUP

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self._spec.metadata)

    @property
    def tags(self) -> dict[str, str]:
        return dict(self._spec.tags)

    @property
    def kinds(self) -> set[str]:
        return set(self._spec.kinds)

    @property
    def owners(self) -> list[str]:
        return list(self._spec.owners)

    @property
    def description(self) -> str | None:
        return self._spec.description

    @property
    def code_version(self) -> str | None:
        return self._spec.code_version

    @property
    def automation_condition(self) -> Any:
        return self._spec.automation_condition

    @property
    def freshness_policy(self) -> Any:
        return self._spec.freshness_policy

    @property
    def partitions_def(self) -> Any:
        return self._graph.partitions_def_of(self._id)

    @property
    def is_partitioned(self) -> bool:
        return self.partitions_def is not None

    @property
    def partition_mappings(self) -> dict[AssetKey, Any]:
        """The explicit partition mappings of this asset's dependencies, by parent key."""
        keys = self._graph.keys
        found = {keys[p]: self._graph._explicit_mapping(self._id, p)
                 for p in self._graph.parents[self._id]}
        return {k: m for k, m in found.items() if m is not None}

    @property
    def backfill_policy(self) -> Any:
        return self.assets_def.backfill_policy

    @property
    def io_manager_key(self) -> str:
        return self.assets_def.io_manager_key_for(self.key)

    # --- how it runs ---
    @property
    def is_materializable(self) -> bool:
        return self._graph.is_executable(self._id)

    @property
    def is_executable(self) -> bool:
        return self._graph.is_executable(self._id)

    @property
    def is_observable(self) -> bool:
        return False  # no observable source assets: an external asset is only declared

    @property
    def is_external(self) -> bool:
        return not self._graph.is_executable(self._id)

    def __repr__(self) -> str:
        return f"AssetNode({self.key.to_user_string()!r})"


class AssetCheckNode:
    """A check in the asset graph (``AssetGraph.get(check_key)``): its spec's attributes."""

    __slots__ = ("_spec",)

    def __init__(self, spec: Any):
        self._spec = spec

    @property
    def key(self) -> Any:
        return self._spec.key

    @property
    def blocking(self) -> bool:
        return self._spec.blocking

    @property
    def description(self) -> str | None:
        return self._spec.description

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self._spec.metadata)

    @property
    def partitions_def(self) -> Any:
        return self._spec.partitions_def

    @property
    def automation_condition(self) -> Any:
        return self._spec.automation_condition

    @property
    def parent_entity_keys(self) -> set[Any]:
        return {self._spec.asset_key, *(d.asset_key for d in self._spec.additional_deps)}

    def __repr__(self) -> str:
        return f"AssetCheckNode({self.key!r})"
