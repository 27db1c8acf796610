"""``dagster._core.remote_representation.external_data`` on Headwater: ``RepositorySnap``, the
serializable view of a code location's definitions, as far as tests read it (its asset nodes,
with their definition metadata, group and description)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dagster._serdes import whitelist_for_serdes
from headwater.definitions.asset_key import AssetKey
from headwater.definitions.metadata import normalize_metadata


@whitelist_for_serdes
@dataclass(frozen=True)
class AssetNodeSnap:
    asset_key: AssetKey
    group_name: str | None = None
    description: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    parent_keys: list[AssetKey] = field(default_factory=list)


@whitelist_for_serdes
@dataclass(frozen=True)
class RepositorySnap:
    name: str
    asset_nodes: list[AssetNodeSnap] = field(default_factory=list)

    @classmethod
    def from_def(cls, repository_def: Any) -> RepositorySnap:
        """From ``Definitions.get_repository_def()`` (Headwater's Definitions itself)."""
        graph = repository_def.resolve_asset_graph()
        nodes = []
        for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.path):
            node = graph.get(key)
            nodes.append(AssetNodeSnap(asset_key=key, group_name=node.group_name,
                                       description=node.description,
                                       metadata=normalize_metadata(node.metadata),
                                       parent_keys=sorted(node.parent_keys, key=lambda k: k.path)))
        return cls(name="__repository__", asset_nodes=nodes)
