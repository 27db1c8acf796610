"""``@op``: a compute function with typed inputs and outputs, composed into graphs and jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from headwater.definitions.asset_key import check_valid_name
from headwater.definitions.asset_spec import DEFAULT_IO_MANAGER_KEY
from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.op import In, OpDefinition, Out, _resolve_hints, analyze_params
from headwater.definitions.types import resolve_type


def _typed_out(out: Out, annotation: Any = None) -> Out:
    """An op output with its runtime type resolved and its IO manager key filled in."""
    declared = out.dagster_type if out.dagster_type is not None else annotation
    return replace(out, dagster_type=resolve_type(declared),
                   io_manager_key=out.io_manager_key or DEFAULT_IO_MANAGER_KEY)


def _outs(out: Any, fn: Callable[..., Any], what: str) -> dict[str, Out]:
    ret = _resolve_hints(fn).get("return")
    if out is None:
        # `-> None` declares an output that carries no value (Nothing)
        returns_none = ret is None and "return" in getattr(fn, "__annotations__", {})
        return {"result": _typed_out(Out(), type(None) if returns_none else ret)}
    if isinstance(out, Out):
        return {"result": _typed_out(out, ret)}
    if isinstance(out, Mapping) and all(isinstance(o, Out) for o in out.values()):
        return {name: _typed_out(o) for name, o in out.items()}
    raise InvalidDefinitionError(f"{what}: out= must be an Out, a DynamicOut or a dict of them")


def _ins(params: Any, given: dict[str, In], what: str) -> dict[str, In]:
    op_ins: dict[str, In] = {}
    for p in params:
        if p.role != "input":
            continue
        spec = given.pop(p.name, None)
        declared = spec.dagster_type if spec is not None and spec.dagster_type is not None \
            else p.annotation
        op_ins[p.name] = In(
            dagster_type=resolve_type(declared),
            description=spec.description if spec else None,
            default_value=(spec.default_value if spec and spec.has_default else p.default),
            metadata=spec.metadata if spec else {},
            input_manager_key=spec.input_manager_key if spec else None)
    takes_kwargs = any(p.role == "var_kwargs" for p in params)
    unmatched = []
    for name, spec in given.items():  # inputs with no parameter: Nothing inputs, or **kwargs
        dagster_type = resolve_type(spec.dagster_type)
        if dagster_type.is_nothing or takes_kwargs:
            op_ins[name] = replace(spec, dagster_type=dagster_type)
        else:
            unmatched.append(name)
    if unmatched:
        raise InvalidDefinitionError(
            f"{what}: the function has no parameter for input(s) {unmatched} declared in "
            "ins=. Add a parameter for each In (an In(Nothing) input needs none), or accept "
            "**kwargs.")
    return op_ins


def op(compute_fn: Callable[..., Any] | None = None, *, name: str | None = None,
       description: str | None = None, ins: Mapping[str, In] | None = None, out: Any = None,
       config_schema: Any = None, required_resource_keys: Iterable[str] | None = None,
       tags: Mapping[str, Any] | None = None, retry_policy: Any = None,
       code_version: str | None = None, pool: str | None = None, **_: Any) -> Any:
    """Decorator: a function to run as a step; its parameters are its inputs."""

    def wrap(fn: Callable[..., Any]) -> OpDefinition:
        op_name = check_valid_name(name or fn.__name__, "Op name")
        what = f"@op {op_name!r}"
        params = analyze_params(fn, what)
        return OpDefinition(op_name, fn, ins=_ins(params, dict(ins or {}), what),
                            outs=_outs(out, fn, what), params=params,
                            description=description or (fn.__doc__ or "").strip() or None,
                            required_resource_keys=frozenset(required_resource_keys or ()),
                            tags=tags, retry_policy=retry_policy, config_schema=config_schema,
                            code_version=code_version, pool=pool)

    return wrap(compute_fn) if compute_fn is not None else wrap
