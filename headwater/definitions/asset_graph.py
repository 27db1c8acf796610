"""The resolved asset graph: built once per Definitions, keys interned to integer ids.

Adjacency is kept in lists indexed by id, and the topological order is computed once, so
selection and planning stay cheap at 100k assets.
"""

from __future__ import annotations

import difflib
import gc
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, overload

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.asset_node import AssetCheckNode, AssetNode
from headwater.definitions.asset_spec import AssetSpec
from headwater.definitions.assets import DEFAULT_GROUP, AssetsDefinition, external_asset_from_spec
from headwater.definitions.checks import AssetChecksDefinition
from headwater.definitions.errors import InvalidDefinitionError

if TYPE_CHECKING:
    from headwater.definitions.results import AssetCheckKey


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk build that creates no garbage cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class AssetGraph:
    """Assets by integer id with parents, children, owning definition and topological order."""

    def __init__(self, assets_defs: Sequence[AssetsDefinition],
                 checks_defs: Sequence[AssetChecksDefinition] = (),
                 resource_keys: Iterable[str] = ()):
        # Building allocates a few objects per asset and frees none: the cyclic GC would only
        # re-scan the growing heap (a third of the time at 100k assets), so it waits.
        self._nodes: dict[Any, Any] = {}  # built on demand by get()
        with gc_paused():
            self._build(assets_defs, checks_defs, resource_keys)

    def _build(self, assets_defs: Sequence[AssetsDefinition],
               checks_defs: Sequence[AssetChecksDefinition],
               resource_keys: Iterable[str]) -> None:
        self.keys: list[AssetKey] = []
        self.ids: dict[AssetKey, int] = {}
        self.owner: list[int] = []  # id -> index into assets_defs
        self.specs: list[AssetSpec] = []
        defs = list(assets_defs)
        for i, ad in enumerate(defs):
            for spec in ad.specs:
                if spec.key in self.ids:
                    other = defs[self.owner[self.ids[spec.key]]]
                    raise InvalidDefinitionError(
                        f"Duplicate asset key {spec.key.to_user_string()!r}: defined by "
                        f"{_describe(other)} and by {_describe(ad)}. Each asset key must be "
                        "defined once; rename one or give it a key_prefix.")
                self.ids[spec.key] = len(self.keys)
                self.keys.append(spec.key)
                self.owner.append(i)
                self.specs.append(spec)
        defs = self._resolve_relative_inputs(defs)
        self._check_inputs(defs, set(resource_keys))
        # deps on keys that nothing defines become external assets, as in Dagster; so do the
        # assets of checks that nothing defines (a check's other inputs do not)
        for ad in list(defs):
            for key in sorted(k for k in ad.dependency_keys if k not in self.ids):
                self._add_external(key, defs)
        for key in sorted({s.asset_key for cd in checks_defs for s in cd.specs} - set(self.ids)):
            self._add_external(key, defs)
        self.assets_defs = defs
        n = len(self.keys)
        parents: list[tuple[int, ...]] = [()] * n
        children: list[list[int]] = [[] for _ in range(n)]
        ids = self.ids
        partitioned: dict[int, Any] = {}  # id -> PartitionsDefinition, partitioned assets only
        for ad in defs:
            ad_pdef = ad.partitions_def
            for spec in ad.specs:
                kid = ids[spec.key]
                pdef = spec.partitions_def or ad_pdef
                if pdef is not None:
                    partitioned[kid] = pdef
                ps = tuple(ids[k] for k in ad.deps_for(spec.key, spec))
                parents[kid] = ps
                for p in ps:
                    children[p].append(kid)
        self.parents = parents
        self.children = children
        self._partitioned = partitioned
        self._mappings: dict[tuple[int, int], Any] = {}
        if partitioned:
            self._check_partition_mappings()
        self.checks_defs = list(checks_defs)
        seen_checks: dict[Any, str] = {}
        check_sets: list[tuple[str, list[Any]]] = [
            *((cd.name, list(cd.specs)) for cd in self.checks_defs),
            *((ad.name, ad.check_specs) for ad in defs if ad.op)]
        for owner_name, check_specs in check_sets:
            for spec in check_specs:
                if spec.key in seen_checks:
                    raise InvalidDefinitionError(
                        f"Duplicate asset check {spec.name!r} on asset "
                        f"{spec.asset_key.to_user_string()!r}: defined by {seen_checks[spec.key]!r} "
                        f"and {owner_name!r}. Give one of them another name.")
                seen_checks[spec.key] = owner_name
        self._check_specs = {spec.key: spec for _, specs in check_sets for spec in specs}
        self.toposort = self._toposort()

    # --- construction helpers ---
    def _add_external(self, key: AssetKey, defs: list[AssetsDefinition]) -> None:
        ext = external_asset_from_spec(AssetSpec(key))
        self.ids[key] = len(self.keys)
        self.keys.append(key)
        self.owner.append(len(defs))
        self.specs.append(ext.get_asset_spec())
        defs.append(ext)

    def _check_partition_mappings(self) -> None:
        """Every dependency with a partitioned side must have a mapping that fits."""
        from headwater.definitions.partitions.mappings import check_partition_mapping

        partitioned = self._partitioned
        edges = {(kid, p) for kid in partitioned for p in self.parents[kid]}
        edges.update((c, p) for p in partitioned for c in self.children[p] if c not in partitioned)
        for kid, p in sorted(edges):
            explicit = self._explicit_mapping(kid, p)
            check_partition_mapping(self.keys[p], partitioned.get(p), self.keys[kid],
                                    partitioned.get(kid), explicit)

    def _explicit_mapping(self, kid: int, parent: int) -> Any:
        return self.assets_defs[self.owner[kid]].partition_mappings.get(self.keys[parent])

    def _resolve_relative_inputs(self, defs: list[AssetsDefinition]) -> list[AssetsDefinition]:
        """A one-part upstream key that nothing defines (``def down(upstream)`` under a
        ``key_prefix``) binds to the one defined asset ending in that name within the
        downstream asset's group, as in Dagster; none or several such assets: left as is (an
        undefined input is then refused, an undefined ``deps=`` key becomes external).

        Only unresolved keys take this path; the index of names is built on the first one."""
        by_name: dict[str, list[int]] | None = None
        out = []
        for ad in defs:
            wanted = self._unresolved_names(ad)
            if not wanted:
                out.append(ad)
                continue
            if by_name is None:
                by_name = {}
                for i, key in enumerate(self.keys):
                    by_name.setdefault(key.parts[-1], []).append(i)
            changed = {}
            for key, groups in wanted.items():
                found = [i for i in by_name.get(key.parts[0], ())
                         if (self.specs[i].group_name or DEFAULT_GROUP) in groups]
                if len(found) == 1:
                    changed[key] = self.keys[found[0]]
            out.append(_with_upstream_keys(ad, changed) if changed else ad)
        return out

    def _unresolved_names(self, ad: AssetsDefinition) -> dict[AssetKey, set[str]]:
        """The asset's one-part upstream keys that nothing defines, each with the groups of
        the asset's keys that read it (an input is read by all of them)."""
        ids = self.ids
        wanted: dict[AssetKey, set[str]] = {}
        all_groups: set[str] | None = None
        for key in ad.keys_by_input_name.values():
            if key not in ids and len(key.parts) == 1:
                if all_groups is None:
                    all_groups = {s.group_name or DEFAULT_GROUP
                                  for s in ad.specs_by_output.values()}
                wanted.setdefault(key, set()).update(all_groups)
        for spec in ad.specs_by_output.values():
            for dep in spec.deps:
                key = dep.asset_key
                if key not in ids and len(key.parts) == 1:
                    wanted.setdefault(key, set()).add(spec.group_name or DEFAULT_GROUP)
        return wanted

    def _check_inputs(self, defs: list[AssetsDefinition], resource_keys: set[str]) -> None:
        for ad in defs:
            for name, key in ad.keys_by_input_name.items():
                if key in self.ids:
                    continue
                hint = _suggest(key, self.ids)
                if name in resource_keys:
                    hint += (f" A resource named {name!r} exists: annotate the parameter with its "
                             f"type (e.g. {name}: MyResource or ResourceParam[...]) to receive it.")
                raise InvalidDefinitionError(
                    f"Asset {_describe(ad)} has a parameter {name!r} that loads upstream asset "
                    f"{key.to_user_string()!r}, which is not defined.{hint} If it is defined "
                    "elsewhere, add an AssetSpec for it; if the parameter is a resource, "
                    "annotate it with the resource's type.")

    def _toposort(self) -> list[int]:
        n = len(self.keys)
        indeg = [len(p) for p in self.parents]
        queue = deque(i for i in range(n) if indeg[i] == 0)
        order: list[int] = []
        children = self.children
        while queue:
            i = queue.popleft()
            order.append(i)
            for c in children[i]:
                indeg[c] -= 1
                if indeg[c] == 0:
                    queue.append(c)
        if len(order) != n:
            cycle = self._find_cycle({i for i in range(n) if indeg[i] > 0})
            path = " -> ".join(self.keys[i].to_user_string() for i in cycle)
            raise InvalidDefinitionError(
                f"The assets have a dependency cycle: {path}. Remove one of these dependencies.")
        return order

    def _find_cycle(self, remaining: set[int]) -> list[int]:
        start = min(remaining)
        seen: dict[int, int] = {}
        path: list[int] = []
        node = start
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = next(p for p in self.parents[node] if p in remaining)
        cycle = path[seen[node]:]
        cycle.reverse()  # upstream first
        return [*cycle, cycle[0]]

    # --- queries ---
    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:
        return key in self.ids

    def get_all_asset_keys(self) -> set[AssetKey]:
        """Every asset key of the graph (Dagster's name)."""
        return set(self.keys)

    # --- nodes (Dagster's AssetGraph accessors) ---
    @overload
    def get(self, key: AssetKey) -> AssetNode: ...

    @overload
    def get(self, key: AssetCheckKey) -> AssetCheckNode: ...

    def get(self, key: Any) -> Any:
        """The node of ``key``: an ``AssetNode`` for an asset key, an ``AssetCheckNode`` for a
        check key (KeyError when the graph has neither); the same node each time."""
        if not isinstance(key, AssetKey):
            spec = self._check_specs[key]
            node = self._nodes.get(key)
            if node is None:
                node = self._nodes[key] = AssetCheckNode(spec)
            return node
        node = self._nodes.get(key)
        if node is None:
            node = self._nodes[key] = AssetNode(self, self.ids[key])
        return node

    def has(self, key: AssetKey) -> bool:
        return key in self.ids

    @property
    def asset_nodes(self) -> list[AssetNode]:
        return [self.get(k) for k in self.keys]

    def get_parents(self, node: AssetNode) -> set[AssetNode]:
        return {self.get(k) for k in node.parent_keys}

    def get_children(self, node: AssetNode) -> set[AssetNode]:
        return {self.get(k) for k in node.child_keys}

    def assets_def_for_key(self, key: AssetKey) -> AssetsDefinition:
        return self.definition_for(key)

    @property
    def materializable_asset_keys(self) -> set[AssetKey]:
        return {self.keys[i] for i in self.executable_ids()}

    executable_asset_keys = materializable_asset_keys

    @property
    def external_asset_keys(self) -> set[AssetKey]:
        return {self.keys[i] for i in range(len(self.keys)) if not self.is_executable(i)}

    @property
    def observable_asset_keys(self) -> set[AssetKey]:
        return set()  # no observable source assets

    @property
    def root_materializable_asset_keys(self) -> set[AssetKey]:
        """Materializable assets with no materializable parent."""
        return {self.keys[i] for i in self.executable_ids()
                if not any(self.is_executable(p) for p in self.parents[i])}

    @property
    def toposorted_asset_keys(self) -> list[AssetKey]:
        return [self.keys[i] for i in self.toposort]

    @property
    def all_group_names(self) -> set[str]:
        return {self.group(i) for i in range(len(self.keys))}

    def asset_keys_for_group(self, group_name: str) -> set[AssetKey]:
        return {self.keys[i] for i in range(len(self.keys)) if self.group(i) == group_name}

    @property
    def asset_check_keys(self) -> set[Any]:
        return self.check_keys_for(set(self.keys)) | {
            s.key for cd in self.checks_defs for s in cd.specs}

    def all_ids(self) -> set[int]:
        return set(range(len(self.keys)))

    def definition_for(self, key: AssetKey) -> AssetsDefinition:
        return self.assets_defs[self.owner[self.ids[key]]]

    def upstream(self, start: Iterable[int], depth: int | None = None, include_self: bool = True) -> set[int]:
        return self._walk(start, self.parents, depth, include_self)

    def downstream(self, start: Iterable[int], depth: int | None = None, include_self: bool = True) -> set[int]:
        return self._walk(start, self.children, depth, include_self)

    @staticmethod
    def _walk(start: Iterable[int], edges: Sequence[Sequence[int]], depth: int | None,
              include_self: bool) -> set[int]:
        start = set(start)
        seen = set(start)
        frontier = list(start)
        level = 0
        while frontier and (depth is None or level < depth):
            nxt = []
            for i in frontier:
                for j in edges[i]:
                    if j not in seen:
                        seen.add(j)
                        nxt.append(j)
            frontier = nxt
            level += 1
        return seen if include_self else seen - start

    # --- partitions ---
    @property
    def has_partitions(self) -> bool:
        return bool(self._partitioned)

    def partitions_def_for(self, key: AssetKey) -> Any:
        """The asset's PartitionsDefinition, or None when it is not partitioned."""
        return self._partitioned.get(self.ids[key])

    def partitions_def_of(self, i: int) -> Any:
        return self._partitioned.get(i)

    def partition_mapping_for(self, downstream_key: AssetKey, upstream_key: AssetKey) -> Any:
        """The PartitionMapping of the dependency of ``downstream_key`` on ``upstream_key``:
        the explicit one (AssetIn/AssetDep) or Dagster's default for the two definitions."""
        from headwater.definitions.partitions.mappings import infer_partition_mapping

        kid, p = self.ids[downstream_key], self.ids[upstream_key]
        mapping = self._mappings.get((kid, p))
        if mapping is None:
            mapping = self._mappings[(kid, p)] = infer_partition_mapping(
                self._explicit_mapping(kid, p), self._partitioned.get(p),
                self._partitioned.get(kid))
        return mapping

    get_partition_mapping = partition_mapping_for

    def is_executable(self, i: int) -> bool:
        return self.assets_defs[self.owner[i]].op is not None

    def executable_ids(self) -> set[int]:
        """The assets that can be materialized (not external ones)."""
        return {i for i in range(len(self.keys)) if self.is_executable(i)}

    def group(self, i: int) -> str:
        return self.specs[i].group_name or DEFAULT_GROUP

    def check_defs_for(self, keys: set[AssetKey]) -> list[AssetChecksDefinition]:
        return [cd for cd in self.checks_defs if any(s.asset_key in keys for s in cd.specs)]

    def check_keys_for(self, keys: set[AssetKey]) -> set[Any]:
        """Keys of every check (own check specs and separate checks) on the given assets."""
        out = {s.key for cd in self.checks_defs for s in cd.specs if s.asset_key in keys}
        for ad in self.assets_defs:
            out.update(c.key for c in ad.check_specs_by_output.values() if c.asset_key in keys)
        return out


def _with_upstream_keys(ad: AssetsDefinition,
                        changed: dict[AssetKey, AssetKey]) -> AssetsDefinition:
    """The asset reading the upstream keys ``changed`` names instead of the old ones."""
    specs = {o: s.replace_attributes(deps=[
        replace(d, asset=changed.get(d.asset_key, d.asset)) for d in s.deps])
        if any(d.asset_key in changed for d in s.deps) else s
        for o, s in ad.specs_by_output.items()}
    ins = {n: changed.get(k, k) for n, k in ad.keys_by_input_name.items()}
    return ad._copy(specs_by_output=specs, keys_by_input_name=ins)


def _describe(ad: AssetsDefinition) -> str:
    fn = ad.op.compute_fn if ad.op else None
    keys = sorted(k.to_user_string() for k in ad.keys)
    label = repr(keys[0]) if len(keys) == 1 else repr(keys)
    if fn is not None and hasattr(fn, "__code__"):
        return f"{label} ({fn.__module__}.{fn.__qualname__})"
    return label


def _suggest(key: AssetKey, ids: dict[AssetKey, int]) -> str:
    names = [k.to_user_string() for k in ids] if len(ids) < 20000 else []
    close = difflib.get_close_matches(key.to_user_string(), names, n=3)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
