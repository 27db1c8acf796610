"""``@graph`` and ``@job``: ops wired together by calling them inside a function."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from headwater.definitions.composition import (
    GraphInput,
    NodeOutput,
    building,
    in_composition,
    invoke_in_composition,
)
from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.op import analyze_params


class GraphDefinition:
    """Nodes (op or graph invocations) and how their inputs and outputs connect."""

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

    @property
    def node_names(self) -> list[str]:
        return [n.name for n in self.nodes]

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
        from headwater.definitions.composition import PendingNodeInvocation

        return PendingNodeInvocation(self, alias=name)

    def to_job(self, name: str | None = None, description: str | None = None,
               resource_defs: Mapping[str, Any] | None = None, config: Any = None,
               tags: Mapping[str, Any] | None = None, executor_def: Any = None,
               hooks: Iterable[Any] | None = None, op_retry_policy: Any = None,
               op_selection: Any = None, **_: Any) -> Any:
        from headwater.definitions.jobs import JobDefinition

        return JobDefinition(name or self.name, None, set(), resource_defs or {}, config,
                             {**self.tags, **(tags or {})}, description or self.description,
                             executor_def, graph_def=self, hooks=hooks,
                             op_retry_policy=op_retry_policy)

    def execute_in_process(self, run_config: Any = None, instance: Any = None,
                           resources: Mapping[str, Any] | None = None,
                           raise_on_error: bool = True, op_selection: Any = None,
                           run_id: str | None = None, input_values: Any = None) -> Any:
        return self.to_job(resource_defs=resources).execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=raise_on_error,
            op_selection=op_selection, run_id=run_id, input_values=input_values)

    def __repr__(self) -> str:
        return f"GraphDefinition({self.name!r}, nodes={self.node_names})"


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
    return GraphDefinition(name, builder.nodes, params, outputs,
                           description or (fn.__doc__ or "").strip() or None, tags, config)


def graph(compose_fn: Callable[..., Any] | None = None, *, name: str | None = None,
          description: str | None = None, out: Any = None, tags: Mapping[str, Any] | None = None,
          config: Any = None, **_: Any) -> Any:
    """Decorator: a function that wires ops together (it runs once, when decorated)."""

    def wrap(fn: Callable[..., Any]) -> GraphDefinition:
        return build_graph(fn, name or fn.__name__, description, out, tags, config)

    return wrap(compose_fn) if compose_fn is not None else wrap


def job(compose_fn: Callable[..., Any] | None = None, *, name: str | None = None,
        description: str | None = None, resource_defs: Mapping[str, Any] | None = None,
        config: Any = None, tags: Mapping[str, Any] | None = None, executor_def: Any = None,
        hooks: Iterable[Any] | None = None, op_retry_policy: Any = None, **_: Any) -> Any:
    """Decorator: a graph of ops, with resources and config, that can run."""

    def wrap(fn: Callable[..., Any]) -> Any:
        g = build_graph(fn, name or fn.__name__, description)
        return g.to_job(resource_defs=resource_defs, config=config, tags=tags,
                        executor_def=executor_def, hooks=hooks, op_retry_policy=op_retry_policy)

    return wrap(compose_fn) if compose_fn is not None else wrap
