"""``@graph`` and ``@job``: ops wired together by calling them inside a function."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from headwater.definitions.asset_key import check_valid_name
from headwater.definitions.asset_spec import DEFAULT_IO_MANAGER_KEY
from headwater.definitions.composition import (
    GraphInput,
    InvokedNode,
    NodeOutput,
    PendingNodeInvocation,
    building,
    in_composition,
    invoke_in_composition,
)
from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.op import In, Out, analyze_params


@dataclass(frozen=True)
class GraphOut:
    """An output of a graph (``@graph(out={"name": GraphOut()})``)."""

    description: str | None = None


@dataclass(frozen=True)
class GraphIn:
    """An input of a graph (``@graph(ins={"name": GraphIn()})``)."""

    description: str | None = None


class GraphDefinition:
    """Nodes (op or graph invocations) and how their inputs and outputs connect.

    A graph also answers what an op answers about its interface (``ins``, ``outs``,
    ``required_resource_keys``), so a graph-backed asset can hold it where an asset's op goes.
    """

    compute_fn = None  # a graph runs its nodes, not a function
    compose_fn: Any = None  # the decorated function that composed it (for code references)
    params: tuple[Any, ...] = ()
    context_param = None
    config_cls = None
    retry_policy = None

    def __init__(self, name: str, nodes: list[Any], input_names: list[str],
                 output_mapping: Mapping[str, NodeOutput], description: str | None = None,
                 tags: Mapping[str, Any] | None = None, config: Any = None):
        self.name = name
        self.nodes = nodes
        self.input_names = input_names
        self.output_mapping = dict(output_mapping)
        self.description = description
        self.tags = dict(tags or {})
        self.config = config

    @property
    def node_defs(self) -> list[Any]:
        return list(dict.fromkeys(n.definition for n in self.nodes))

    def node_names(self) -> list[str]:
        return [n.name for n in self.nodes]

    # --- the interface an op also has ---
    def _follow_output(self, output_name: str) -> tuple[list[str], InvokedNode, str]:
        """The op node that produces this graph output, its node path inside the graph and
        its output name (graphs nested in the graph are followed down)."""
        handle = self.output_mapping[output_name]
        path = [handle.node.name]
        node, name = handle.node, handle.output_name
        while isinstance(node.definition, GraphDefinition):
            inner = node.definition.output_mapping[name]
            node, name = inner.node, inner.output_name
            path.append(node.name)
        return path, node, name

    def resolve_output(self, output_name: str) -> tuple[list[str], str]:
        """The op that produces this graph output: its node path inside the graph, and its
        output name (graphs nested in the graph are followed down)."""
        path, _, name = self._follow_output(output_name)
        return path, name

    @property
    def outs(self) -> dict[str, Out]:
        outs = {}
        for output_name in self.output_mapping:
            _, node, name = self._follow_output(output_name)
            outs[output_name] = node.definition.outs[name]
        return outs

    @property
    def ins(self) -> dict[str, In]:
        found: dict[str, In] = {}
        for node, op_input, graph_input in self._graph_input_uses():
            found.setdefault(graph_input, node.definition.ins.get(op_input) or In())
        return {name: found.get(name, In()) for name in self.input_names}

    def _graph_input_uses(self) -> Iterator[tuple[InvokedNode, str, str]]:
        for node in self.nodes:
            for input_name, source in node.bindings.items():
                if isinstance(source, GraphInput):
                    yield node, input_name, source.name

    def iterate_op_nodes(self, prefix: str = "") -> Iterator[tuple[str, InvokedNode]]:
        """Every op invocation, nested graphs included, with its handle (``outer.inner``)."""
        for node in self.nodes:
            if isinstance(node.definition, GraphDefinition):
                yield from node.definition.iterate_op_nodes(f"{prefix}{node.name}.")
            else:
                yield prefix + node.name, node

    @property
    def required_resource_keys(self) -> frozenset[str]:
        keys: set[str] = set()
        for _, node in self.iterate_op_nodes():
            keys |= node.definition.required_resource_keys
            keys |= {o.io_manager_key or DEFAULT_IO_MANAGER_KEY
                     for o in node.definition.outs.values()}
        return frozenset(keys)

    def check_inputs_resolvable(self) -> None:
        """Every op input that nothing connects must be loadable from run config (or have a
        default, or be a Nothing input): otherwise no run of this graph could provide it."""
        from headwater.definitions.types import resolve_type

        for handle, node in self.iterate_op_nodes():
            op = node.definition
            for name in op.input_params:
                in_def = op.ins.get(name)
                if name in node.bindings or in_def is None or in_def.has_default:
                    continue
                dagster_type = resolve_type(in_def.dagster_type)
                if dagster_type.is_nothing or dagster_type.loadable_from_config:
                    continue
                raise InvalidDefinitionError(
                    f"Input {name!r} of op {handle!r} has no way of being resolved: it is not "
                    f"connected to an upstream output, has no default value, and its type "
                    f"{dagster_type.display_name!r} cannot be given in run config. Connect it "
                    "to another op's output or a graph input, or give it a default.")

    def _compose(self, args: tuple[Any, ...], kwargs: dict[str, Any], **options: Any) -> Any:
        dynamic = {n for n, h in self.output_mapping.items() if h.dynamic}
        return invoke_in_composition(self, self.input_names, list(self.output_mapping), dynamic,
                                     args, kwargs, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if in_composition():
            return self._compose(args, kwargs)
        raise InvalidDefinitionError(
            f"Graph {self.name!r} can only be called inside another @graph or @job; to run it, "
            "use .to_job().execute_in_process() or .execute_in_process()")

    def alias(self, name: str) -> Any:
        return PendingNodeInvocation(self).alias(name)

    def to_job(self, name: str | None = None, description: str | None = None,
               resource_defs: Mapping[str, Any] | None = None, config: Any = None,
               tags: Mapping[str, Any] | None = None, executor_def: Any = None,
               hooks: Iterable[Any] | None = None, op_retry_policy: Any = None,
               op_selection: Any = None, partitions_def: Any = None,
               logger_defs: Mapping[str, Any] | None = None, **_: Any) -> Any:
        from headwater.definitions.jobs import JobDefinition

        self.check_inputs_resolvable()
        return JobDefinition(name or self.name, None, set(), resource_defs or {}, config,
                             {**self.tags, **(tags or {})}, description or self.description,
                             executor_def, graph_def=self, hooks=hooks,
                             op_retry_policy=op_retry_policy, partitions_def=partitions_def,
                             logger_defs=logger_defs)

    def execute_in_process(self, run_config: Any = None, instance: Any = None,
                           resources: Mapping[str, Any] | None = None,
                           raise_on_error: bool = True, op_selection: Any = None,
                           run_id: str | None = None, input_values: Any = None) -> Any:
        return self.to_job(resource_defs=resources).execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=raise_on_error,
            op_selection=op_selection, run_id=run_id, input_values=input_values)

    def __repr__(self) -> str:
        return f"GraphDefinition({self.name!r}, nodes={self.node_names()})"


def build_graph(fn: Callable[..., Any], name: str, description: str | None = None,
                out: Any = None, tags: Mapping[str, Any] | None = None,
                config: Any = None) -> GraphDefinition:
    params = [p.name for p in analyze_params(fn, f"graph {name!r}") if p.role == "input"]
    with building(name) as builder:
        result = fn(*[GraphInput(p) for p in params])
    outputs: dict[str, NodeOutput] = {}
    if result is None:
        pass
    elif isinstance(result, NodeOutput):
        outputs["result"] = result
    elif isinstance(result, Mapping):
        outputs = dict(result)
        unknown = sorted(set(outputs) - set(out)) if isinstance(out, Mapping) else []
        if unknown:
            raise InvalidDefinitionError(
                f"graph {name!r} returned outputs {unknown}, which its out= does not declare "
                f"({sorted(out)})")
    elif isinstance(result, tuple):
        names = list(out) if isinstance(out, Mapping) else (
            list(result._fields) if hasattr(result, "_fields") else
            [f"result_{i}" for i in range(len(result))])
        outputs = dict(zip(names, result, strict=True))
    else:
        raise InvalidDefinitionError(
            f"graph {name!r} returned {result!r}; a graph returns an op's output, a dict or a "
            "tuple of them, or None")
    for key, handle in outputs.items():
        if not isinstance(handle, NodeOutput):
            raise InvalidDefinitionError(f"graph {name!r} output {key!r} is not an op output")
    _check_one_definition_per_name(name, builder.nodes)
    graph_def = GraphDefinition(name, builder.nodes, params, outputs,
                                description or (fn.__doc__ or "").strip() or None, tags, config)
    graph_def.compose_fn = fn
    return graph_def


def iter_node_defs(nodes: Iterable[InvokedNode]) -> Iterator[Any]:
    """Each op or graph definition the nodes invoke, nested graphs' included, once each (by
    identity; two different definitions may share a name — the check below refuses that)."""
    seen: set[int] = set()
    stack = [n.definition for n in nodes]
    while stack:
        definition = stack.pop()
        if id(definition) in seen:
            continue
        seen.add(id(definition))
        yield definition
        if isinstance(definition, GraphDefinition):
            stack.extend(n.definition for n in definition.nodes)


def _check_one_definition_per_name(graph_name: str, nodes: list[InvokedNode]) -> None:
    """Within a graph, nested graphs included, a name means one op or graph definition (the
    same definition may be called any number of times)."""
    by_name: dict[str, Any] = {}
    for definition in iter_node_defs(nodes):
        other = by_name.setdefault(definition.name, definition)
        if other is not definition:
            raise InvalidDefinitionError(
                f"{graph_name!r} uses two different definitions named {definition.name!r}: "
                f"{_origin(other)} and {_origin(definition)}. Names identify ops within a job; "
                "give one of them another name (@op(name=...) or @graph(name=...)).")


def _origin(definition: Any) -> str:
    fn = getattr(definition, "compute_fn", None)
    if fn is not None and hasattr(fn, "__qualname__"):
        return f"{fn.__module__}.{fn.__qualname__}"
    return f"{type(definition).__name__.replace('Definition', '').lower()} {definition.name!r}"


def graph(compose_fn: Callable[..., Any] | None = None, *, name: str | None = None,
          description: str | None = None, out: Any = None, tags: Mapping[str, Any] | None = None,
          config: Any = None, **_: Any) -> Any:
    """Decorator: a function that wires ops together (it runs once, when decorated)."""

    def wrap(fn: Callable[..., Any]) -> GraphDefinition:
        graph_name = check_valid_name(name or fn.__name__, "Graph name")
        return build_graph(fn, graph_name, description, out, tags, config)

    return wrap(compose_fn) if compose_fn is not None else wrap


def job(compose_fn: Callable[..., Any] | None = None, *, name: str | None = None,
        description: str | None = None, resource_defs: Mapping[str, Any] | None = None,
        config: Any = None, tags: Mapping[str, Any] | None = None, executor_def: Any = None,
        hooks: Iterable[Any] | None = None, op_retry_policy: Any = None,
        partitions_def: Any = None, logger_defs: Mapping[str, Any] | None = None,
        **_: Any) -> Any:
    """Decorator: a graph of ops, with resources and config, that can run."""

    def wrap(fn: Callable[..., Any]) -> Any:
        g = build_graph(fn, check_valid_name(name or fn.__name__, "Job name"), description)
        return g.to_job(resource_defs=resource_defs, config=config, tags=tags,
                        executor_def=executor_def, hooks=hooks, op_retry_policy=op_retry_policy,
                        partitions_def=partitions_def, logger_defs=logger_defs)

    return wrap(compose_fn) if compose_fn is not None else wrap
