"""AssetSelection: composable values resolved against an AssetGraph (``| & -``)."""

from __future__ import annotations

import fnmatch
import operator
from collections.abc import Callable, Iterable
from typing import Any

from headwater.definitions.asset_graph import AssetGraph
from headwater.definitions.asset_key import AssetKey, coerce_key
from headwater.definitions.errors import InvalidSubsetError


class AssetSelection:
    """A set of assets, described rather than listed; ``resolve`` turns it into keys."""

    # --- constructors ---
    @staticmethod
    def all(include_external_assets: bool = False) -> AssetSelection:
        return _All(include_external_assets)

    @staticmethod
    def assets(*assets_defs: Any) -> AssetSelection:
        keys: list[AssetKey] = []
        for a in assets_defs:
            if hasattr(a, "keys") and not isinstance(a, (str, list, tuple, AssetKey)):
                keys.extend(sorted(a.keys) if not hasattr(a, "key") or len(a.keys) != 1 else [a.key])
            else:
                keys.append(coerce_key(a))
        return _Keys(tuple(keys))

    @staticmethod
    def keys(*asset_keys: Any) -> AssetSelection:
        return _Keys(tuple(AssetKey.from_user_string(k) if isinstance(k, str) else coerce_key(k)
                           for k in asset_keys))

    @staticmethod
    def key_prefixes(*prefixes: Any, include_sources: bool = False) -> AssetSelection:
        parts = [(x,) if isinstance(x, str) else tuple(x) for x in prefixes]
        return _Where("key_prefixes", lambda g, i: any(g.keys[i].has_prefix(p) for p in parts),
                      (tuple(parts), include_sources))

    @staticmethod
    def key_substring(substring: str) -> AssetSelection:
        return _Where("key_substring", lambda g, i: substring in g.keys[i].to_user_string(),
                      (substring,))

    @staticmethod
    def groups(*group_strs: str, include_sources: bool = False) -> AssetSelection:
        names = set(group_strs)
        return _Where("groups", lambda g, i: g.group(i) in names and (
            include_sources or g.is_executable(i)), (group_strs, include_sources))

    @staticmethod
    def tag(key: str, value: str | None = None, include_sources: bool = False) -> AssetSelection:
        def match(g: AssetGraph, i: int) -> bool:
            tags = g.specs[i].tags
            return key in tags and (value is None or tags[key] == value)
        return _Where("tag", match, (key, value, include_sources))

    @staticmethod
    def tag_string(string: str, include_sources: bool = False) -> AssetSelection:
        k, _, v = string.partition("=")
        return AssetSelection.tag(k, v if v else None, include_sources)

    @staticmethod
    def owner(owner: str) -> AssetSelection:
        return _Where("owner", lambda g, i: owner in g.specs[i].owners, (owner,))

    @staticmethod
    def kind(kind: str) -> AssetSelection:
        return _Where("kind", lambda g, i: kind in g.specs[i].kinds, (kind,))

    @staticmethod
    def from_string(string: str) -> AssetSelection:
        from headwater.definitions.selection_syntax import parse_selection

        return parse_selection(string)

    @staticmethod
    def from_coercible(selection: Any) -> AssetSelection:
        if isinstance(selection, AssetSelection):
            return selection
        if isinstance(selection, str):
            return AssetSelection.from_string(selection)
        if isinstance(selection, AssetKey):
            return AssetSelection.keys(selection)
        items = list(selection)
        if items and all(isinstance(s, str) for s in items):
            parts = [AssetSelection.from_string(s) for s in items]
            out = parts[0]
            for p in parts[1:]:
                out = out | p
            return out
        return AssetSelection.assets(*items)

    @staticmethod
    def checks_for_assets(*assets_defs: Any) -> AssetSelection:
        """The checks of the given assets, without the assets themselves."""
        return _ChecksOnly(AssetSelection.assets(*assets_defs))

    @staticmethod
    def checks(*checks: Any) -> AssetSelection:
        keys: list[Any] = []
        for c in checks:
            keys.extend(getattr(c, "check_keys", None) or [c])
        return _CheckKeys(frozenset(keys))

    @staticmethod
    def all_asset_checks() -> AssetSelection:
        return _ChecksOnly(AssetSelection.all(include_external_assets=True))

    # --- methods returning new selections ---
    def upstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        return _Walk(self, "up", depth, include_self)

    def downstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        return _Walk(self, "down", depth, include_self)

    def roots(self) -> AssetSelection:
        return _Edge(self, "roots")

    def sources(self) -> AssetSelection:
        return _Edge(self, "roots")

    def sinks(self) -> AssetSelection:
        return _Edge(self, "sinks")

    def required_multi_asset_neighbors(self) -> AssetSelection:
        return _Neighbors(self)

    def materializable(self) -> AssetSelection:
        return self & _Where("materializable", lambda g, i: g.is_executable(i), ())

    def without_checks(self) -> AssetSelection:
        return _WithoutChecks(self)

    def __or__(self, other: AssetSelection) -> AssetSelection:
        return _Op("|", self, AssetSelection.from_coercible(other))

    def __and__(self, other: AssetSelection) -> AssetSelection:
        return _Op("&", self, AssetSelection.from_coercible(other))

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        return _Op("-", self, AssetSelection.from_coercible(other))

    # --- equality: by value, as Dagster's selections compare (and, like them, unhashable) ---
    def _identity(self) -> tuple[Any, ...]:
        return tuple(vars(self).values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        return type(other) is type(self) and self._identity() == other._identity()

    __hash__ = None  # type: ignore[assignment]

    # --- resolution ---
    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        raise NotImplementedError

    def resolve_check_keys(self, graph: AssetGraph) -> set[Any]:
        """The asset checks selected: by default, every check of a selected asset."""
        return graph.check_keys_for({graph.keys[i] for i in self.resolve_ids(graph)})

    def resolve(self, all_assets: Any, allow_missing: bool = False) -> set[AssetKey]:
        graph = all_assets if isinstance(all_assets, AssetGraph) else _graph_of(all_assets)
        return {graph.keys[i] for i in self.resolve_ids(graph)}


def _graph_of(all_assets: Any) -> AssetGraph:
    from headwater.definitions.assets import AssetsDefinition

    if hasattr(all_assets, "asset_graph"):
        return all_assets.asset_graph
    items = list(all_assets)
    return AssetGraph([a for a in items if isinstance(a, AssetsDefinition)])


class _All(AssetSelection):
    def __init__(self, include_external: bool):
        self.include_external = include_external

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        if self.include_external:
            return graph.all_ids()
        return graph.executable_ids()

    def __repr__(self) -> str:
        return "AssetSelection.all()"


class _Keys(AssetSelection):
    def __init__(self, keys: tuple[AssetKey, ...]):
        self.selected = keys

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        missing = [k for k in self.selected if k not in graph.ids]
        if missing:
            from headwater.definitions.asset_graph import _suggest

            raise InvalidSubsetError(
                "AssetSelection names asset key(s) that are not defined: "
                + ", ".join(repr(k.to_user_string()) + _suggest(k, graph.ids) for k in missing))
        return {graph.ids[k] for k in self.selected}

    def __repr__(self) -> str:
        return f"AssetSelection.keys({', '.join(repr(k.to_user_string()) for k in self.selected)})"


class _KeyPattern(AssetSelection):
    """``key:raw/*`` — keys matching a wildcard pattern."""

    def __init__(self, pattern: str):
        self.pattern = pattern

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        if "*" not in self.pattern:
            return _Keys((AssetKey.from_user_string(self.pattern),)).resolve_ids(graph)
        return {i for i, k in enumerate(graph.keys) if fnmatch.fnmatchcase(k.to_user_string(), self.pattern)}


class _Where(AssetSelection):
    def __init__(self, label: str, pred: Any, args: tuple[Any, ...] = ()):
        self.label = label
        self.pred = pred
        self.args = args  # what the predicate was made from: compared, the function is not

    def _identity(self) -> tuple[Any, ...]:
        return (self.label, self.args)

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        pred = self.pred
        return {i for i in range(len(graph)) if pred(graph, i)}


class _Walk(AssetSelection):
    def __init__(self, child: AssetSelection, direction: str, depth: int | None, include_self: bool):
        self.child, self.direction, self.depth, self.include_self = child, direction, depth, include_self

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        start = self.child.resolve_ids(graph)
        walk = graph.upstream if self.direction == "up" else graph.downstream
        return walk(start, self.depth, self.include_self)


class _Edge(AssetSelection):
    def __init__(self, child: AssetSelection, which: str):
        self.child, self.which = child, which

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        sel = self.child.resolve_ids(graph)
        edges = graph.parents if self.which == "roots" else graph.children
        return {i for i in sel if not any(j in sel for j in edges[i])}


class _Neighbors(AssetSelection):
    def __init__(self, child: AssetSelection):
        self.child = child

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        sel = self.child.resolve_ids(graph)
        out = set(sel)
        for i in sel:
            ad = graph.assets_defs[graph.owner[i]]
            if ad.op is not None and not ad.can_subset:
                out.update(graph.ids[k] for k in ad.keys)
        return out


_SET_OPS: dict[str, Callable[[set[Any], set[Any]], set[Any]]] = {
    "|": operator.or_, "&": operator.and_, "-": operator.sub}


class _Op(AssetSelection):
    def __init__(self, op: str, left: AssetSelection, right: AssetSelection):
        self.op, self.left, self.right = op, left, right

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        return _SET_OPS[self.op](self.left.resolve_ids(graph), self.right.resolve_ids(graph))

    def resolve_check_keys(self, graph: AssetGraph) -> set[Any]:
        return _SET_OPS[self.op](self.left.resolve_check_keys(graph),
                                 self.right.resolve_check_keys(graph))


class _ChecksOnly(AssetSelection):
    def __init__(self, target: AssetSelection):
        self.target = target

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        return set()

    def resolve_check_keys(self, graph: AssetGraph) -> set[Any]:
        return self.target.resolve_check_keys(graph)


class _CheckKeys(AssetSelection):
    def __init__(self, keys: frozenset[Any]):
        self.keys_ = keys

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        return set()

    def resolve_check_keys(self, graph: AssetGraph) -> set[Any]:
        return set(self.keys_)


class _WithoutChecks(AssetSelection):
    def __init__(self, child: AssetSelection):
        self.child = child

    def resolve_ids(self, graph: AssetGraph) -> set[int]:
        return self.child.resolve_ids(graph)

    def resolve_check_keys(self, graph: AssetGraph) -> set[Any]:
        return set()


def keys_selection(keys: Iterable[AssetKey]) -> AssetSelection:
    return _Keys(tuple(keys))
