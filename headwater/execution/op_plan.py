"""Plans for op jobs and graph-backed assets: graphs flattened into op steps named by handle
(``outer.inner``).

One pass flattens the graph into op nodes with their resolved sources; the op selection is
applied to those nodes; then steps are built, and inputs nothing connects are taken from run
config (``ops.<handle>.inputs.<name>``), ``input_values`` or their defaults.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.composition import (
    AssetInput,
    Collected,
    GraphInput,
    MappedInput,
    NodeOutput,
)
from headwater.definitions.errors import (
    InvalidConfigError,
    InvalidDefinitionError,
    InvalidSubsetError,
)
from headwater.definitions.graph import GraphDefinition
from headwater.definitions.types import resolve_type
from headwater.execution.plan import ExecutionPlan, OpInput, Step, _toposort


@dataclass
class OpStepDefinition:
    """What an op step runs: the op, nothing asset-related."""

    op: Any
    resource_defs: Mapping[str, Any] = field(default_factory=dict)
    is_op_node: bool = True
    keys_by_input_name: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.op.name


@dataclass
class GraphAssetStepDefinition:
    """One op of a graph-backed asset. Its outputs that are the asset's outputs are stored and
    recorded as the asset; its inputs bound to the graph's inputs read the upstream assets."""

    op: Any
    assets_def: Any
    keys_by_input_name: Mapping[str, AssetKey] = field(default_factory=dict)
    is_op_node: bool = True

    @property
    def name(self) -> str:
        return self.op.name

    @property
    def resource_defs(self) -> Mapping[str, Any]:
        return self.assets_def.resource_defs

    def io_manager_key_for(self, key: AssetKey) -> str:
        return self.assets_def.io_manager_key_for(key)  # type: ignore[no-any-return]

    def get_asset_spec(self, key: AssetKey | None = None) -> Any:
        return self.assets_def.get_asset_spec(key)

    def deps_for(self, key: AssetKey) -> tuple[AssetKey, ...]:
        return self.assets_def.deps_for(key)  # type: ignore[no-any-return]

    def output_name_for_key(self, key: AssetKey) -> str:
        return self.assets_def.output_name_for_key(key)  # type: ignore[no-any-return]


# A resolved source of an op input:
#   ("output" | "sibling" | "mapped" | "collect", handle, output) - another op's output
#   ("asset", key) - an upstream asset (graph-backed assets only)
#   ("graph_input", name) - an input of the job's own graph (given by input_values)
#   ("asset_input", AssetInput) - an asset passed as the op's input inside the graph
#   a list of ("output", handle, output) - fan-in
#   None - nothing connected
Source = Any
GRAPH_INPUT = "graph_input"
ASSET_INPUT = "asset_input"
_NOT_A_STEP = ("asset", GRAPH_INPUT, ASSET_INPUT)  # sources that no step of the plan produces


@dataclass
class _Node:
    """An op invocation found while flattening: its handle and where each input comes from."""

    handle: str
    invoked: Any  # InvokedNode
    sources: dict[str, Source]
    inputs_config: Mapping[str, Any]

    @property
    def op(self) -> Any:
        return self.invoked.definition


def _follow(out: NodeOutput, prefix: str) -> tuple[str, str, str]:
    node, name = out.node, out.output_name
    handle = prefix + node.name
    while isinstance(node.definition, GraphDefinition):
        inner = node.definition.output_mapping[name]
        node, name = inner.node, inner.output_name
        handle = f"{handle}.{node.name}"
    return ("sibling" if node.mapped else "output", handle, name)


def _resolve(src: Any, prefix: str, graph_inputs: Mapping[str, Source]) -> Source:
    if isinstance(src, NodeOutput):
        return _follow(src, prefix)
    if isinstance(src, GraphInput):
        return graph_inputs.get(src.name)
    if isinstance(src, MappedInput):
        return ("mapped", *_follow(src.source, prefix)[1:])
    if isinstance(src, Collected):
        return ("collect", *_follow(src.source, prefix)[1:])
    if isinstance(src, AssetInput):
        return (ASSET_INPUT, src)
    if isinstance(src, list):
        return [_resolve(s, prefix, graph_inputs) for s in src]
    return None


def _flatten(graph: GraphDefinition, prefix: str, graph_inputs: Mapping[str, Source],
             config: Any, nodes: list[_Node],
             node_outputs: dict[tuple[str, str], tuple[str, str]]) -> None:
    for node in graph.nodes:
        handle = prefix + node.name
        node_cfg = dict(config.get(node.name) or {}) if isinstance(config, Mapping) else {}
        sources = {n: _resolve(s, prefix, graph_inputs) for n, s in node.bindings.items()}
        if isinstance(node.definition, GraphDefinition):
            for output in node.definition.output_mapping:
                path, op_output = node.definition.resolve_output(output)
                node_outputs[(handle, output)] = (".".join([handle, *path]), op_output)
            _flatten(node.definition, handle + ".", sources, node_cfg.get("ops") or {}, nodes,
                     node_outputs)
        else:
            nodes.append(_Node(handle, node, sources, node_cfg.get("inputs") or {}))


