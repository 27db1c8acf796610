"""Composing ops into graphs: inside ``@graph``/``@job``, calling an op records a node.

Calling an op or graph while a graph is being built returns handles to its outputs instead
of running it; ``.map(fn)`` and ``.collect()`` on a dynamic output describe fan-out/fan-in.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from headwater.definitions.errors import InvalidDefinitionError


@dataclass
class InvokedNode:
    name: str
    definition: Any  # OpDefinition or GraphDefinition
    bindings: dict[str, Any]  # input name -> source (see below)
    tags: dict[str, Any] = field(default_factory=dict)
    hooks: frozenset[Any] = frozenset()
    retry_policy: Any = None
    mapped: bool = False  # runs once per mapping key of a dynamic output


@dataclass(frozen=True)
class NodeOutput:
    """A handle to one output of an invoked node."""

    node: InvokedNode
    output_name: str
    dynamic: bool = False

    @property
    def mapped(self) -> bool:
        return self.node.mapped

    def map(self, fn: Callable[..., Any]) -> Any:
        if self.node.mapped:  # already fanned out: fn runs on each mapping key's copy
            return fn(self)
        if not self.dynamic:
            raise InvalidDefinitionError(
                f"Output {self.output_name!r} of {self.node.name!r} is not dynamic: only a "
                "DynamicOut (or the output of a mapped op) can be .map()-ed")
        return fn(MappedInput(self))

    def collect(self) -> Collected:
        if not self.node.mapped:
            raise InvalidDefinitionError(
                f".collect() is for the outputs of a mapped node; {self.node.name!r} is not "
                "mapped (call .map(...) on a dynamic output first)")
        return Collected(self)


@dataclass(frozen=True)
class MappedInput:
    """Inside ``.map(fn)``: each mapping key's value of a dynamic output."""

    source: NodeOutput


@dataclass(frozen=True)
class Collected:
    """``.collect()``: the list of a mapped node's outputs, one per mapping key."""

    source: NodeOutput


@dataclass(frozen=True)
class GraphInput:
    """An input of the graph being built, bound when the graph itself is invoked."""

    name: str


@dataclass(frozen=True)
class AssetInput:
    """An asset (an ``AssetSpec`` or a one-key ``@asset``) passed as an op's input inside a
    graph: the op loads the asset's stored value through the IO manager the asset names (its
    ``io_manager_key``, else the job's ``io_manager``), as an asset's downstream would."""

    key: Any  # AssetKey
    spec: Any  # AssetSpec: what the IO manager sees as the upstream output's spec
    io_manager_key: str


def _asset_input(value: Any, what: str) -> AssetInput | None:
    """The asset input for an ``AssetSpec`` or ``AssetsDefinition`` value, else None."""
    from headwater.definitions.asset_spec import (
        DEFAULT_IO_MANAGER_KEY,
        IO_MANAGER_KEY_METADATA,
        AssetSpec,
    )
    from headwater.definitions.assets import AssetsDefinition

    if isinstance(value, AssetSpec):
        key = value.metadata.get(IO_MANAGER_KEY_METADATA) or DEFAULT_IO_MANAGER_KEY
        return AssetInput(value.key, value, key)
    if isinstance(value, AssetsDefinition):
        keys = list(value.keys)
        if len(keys) != 1:
            raise InvalidDefinitionError(
                f"{what} was given an asset definition with {len(keys)} assets "
                f"({[k.to_user_string() for k in keys][:5]}); pass one of them as an "
                "AssetSpec (e.g. the definition's .specs) so it is clear which one to load.")
        key = keys[0]
        return AssetInput(key, value.get_asset_spec(key), value.io_manager_key_for(key))
    return None


class _Builder:
    def __init__(self, graph_name: str):
        self.graph_name = graph_name
        self.nodes: list[InvokedNode] = []
        self.counts: dict[str, int] = {}
        self.used: set[str] = set()

    def unique(self, name: str, alias: str | None = None) -> str:
        """The node's name: its alias, or the definition's name numbered from the second
        call on (``inc``, ``inc_2``); a name already taken is refused, not renumbered."""
        if alias is not None:
            node_name = alias
        else:
            n = self.counts.get(name, 0) + 1
            self.counts[name] = n
            node_name = name if n == 1 else f"{name}_{n}"
        if node_name in self.used:
            raise InvalidDefinitionError(
                f"{self.graph_name!r} calls a node named {node_name!r} twice: a second call of "
                "the same op gets a numbered name, so give this call another "
                f".alias(...) than {node_name!r}.")
        self.used.add(node_name)
        return node_name


