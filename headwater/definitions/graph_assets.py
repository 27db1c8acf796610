"""``@graph_asset`` and ``@graph_multi_asset``: assets computed by a graph of ops.

The graph takes the place of the asset's op (``AssetsDefinition.op`` is the
``GraphDefinition``); the plan runs each op of the graph as its own step
(``<asset>.<op>``), and the ops producing the graph's outputs store and record the assets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from headwater.definitions.asset_key import (
    AssetKey,
    _prefix_parts,
    check_valid_key,
    check_valid_name,
    coerce_key,
)
from headwater.definitions.asset_spec import (
    AssetDep,
    AssetIn,
    AssetOut,
    AssetSpec,
    coerce_ins,
    input_partition_mappings,
)
from headwater.definitions.assets import DEFAULT_GROUP, AssetsDefinition, set_asset_hooks
from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.graph import GraphDefinition, build_graph
from headwater.definitions.op import analyze_params


def _input_keys(fn: Callable[..., Any], given: Mapping[str, AssetIn],
                what: str) -> dict[str, AssetKey]:
    params = [p.name for p in analyze_params(fn, what) if p.role == "input"]
    unknown = sorted(set(given) - set(params))
    if unknown:
        raise InvalidDefinitionError(
            f"{what}: ins= names {unknown}, which are not parameters of the function "
            f"({params})")
    return {p: given[p].resolve_key(p) if p in given else AssetKey([p]) for p in params}


def _graph(fn: Callable[..., Any], name: str, what: str, outs: Iterable[str]) -> GraphDefinition:
    graph = build_graph(fn, name, out={o: None for o in outs})
    missing = sorted(set(outs) - set(graph.output_mapping))
    if missing:
        raise InvalidDefinitionError(
            f"{what}: the graph does not return output(s) {missing}; return the op output that "
            "computes each asset")
    graph.check_inputs_resolvable()
    return graph


def graph_asset(compose_fn: Callable[..., Any] | None = None, *, name: str | None = None,
                description: str | None = None, ins: Mapping[str, Any] | None = None,
                config: Any = None, key_prefix: Any = None, key: Any = None,
                group_name: str | None = None, partitions_def: Any = None,
                metadata: Mapping[str, Any] | None = None, tags: Mapping[str, str] | None = None,
                owners: Sequence[str] | None = None, kinds: Iterable[str] | None = None,
                automation_condition: Any = None, backfill_policy: Any = None,
                resource_defs: Mapping[str, Any] | None = None, code_version: str | None = None,
                hooks: Iterable[Any] | None = None, **_: Any) -> Any:
    """Decorator: a function wiring ops together, whose returned output is the asset."""

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        asset_name = name or fn.__name__
        asset_key = coerce_key(key) if key is not None else AssetKey(
            [*_prefix_parts(key_prefix), check_valid_name(asset_name, "Asset name", asset=True)])
        what = f"graph_asset {asset_key.to_user_string()!r}"
        check_valid_key(asset_key, what)
        asset_ins = coerce_ins(ins)
        input_keys = _input_keys(fn, asset_ins, what)
        graph = _graph(fn, asset_name, what, ["result"])
        spec = AssetSpec(asset_key, deps=[AssetDep(k) for k in dict.fromkeys(input_keys.values())],
                         description=description or graph.description, metadata=metadata,
                         group_name=group_name or DEFAULT_GROUP, tags=tags, owners=owners,
                         kinds=set(kinds or ()), code_version=code_version,
                         automation_condition=automation_condition, partitions_def=partitions_def)
        set_asset_hooks(graph, hooks, what)
        return AssetsDefinition(op=graph, specs_by_output={"result": spec},
                                keys_by_input_name=input_keys, resource_defs=resource_defs,
                                partitions_def=partitions_def, backfill_policy=backfill_policy,
                                input_partition_mappings=input_partition_mappings(asset_ins))

    return wrap(compose_fn) if compose_fn is not None else wrap


def graph_multi_asset(*, outs: Mapping[str, AssetOut], name: str | None = None,
                      ins: Mapping[str, Any] | None = None, description: str | None = None,
                      config: Any = None, group_name: str | None = None,
                      partitions_def: Any = None, backfill_policy: Any = None,
                      resource_defs: Mapping[str, Any] | None = None, can_subset: bool = False,
                      hooks: Iterable[Any] | None = None,
                      **_: Any) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Decorator: a graph whose outputs (a dict keyed by ``outs``) are several assets."""

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        graph_name = check_valid_name(name or fn.__name__, "graph_multi_asset name")
        what = f"graph_multi_asset {graph_name!r}"
        asset_ins = coerce_ins(ins)
        input_keys = _input_keys(fn, asset_ins, what)
        graph = _graph(fn, graph_name, what, list(outs))
        deps = [AssetDep(k) for k in dict.fromkeys(input_keys.values())]
        specs: dict[str, AssetSpec] = {}
        io_keys: dict[str, str] = {}
        for out_name, out in outs.items():
            spec = out.to_spec(out_name, group_name or DEFAULT_GROUP)
            specs[out_name] = spec.replace_attributes(deps=[*spec.deps, *deps])
            if out.io_manager_key:
                io_keys[out_name] = out.io_manager_key
        set_asset_hooks(graph, hooks, what)
        return AssetsDefinition(op=graph, specs_by_output=specs, keys_by_input_name=input_keys,
                                can_subset=can_subset, resource_defs=resource_defs,
                                io_manager_keys=io_keys, partitions_def=partitions_def,
                                backfill_policy=backfill_policy,
                                input_partition_mappings=input_partition_mappings(asset_ins))

    return wrap