# --- op selection --------------------------------------------------------------------------

_CLAUSE = re.compile(r"^(\*|\++)?([^*+]+)(\*|\++)?$")


def _upstream_handles(source: Source) -> list[str]:
    if source is None:
        return []
    if isinstance(source, list):
        return [h for _, h, _ in source]
    return [source[1]] if source[0] not in _NOT_A_STEP else []


def _select(nodes: list[_Node], op_selection: Any) -> set[str]:
    """Handles selected by Dagster's op selection syntax: ``name``, ``*name`` (and every op
    upstream), ``name*`` (and downstream), ``+name``/``name++`` (that many levels)."""
    clauses = [op_selection] if isinstance(op_selection, str) else list(op_selection)
    parents: dict[str, set[str]] = {n.handle: set() for n in nodes}
    children: dict[str, set[str]] = {n.handle: set() for n in nodes}
    for n in nodes:
        for src in n.sources.values():
            for up in _upstream_handles(src):
                parents[n.handle].add(up)
                children.setdefault(up, set()).add(n.handle)
    chosen: set[str] = set()
    for clause in clauses:
        m = _CLAUSE.match(clause.strip())
        if not m:
            raise InvalidSubsetError(f"op_selection clause {clause!r} is not valid: use name, "
                                     "*name, name*, +name or name+")
        up, name, down = m.groups()
        start = {h for h in parents if h == name or h.startswith(name + ".")}
        if not start:
            continue
        chosen |= start
        for edges, marker in ((parents, up), (children, down)):
            depth = -1 if marker == "*" else len(marker or "")
            frontier, level = set(start), 0
            while frontier and (depth < 0 or level < depth):
                frontier = {h for f in frontier for h in edges.get(f, ())} - chosen
                chosen |= frontier
                level += 1
    if not chosen:
        raise InvalidSubsetError(
            f"No qualified ops to execute found for op_selection={clauses!r}; the job's ops are "
            f"{sorted(parents)[:20]}")
    return chosen


# --- steps ---------------------------------------------------------------------------------


def build_op_plan(job: Any, op_selection: Any = None, run_config: Mapping[str, Any] | None = None,
                  input_values: Mapping[str, Any] | None = None) -> ExecutionPlan:
    nodes: list[_Node] = []
    node_outputs: dict[tuple[str, str], tuple[str, str]] = {}
    ops_config = dict((run_config or {}).get("ops") or {})
    # the job's own graph inputs are given by input_values (execute_in_process(input_values=))
    top_inputs = {name: (GRAPH_INPUT, name) for name in job.graph_def.input_names}
    _flatten(job.graph_def, "", top_inputs, ops_config, nodes, node_outputs)
    selected = _select(nodes, op_selection) if op_selection else None
    steps: list[Step] = []
    by_handle: dict[str, Step] = {}
    errors: list[str] = []
    for node in nodes:
        if selected is not None and node.handle not in selected:
            continue
        step = Step(len(steps), node.handle, OpStepDefinition(node.op), [], {}, {})
        _configure(step, node, job.hook_defs, job.op_retry_policy)
        top_level_values = input_values if "." not in node.handle else None
        _bind_inputs(step, node, by_handle, selected, top_level_values, errors)
        steps.append(step)
        by_handle[node.handle] = step
    if errors:
        raise InvalidConfigError(
            f"Run config has {len(errors)} error(s) (fix each path listed):", errors)
    return ExecutionPlan(_toposort(steps), None, node_outputs)  # type: ignore[arg-type]


def _configure(step: Step, node: _Node, job_hooks: Iterable[Any], job_retry_policy: Any) -> None:
    invoked, op = node.invoked, node.op
    step.hooks = frozenset(invoked.hooks) | frozenset(job_hooks)
    step.retry_policy = invoked.retry_policy or op.retry_policy or job_retry_policy
    step.node_tags = {**op.tags, **invoked.tags}