_LOCAL = threading.local()


def _stack() -> list[_Builder]:
    stack = getattr(_LOCAL, "stack", None)
    if stack is None:
        stack = _LOCAL.stack = []
    return stack


def in_composition() -> bool:
    return bool(_stack())


class building:
    """Context: everything invoked inside becomes a node of the graph ``name``."""

    def __init__(self, name: str):
        self.builder = _Builder(name)

    def __enter__(self) -> _Builder:
        _stack().append(self.builder)
        return self.builder

    def __exit__(self, *exc: Any) -> None:
        _stack().pop()


_SOURCE_TYPES = (NodeOutput, MappedInput, Collected, GraphInput, AssetInput)


def _check_source(value: Any, what: str) -> Any:
    if isinstance(value, _SOURCE_TYPES):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, NodeOutput) for v in value):
        return list(value)  # fan-in of several outputs
    asset_input = _asset_input(value, what)
    if asset_input is not None:
        return asset_input
    raise InvalidDefinitionError(
        f"{what} was given {value!r} inside a graph. Inside @graph/@job, inputs must be outputs "
        "of other ops, the graph's own inputs or assets (an AssetSpec or @asset, loaded through "
        "their IO manager); pass plain values through run config or input defaults instead.")


def invoke_in_composition(definition: Any, input_names: list[str], output_names: list[str],
                          dynamic_outputs: set[str], args: tuple[Any, ...],
                          kwargs: dict[str, Any], *, alias: str | None = None,
                          tags: dict[str, Any] | None = None, hooks: frozenset[Any] = frozenset(),
                          retry_policy: Any = None) -> Any:
    builder = _stack()[-1]
    name = builder.unique(definition.name, alias)
    what = f"{type(definition).__name__.replace('Definition', '').lower()} {name!r}"
    if len(args) > len(input_names):
        raise InvalidDefinitionError(
            f"{what} takes inputs {input_names} but was called with {len(args)} positional values")
    bindings: dict[str, Any] = {}
    for input_name, value in zip(input_names, args, strict=False):
        bindings[input_name] = _check_source(value, f"{what} input {input_name!r}")
    for key, value in kwargs.items():
        if key not in input_names:
            raise InvalidDefinitionError(f"{what} has no input named {key!r}; inputs are {input_names}")
        bindings[key] = _check_source(value, f"{what} input {key!r}")
    mapped = any(isinstance(v, MappedInput) or (isinstance(v, NodeOutput) and v.mapped)
                 for v in bindings.values())
    node = InvokedNode(name, definition, bindings, dict(tags or {}), hooks, retry_policy, mapped)
    builder.nodes.append(node)
    handles = [NodeOutput(node, o, o in dynamic_outputs) for o in output_names]
    if not handles:
        return None
    if len(handles) == 1:
        return handles[0]
    return namedtuple(f"{name}_outputs", output_names)(*handles)  # type: ignore[misc,arg-type]


@dataclass(frozen=True, eq=False)
class PendingNodeInvocation:
    """An op or graph with an alias, tags, hooks or a retry policy, waiting to be called."""

    definition: Any
    given_alias: str | None = None
    tags: dict[str, Any] = field(default_factory=dict)
    hooks: frozenset[Any] = frozenset()
    retry_policy: Any = None

    def alias(self, name: str) -> PendingNodeInvocation:
        return replace(self, given_alias=name)

    def tag(self, tags: dict[str, Any]) -> PendingNodeInvocation:
        return replace(self, tags={**self.tags, **tags})

    def with_hooks(self, hooks: Any) -> PendingNodeInvocation:
        return replace(self, hooks=self.hooks | frozenset(hooks))

    def with_retry_policy(self, policy: Any) -> PendingNodeInvocation:
        return replace(self, retry_policy=policy)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not in_composition():
            raise InvalidDefinitionError(
                f"{self.definition.name!r} with an alias, tags or hooks can only be called "
                "inside a @graph or @job")
        return self.definition._compose(args, kwargs, alias=self.given_alias, tags=self.tags,
                                        hooks=self.hooks, retry_policy=self.retry_policy)
