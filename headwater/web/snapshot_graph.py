"""A location snapshot's assets shaped like an ``AssetGraph``, so that the selection syntax
("*total", "group:raw", "tag:team=data") resolves in the web server, which never imports the
user's code: keys, ids, specs' tags/kinds/owners, groups, edges and walks are what
``AssetSelection.resolve_ids`` reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from headwater.definitions.asset_graph import AssetGraph
from headwater.definitions.asset_key import AssetKey
from headwater.locations.snapshot import AssetSnap, LocationSnapshot


@dataclass(frozen=True)
class _Spec:
    group_name: str
    tags: dict[str, str]
    kinds: frozenset[str]
    owners: tuple[str, ...]


@dataclass(frozen=True)
class _Owner:
    """What ``required_multi_asset_neighbors`` reads: the snapshot has no multi-asset
    grouping, so each asset stands alone."""

    op: Any = None
    can_subset: bool = True
    keys: tuple[AssetKey, ...] = ()


@dataclass
class SnapshotGraph:
    snaps: list[AssetSnap]
    keys: list[AssetKey] = field(default_factory=list)
    ids: dict[AssetKey, int] = field(default_factory=dict)
    specs: list[_Spec] = field(default_factory=list)
    parents: list[list[int]] = field(default_factory=list)
    children: list[list[int]] = field(default_factory=list)

    @staticmethod
    def of(snapshot: LocationSnapshot) -> SnapshotGraph:
        graph = SnapshotGraph(list(snapshot.assets))
        graph.keys = [AssetKey(list(a.key)) for a in graph.snaps]
        graph.ids = {k: i for i, k in enumerate(graph.keys)}
        graph.specs = [_Spec(a.group_name, dict(a.tags), frozenset(a.kinds), a.owners)
                       for a in graph.snaps]
        graph.parents = [[graph.ids[d] for d in (AssetKey(list(p)) for p in a.deps)
                          if d in graph.ids] for a in graph.snaps]
        graph.children = [[] for _ in graph.snaps]
        for i, ps in enumerate(graph.parents):
            for p in ps:
                graph.children[p].append(i)
        return graph

    @property
    def owner(self) -> list[int]:
        return [0] * len(self.keys)

    @property
    def assets_defs(self) -> list[_Owner]:
        return [_Owner()]

    def all_ids(self) -> set[int]:
        return set(range(len(self.keys)))

    def is_executable(self, i: int) -> bool:
        return self.snaps[i].is_executable

    def executable_ids(self) -> set[int]:
        return {i for i, a in enumerate(self.snaps) if a.is_executable}

    def group(self, i: int) -> str:
        return self.specs[i].group_name or "default"

    def upstream(self, start: Iterable[int], depth: int | None = None,
                 include_self: bool = True) -> set[int]:
        return AssetGraph._walk(start, self.parents, depth, include_self)

    def downstream(self, start: Iterable[int], depth: int | None = None,
                   include_self: bool = True) -> set[int]:
        return AssetGraph._walk(start, self.children, depth, include_self)

    def check_keys_for(self, keys: set[AssetKey]) -> set[Any]:
        return set()


def resolve_selection(snapshot: LocationSnapshot, selection: str) -> list[AssetKey]:
    """The keys a selection string picks in the snapshot (``InvalidSubsetError`` when it does
    not parse or names an asset that is not there), in the snapshot's order."""
    from headwater.definitions.selection import AssetSelection

    graph = SnapshotGraph.of(snapshot)
    ids = AssetSelection.from_string(selection).resolve_ids(graph)  # type: ignore[arg-type]
    return [graph.keys[i] for i in sorted(ids)]


def paths(keys: Sequence[AssetKey]) -> list[list[str]]:
    return [list(k.path) for k in keys]