def _bind_inputs(step: Step, node: _Node, by_handle: Mapping[str, Step],
                 selected: set[str] | None, input_values: Mapping[str, Any] | None,
                 errors: list[str]) -> None:
    """The step's inputs and dependencies, from the node's sources (upstream steps are in
    ``by_handle``: ops are invoked after the ops whose outputs they take)."""
    op = node.op
    from_assets = step.definition.keys_by_input_name  # loaded as asset inputs (StepInput)
    for param in op.input_params:
        if param in from_assets:
            continue
        src = node.sources.get(param)
        in_def = op.ins.get(param)
        nothing = in_def is not None and resolve_type(in_def.dagster_type).is_nothing
        if selected is not None:
            src = _within(src, selected)
        if isinstance(src, tuple) and src[0] == GRAPH_INPUT:
            if input_values and src[1] in input_values:  # a value for the job's graph input
                if not nothing:
                    step.op_inputs.append(OpInput(param, "value", value=input_values[src[1]]))
                continue
            src = None
        if isinstance(src, tuple) and src[0] == ASSET_INPUT:
            if not nothing:  # loaded through the asset's IO manager when the step runs
                step.op_inputs.append(OpInput(param, "asset", value=src[1]))
            continue
        if src is None:
            if not nothing:
                oi = _unconnected(step, param, in_def, node.inputs_config, input_values, errors)
                if oi is not None:
                    step.op_inputs.append(oi)
            continue
        if isinstance(src, list):
            sources = [(by_handle[h].index, o) for _, h, o in src]
            step.deps.update(i for i, _ in sources)
            if not nothing:
                step.op_inputs.append(OpInput(param, "fan_in", sources))
            continue
        kind, handle, output = src
        upstream = by_handle[handle]
        source = (upstream.index, output)
        step.deps.add(source[0])
        if kind == "mapped":
            step.mapped_from = source
        elif kind == "sibling":  # downstream of a mapped step, still mapped: same fan-out
            step.mapped_from = upstream.mapped_from
        if not nothing:
            step.op_inputs.append(OpInput(param, kind, [source]))


def _within(src: Source, selected: set[str]) -> Source:
    """A source as the op selection sees it: outputs of unselected ops are not connected."""
    if isinstance(src, list):
        kept = [s for s in src if s[1] in selected]
        return kept or None
    if src is not None and src[0] not in _NOT_A_STEP and src[1] not in selected:
        return None
    return src


def _unconnected(step: Step, param: str, in_def: Any, inputs_cfg: Mapping[str, Any],
                 input_values: Mapping[str, Any] | None, errors: list[str]) -> OpInput | None:
    if param in inputs_cfg:
        raw = inputs_cfg[param]
        return OpInput(param, "value", value=raw.get("value", raw) if isinstance(raw, dict) else raw)
    if input_values and param in input_values:
        return OpInput(param, "value", value=input_values[param])
    if in_def is not None and in_def.has_default:
        return OpInput(param, "value", value=in_def.default_value)
    path = ".".join(f"{part}.ops" for part in step.key.split(".")[:-1])
    where = f"ops.{path + '.' if path else ''}{step.key.split('.')[-1]}.inputs.{param}"
    errors.append(
        f"{where}: input {param!r} of op {step.key!r} is not connected to an upstream output "
        "and has no default; give its value in run config as "
        f"{where.replace('.', ': ')}: {{'value': ...}}")
    return None


# --- graph-backed assets -------------------------------------------------------------------


def graph_asset_steps(ad: Any, start: int,
                      node_outputs: dict[tuple[str, str], tuple[str, str]]) -> list[Step]:
    """The op steps of a graph-backed asset, named ``<graph>.<op>``, indexed from ``start``.

    The ops that produce the asset outputs store and record them; ops reading the graph's
    inputs read the upstream assets (their ``StepInput``s are added by ``build_plan``)."""
    graph: GraphDefinition = ad.op
    prefix = graph.name + "."
    graph_inputs = {name: ("asset", key) for name, key in ad.keys_by_input_name.items()}
    nodes: list[_Node] = []
    _flatten(graph, prefix, graph_inputs, {}, nodes, node_outputs)
    asset_outputs: dict[str, dict[str, AssetKey]] = {}
    for output, key in ad.keys_by_output_name.items():
        if key not in ad.selected_keys:
            continue
        path, op_output = graph.resolve_output(output)
        handle = prefix + ".".join(path)
        asset_outputs.setdefault(handle, {})[op_output] = key
        node_outputs[(graph.name, output)] = (handle, op_output)
    steps: list[Step] = []
    by_handle: dict[str, Step] = {}
    errors: list[str] = []
    for node in nodes:
        outputs = asset_outputs.get(node.handle, {})
        op = node.op
        if outputs:  # the asset outputs are stored with the asset's IO manager
            op = copy.copy(op)
            op.outs = {name: (dataclasses.replace(
                out, io_manager_key=ad.io_manager_key_for(outputs[name]))
                if name in outputs else out) for name, out in node.op.outs.items()}
        keys_by_input = {param: src[1] for param, src in node.sources.items()
                         if isinstance(src, tuple) and src[0] == "asset"}
        step = Step(start + len(steps), node.handle,
                    GraphAssetStepDefinition(op, ad, keys_by_input), [], outputs, {})
        _configure(step, node, (), None)
        _bind_inputs(step, node, by_handle, None, None, errors)
        steps.append(step)
        by_handle[node.handle] = step
    if errors:
        raise InvalidDefinitionError(
            f"Graph-backed asset {graph.name!r} has op inputs that nothing provides: "
            + "; ".join(e.split(": ", 1)[1].split(";")[0] for e in errors))
    return steps
