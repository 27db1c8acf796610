"""``@op``: a compute function with typed inputs and outputs, composed into graphs and jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from headwater.definitions.asset_key import check_valid_name
from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.op import In, OpDefinition, Out, _resolve_hints, analyze_params


def _outs(out: Any, fn: Callable[..., Any]) -> dict[str, Out]:
    ret = _resolve_hints(fn).get("return")
    if out is None:
        return {"result": Out(dagster_type=type(None) if ret is None and "return" in
                              getattr(fn, "__annotations__", {}) else ret)}
    if isinstance(out, Out):
        if out.dagster_type is None and ret is not None:
            from dataclasses import replace

            out = replace(out, dagster_type=ret)
        return {"result": out}
    if isinstance(out, Mapping):
        return dict(out)
    raise InvalidDefinitionError(f"@op {fn.__name__!r}: out= must be an Out, a DynamicOut or a dict of them")


def op(compute_fn: Callable[..., Any] | None = None, *, name: str | None = None,
       description: str | None = None, ins: Mapping[str, In] | None = None, out: Any = None,
       config_schema: Any = None, required_resource_keys: Iterable[str] | None = None,
       tags: Mapping[str, Any] | None = None, retry_policy: Any = None,
       code_version: str | None = None, pool: str | None = None, **_: Any) -> Any:
    """Decorator: a function to run as a step; its parameters are its inputs."""

    def wrap(fn: Callable[..., Any]) -> OpDefinition:
        op_name = check_valid_name(name or fn.__name__, "Op name")
        what = f"op {op_name!r}"
        params = analyze_params(fn, what)
        given = dict(ins or {})
        op_ins: dict[str, In] = {}
        for p in params:
            if p.role != "input":
                continue
            spec = given.pop(p.name, None)
            op_ins[p.name] = In(
                dagster_type=(spec.dagster_type if spec and spec.dagster_type is not None
                              else p.annotation),
                description=spec.description if spec else None,
                default_value=(spec.default_value if spec and spec.has_default else p.default),
                metadata=spec.metadata if spec else {})
        if given:
            raise InvalidDefinitionError(
                f"{what}: ins= names {sorted(given)}, which are not parameters of the function")
        return OpDefinition(op_name, fn, ins=op_ins, outs=_outs(out, fn), params=params,
                            description=description or (fn.__doc__ or "").strip() or None,
                            required_resource_keys=frozenset(required_resource_keys or ()),
                            tags=tags, retry_policy=retry_policy, config_schema=config_schema,
                            code_version=code_version, pool=pool)

    return wrap(compute_fn) if compute_fn is not None else wrap
