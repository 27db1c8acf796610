"""Plans for op jobs: the graph flattened into steps named by handle (``outer.inner``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from headwater.definitions.composition import Collected, GraphInput, MappedInput, NodeOutput
from headwater.definitions.errors import InvalidDefinitionError, InvalidSubsetError
from headwater.definitions.graph import GraphDefinition
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


# a resolved source: ("output", handle, output) | ("mapped", ...) | ("collect", ...) | list
Source = Any


def build_op_plan(job: Any, op_selection: Any = None, run_config: Mapping[str, Any] | None = None,
                  input_values: Mapping[str, Any] | None = None) -> ExecutionPlan:
    steps: list[Step] = []
    index: dict[str, int] = {}
    ops_config = dict((run_config or {}).get("ops") or {})

    def resolve(src: Any, prefix: str, graph_inputs: Mapping[str, Source]) -> Source:
        if isinstance(src, NodeOutput):
            return _follow(src, prefix)
        if isinstance(src, GraphInput):
            return graph_inputs.get(src.name)
        if isinstance(src, MappedInput):
            return ("mapped", *_follow(src.source, prefix)[1:])
        if isinstance(src, Collected):
            return ("collect", *_follow(src.source, prefix)[1:])
        if isinstance(src, list):
            return [resolve(s, prefix, graph_inputs) for s in src]
        return None

    def _follow(out: NodeOutput, prefix: str) -> tuple[str, str, str]:
        node, name = out.node, out.output_name
        handle = prefix + node.name
        while isinstance(node.definition, GraphDefinition):
            inner = node.definition.output_mapping[name]
            node, name = inner.node, inner.output_name
            handle = f"{handle}.{node.name}"
        kind = "sibling" if node.mapped else "output"
        return (kind, handle, name)

    def flatten(graph: GraphDefinition, prefix: str, graph_inputs: Mapping[str, Source],
                config: Mapping[str, Any]) -> None:
        for node in graph.nodes:
            handle = prefix + node.name
            node_cfg = dict(config.get(node.name) or {}) if isinstance(config, Mapping) else {}
            if isinstance(node.definition, GraphDefinition):
                inner = {n: resolve(s, prefix, graph_inputs) for n, s in node.bindings.items()}
                flatten(node.definition, handle + ".", inner, node_cfg.get("ops") or {})
                continue
            op = node.definition
            step = Step(len(steps), handle, OpStepDefinition(op), [], {}, {})
            step.hooks = frozenset(node.hooks) | job.hook_defs
            step.retry_policy = node.retry_policy or op.retry_policy or job.op_retry_policy
            step.node_tags = {**op.tags, **node.tags}
            inputs_cfg = node_cfg.get("inputs") or {}
            for param in op.input_params:
                src = resolve(node.bindings.get(param), prefix, graph_inputs)
                step.op_inputs.append(_op_input(step, param, src, op, inputs_cfg, index, steps,
                                                input_values if not prefix else None))
            steps.append(step)
            index[handle] = step.index

    flatten(job.graph_def, "", {}, ops_config)
    if op_selection:
        steps = _select(steps, op_selection)
    return ExecutionPlan(_toposort(steps), None)  # type: ignore[arg-type]


def _op_input(step: Step, param: str, src: Source, op: Any, inputs_cfg: Mapping[str, Any],
              index: Mapping[str, int], steps: list[Step],
              input_values: Mapping[str, Any] | None) -> OpInput:
    if src is None:
        if param in inputs_cfg:
            raw = inputs_cfg[param]
            return OpInput(param, "value", value=raw.get("value", raw) if isinstance(raw, dict) else raw)
        if input_values and param in input_values:
            return OpInput(param, "value", value=input_values[param])
        in_def = op.ins.get(param)
        if in_def is not None and in_def.has_default:
            return OpInput(param, "value", value=in_def.default_value)
        raise InvalidDefinitionError(
            f"Input {param!r} of op {step.key!r} is not connected to any output, has no default, "
            f"and is not given in run config (ops.{step.key}.inputs.{param}). Connect it in the "
            "graph, give the parameter a default, or provide it in run config.")
    if isinstance(src, list):
        sources = [(index[h], o) for _, h, o in src]
        step.deps.update(i for i, _ in sources)
        return OpInput(param, "fan_in", sources)
    kind, handle, output = src
    source = (index[handle], output)
    step.deps.add(source[0])
    if kind == "mapped":
        step.mapped_from = source
    elif kind == "sibling":  # downstream of a mapped step, still mapped: same fan-out
        step.mapped_from = steps[source[0]].mapped_from
    return OpInput(param, kind, [source])


def _select(steps: list[Step], op_selection: Any) -> list[Step]:
    names = [op_selection] if isinstance(op_selection, str) else list(op_selection)
    keep = {s.index for s in steps if s.key in names or s.key.split(".")[-1] in names}
    if not keep:
        raise InvalidSubsetError(f"op_selection {names!r} matches no op of the job")
    chosen = [s for s in steps if s.index in keep]
    for s in chosen:  # inputs from ops outside the selection load nothing: use their defaults
        s.deps = {d for d in s.deps if d in keep}
    remap = {s.index: i for i, s in enumerate(chosen)}
    for s in chosen:
        s.index = remap[s.index]
        s.deps = {remap[d] for d in s.deps}
        s.op_inputs = [oi for oi in s.op_inputs if all(i in remap for i, _ in oi.sources)]
        for oi in s.op_inputs:
            oi.sources = [(remap[i], o) for i, o in oi.sources]
        if s.mapped_from is not None and isinstance(s.mapped_from[0], int):
            s.mapped_from = (remap[s.mapped_from[0]], s.mapped_from[1]) if s.mapped_from[0] in remap else None
    return chosen
