"""Ops: a compute function with named inputs and outputs. Every asset runs as one op."""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from headwater.definitions.composition import (
    PendingNodeInvocation,
    in_composition,
    invoke_in_composition,
)
from headwater.definitions.config_types import legacy_config_field
from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.invocation import invoke
from headwater.definitions.resource_defs import is_resource_annotation

_CONTEXT_NAMES = frozenset({"context", "_context", "_"})
_EMPTY = inspect.Parameter.empty
_NO_METADATA: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class In:
    """An op input: its type, description, default and metadata."""

    dagster_type: Any = None
    description: str | None = None
    default_value: Any = _EMPTY
    metadata: Mapping[str, Any] = field(default_factory=lambda: _NO_METADATA)
    asset_key: Any = None
    input_manager_key: str | None = None

    @property
    def has_default(self) -> bool:
        return self.default_value is not _EMPTY


@dataclass(frozen=True)
class Out:
    """An op output: its type, whether it must be produced, and its IO manager."""

    dagster_type: Any = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=lambda: _NO_METADATA)
    code_version: str | None = None


@dataclass(frozen=True)
class DynamicOut(Out):
    """An output that yields many ``DynamicOutput``s, one per mapping key (fan-out)."""


@dataclass(frozen=True)
class Param:
    """One parameter of a compute function, classified by ``analyze_params``.

    (The docstring also keeps ``dataclass`` from rendering a signature whose default is
    ``inspect.Parameter.empty``, which Python 3.11.2 refuses.)
    """

    name: str
    role: str  # "context" | "input" | "config" | "resource" | "var_kwargs"
    annotation: Any = None
    default: Any = _EMPTY


_PARAM_CACHE: dict[Any, tuple[Param, ...]] = {}


def analyze_params(fn: Callable[..., Any], what: str) -> tuple[Param, ...]:
    """Classify a compute function's parameters: context, inputs, config, resources.

    Cached per code object and annotations, so an asset factory pays for it once.
    """
    code = getattr(fn, "__code__", None)
    cache_key = None
    # a wrapper's signature is its wrapped function's, which its code object does not tell
    if code is not None and not hasattr(fn, "__wrapped__"):
        ann = getattr(fn, "__annotations__", None) or {}
        cache_key = (code, tuple(ann.items()), getattr(fn, "__defaults__", None))
        try:
            hit = _PARAM_CACHE.get(cache_key)
        except TypeError:
            cache_key, hit = None, None
        if hit is not None:
            return hit
    params = _analyze(fn, what)
    if cache_key is not None and len(_PARAM_CACHE) < 10000:
        _PARAM_CACHE[cache_key] = params
    return params


def _resolve_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    raw = getattr(fn, "__annotations__", {}) or {}
    if not any(isinstance(v, str) for v in raw.values()):
        return dict(raw)
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:
        return {k: v for k, v in raw.items() if not isinstance(v, str)}


def _is_config_annotation(ann: Any) -> bool:
    # a Config subclass exists only once the config module (and pydantic) has been imported
    config = sys.modules.get("headwater.definitions.config")
    return config is not None and isinstance(ann, type) and issubclass(ann, config.Config)


def _analyze(fn: Callable[..., Any], what: str) -> tuple[Param, ...]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError) as e:
        raise InvalidDefinitionError(f"{what}: cannot read the signature of {fn!r}: {e}") from None
    hints = _resolve_hints(fn)
    out: list[Param] = []
    for i, p in enumerate(sig.parameters.values()):
        ann = hints.get(p.name)
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            raise InvalidDefinitionError(f"{what}: *{p.name} is not supported; name each input")
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            out.append(Param(p.name, "var_kwargs", ann))
        elif i == 0 and p.name in _CONTEXT_NAMES:
            out.append(Param(p.name, "context", ann))
        elif _is_config_annotation(ann):
            out.append(Param(p.name, "config", ann, p.default))
        elif is_resource_annotation(ann):
            out.append(Param(p.name, "resource", ann, p.default))
        else:
            out.append(Param(p.name, "input", ann, p.default))
    return tuple(out)


class OpDefinition:
    """A compute function and its interface. ``AssetsDefinition.op`` is one of these."""

    def __init__(self, name: str, compute_fn: Callable[..., Any] | None,
                 ins: Mapping[str, In] | None = None, outs: Mapping[str, Out] | None = None,
                 params: tuple[Param, ...] = (), description: str | None = None,
                 required_resource_keys: set[str] | frozenset[str] = frozenset(),
                 tags: Mapping[str, Any] | None = None, retry_policy: Any = None,
                 config_schema: Any = None, code_version: str | None = None,
                 pool: str | None = None):
        self.name = name
        self.compute_fn = compute_fn
        self.ins = ins if type(ins) is dict else dict(ins or {})
        self.outs = outs if type(outs) is dict else dict(outs or {"result": Out()})
        self.params = params
        self.description = description
        self.tags = dict(tags) if tags else {}
        self.retry_policy = retry_policy
        self.config_schema = config_schema
        # the legacy schema, resolved once here: a bad schema is refused where it is written
        self.config_field = legacy_config_field(config_schema)
        self.code_version = code_version
        self.pool = pool
        self.context_param: str | None = None
        self.config_param: Param | None = None
        resource_params = []
        for p in params:
            if p.role == "context":
                self.context_param = p.name
            elif p.role == "config":
                self.config_param = p
            elif p.role == "resource":
                resource_params.append(p.name)
        keys = required_resource_keys
        if resource_params:
            keys = frozenset(keys) | frozenset(resource_params)
        self.required_resource_keys = keys if type(keys) is frozenset else frozenset(keys)

    @property
    def input_names(self) -> list[str]:
        return list(self.ins)

    @property
    def output_names(self) -> list[str]:
        return list(self.outs)

    @property
    def input_defs(self) -> list[In]:
        return list(self.ins.values())

    @property
    def output_defs(self) -> list[Out]:
        return list(self.outs.values())

    @property
    def output_dict(self) -> dict[str, Out]:
        """Each output by name (Dagster's ``OpDefinition.output_dict``)."""
        return dict(self.outs)

    @property
    def input_dict(self) -> dict[str, In]:
        return dict(self.ins)

    @property
    def config_cls(self) -> Any:
        return self.config_param.annotation if self.config_param else None

    # --- composition and direct invocation ---
    @property
    def input_params(self) -> list[str]:
        """Input names in positional order: the function's, then inputs only declared in
        ``ins`` (``In(Nothing)`` inputs, which order steps but pass no value)."""
        names = [p.name for p in self.params if p.role == "input"]
        return names + [n for n in self.ins if n not in names]

    def _compose(self, args: tuple[Any, ...], kwargs: dict[str, Any], **options: Any) -> Any:
        dynamic = {n for n, o in self.outs.items() if isinstance(o, DynamicOut)}
        return invoke_in_composition(self, self.input_params, list(self.outs), dynamic, args,
                                     kwargs, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if in_composition():
            return self._compose(args, kwargs)
        return invoke(self, self, args, kwargs)

    def alias(self, name: str) -> Any:
        return PendingNodeInvocation(self).alias(name)

    def tag(self, tags: Mapping[str, Any]) -> Any:
        return PendingNodeInvocation(self).tag(dict(tags))

    def with_hooks(self, hooks: Any) -> Any:
        return PendingNodeInvocation(self).with_hooks(hooks)

    def with_retry_policy(self, policy: Any) -> Any:
        return PendingNodeInvocation(self).with_retry_policy(policy)

    def __repr__(self) -> str:
        return f"OpDefinition({self.name!r})"
