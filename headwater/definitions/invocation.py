"""Calling an asset, check or op function directly, as unit tests do."""

from __future__ import annotations

import inspect
from typing import Any

from headwater.definitions.errors import InvalidInvocationError, TypeCheckDidNotPass
from headwater.definitions.types import resolve_type


def invoke(definition: Any, op: Any, args: Any, kwargs: dict[str, Any]) -> Any:
    """Bind positional/keyword arguments to the op's parameters and call its function."""
    fn = op.compute_fn
    params = op.params
    args = list(args)
    kwargs = dict(kwargs)
    bound: dict[str, Any] = {}
    context = None
    what = f"{type(definition).__name__.replace('Definition', '')} {op.name!r}"
    if op.context_param is not None:
        if args:
            context = args.pop(0)
        elif op.context_param in kwargs:
            context = kwargs.pop(op.context_param)
        elif "context" in kwargs:
            context = kwargs.pop("context")
        else:
            raise InvalidInvocationError(
                f"{what} takes a context ({op.context_param!r}) but was called without one; "
                "call it as my_asset(build_asset_context(), ...)")
        context = _bind_context(context, definition)
        bound[op.context_param] = context
    elif args and _looks_like_context(args[0]):
        context = args.pop(0)  # a context given to a function that does not take one
    if context is None and "context" in kwargs and _looks_like_context(kwargs["context"]):
        context = kwargs.pop("context")
    if op.context_param is None:
        context = _bind_context(context, definition)
    resources = getattr(context, "resources", None) if context is not None else None
    for p in params:
        if p.role == "context":
            continue
        if p.role == "var_kwargs":
            bound.update(kwargs)
            kwargs.clear()
            continue
        if args:  # positional arguments fill parameters in order, whatever their role
            bound[p.name] = args.pop(0)
        elif p.name in kwargs:
            bound[p.name] = kwargs.pop(p.name)
        elif p.role == "resource" and resources is not None and hasattr(resources, p.name):
            bound[p.name] = getattr(resources, p.name)
        elif p.role == "config":
            cfg = getattr(context, "op_config", None) if context is not None else None
            bound[p.name] = _default_config(p, cfg, what)
        elif p.default is not inspect.Parameter.empty:
            continue
        else:
            raise InvalidInvocationError(
                f"{what} was called without a value for its {p.role} {p.name!r}. "
                f"Pass it as {p.name}=... when calling it directly.")
    if args:
        raise InvalidInvocationError(f"{what} was called with {len(args)} too many positional arguments")
    if kwargs:
        raise InvalidInvocationError(
            f"{what} was called with unexpected arguments {sorted(kwargs)}; its parameters are "
            f"{[p.name for p in params]}")
    for name, value in bound.items():
        in_def = op.ins.get(name)
        if in_def is not None and in_def.dagster_type is not None:
            _check_value(op, in_def.dagster_type, value, f'input "{name}"')
    result = fn(**bound)
    _check_return(op, result)
    return result


def _check_return(op: Any, result: Any) -> None:
    """A plain returned value is checked against the single output's declared type."""
    outs = getattr(op, "outs", {})
    if len(outs) != 1 or result is None or type(result).__name__ in (
            "Output", "MaterializeResult", "AssetCheckResult", "generator", "coroutine"):
        return
    name, out = next(iter(outs.items()))
    _check_value(op, out.dagster_type, result, f'output "{name}"')


def _check_value(op: Any, declared: Any, value: Any, label: str) -> None:
    dagster_type = resolve_type(declared)
    if dagster_type.is_nothing or dagster_type.is_any:
        return
    check = dagster_type.type_check(None, value)
    if not check.success:
        raise TypeCheckDidNotPass(
            f'Type check failed for op "{op.name}" {label} - expected type '
            f'"{dagster_type.display_name}". Description: {check.description}',
            check.metadata, dagster_type)


def _bind_context(context: Any, definition: Any) -> Any:
    """The context bound to the definition being called, when the context supports it."""
    bind = getattr(context, "_bind_for_invocation", None)
    return bind(definition) if bind is not None else context


def _looks_like_context(value: Any) -> bool:
    return type(value).__name__.endswith("Context")


def _default_config(p: Any, raw: Any, what: str) -> Any:
    from headwater.definitions.config import Config

    cls = p.annotation
    if isinstance(raw, Config):
        return raw
    try:
        return cls(**(raw or {}))
    except Exception as e:
        raise InvalidInvocationError(
            f"{what} takes config {cls.__name__} and none was given that validates; pass "
            f"config={cls.__name__}(...) when calling it directly. ({e})") from None
