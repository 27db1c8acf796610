"""Asset checks: ``AssetCheckSpec``, ``@asset_check``, ``@multi_asset_check``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from headwater.definitions.asset_key import AssetKey, check_valid_name, coerce_key
from headwater.definitions.asset_spec import AssetIn, coerce_deps, coerce_ins
from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.invocation import invoke
from headwater.definitions.op import In, OpDefinition, Out, analyze_params
from headwater.definitions.results import AssetCheckKey


@dataclass(frozen=True, init=False)
class AssetCheckSpec:
    """Declares a check on an asset: its name, whether it blocks downstream, its deps."""

    name: str
    asset_key: AssetKey
    description: str | None = None
    additional_deps: tuple[Any, ...] = ()
    blocking: bool = False
    metadata: Mapping[str, Any] = field(default_factory=dict)
    automation_condition: Any = None
    partitions_def: Any = None

    def __init__(self, name: str, *, asset: Any, description: str | None = None,
                 additional_deps: Iterable[Any] | None = None, blocking: bool = False,
                 metadata: Mapping[str, Any] | None = None, automation_condition: Any = None,
                 partitions_def: Any = None):
        s = object.__setattr__
        s(self, "name", name)
        s(self, "asset_key", coerce_key(asset))
        s(self, "description", description)
        s(self, "additional_deps", coerce_deps(additional_deps))
        s(self, "blocking", blocking)
        s(self, "metadata", dict(metadata or {}))
        s(self, "automation_condition", automation_condition)
        # Kept, as Dagster (preview) keeps it: a check of a partitioned asset runs with the
        # partition its run materializes either way.
        s(self, "partitions_def", partitions_def)

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.name)

    @property
    def asset(self) -> AssetKey:
        return self.asset_key

    def output_name(self) -> str:
        return f"{self.asset_key.to_python_identifier()}_{self.name}"


class AssetChecksDefinition:
    """One or more checks computed by one function (one op)."""

    def __init__(self, op: OpDefinition, specs: Sequence[AssetCheckSpec],
                 input_keys: Mapping[str, AssetKey], can_subset: bool = False,
                 resource_defs: Mapping[str, Any] | None = None):
        self.op = op
        self.specs = list(specs)
        self.keys_by_input_name = dict(input_keys)
        self.can_subset = can_subset
        self.resource_defs = dict(resource_defs or {})
        self.specs_by_output = {s.output_name(): s for s in self.specs}

    @property
    def node_def(self) -> OpDefinition:
        return self.op

    @property
    def name(self) -> str:
        return self.op.name

    @property
    def check_specs(self) -> list[AssetCheckSpec]:
        return self.specs

    @property
    def check_keys(self) -> set[AssetCheckKey]:
        return {s.key for s in self.specs}

    @property
    def asset_key(self) -> AssetKey:
        return self.specs[0].asset_key

    @property
    def spec(self) -> AssetCheckSpec:
        if len(self.specs) != 1:
            raise InvalidDefinitionError(f"{self.name!r} defines {len(self.specs)} checks; use .specs")
        return self.specs[0]

    @property
    def check_key(self) -> AssetCheckKey:
        return self.spec.key

    @property
    def keys(self) -> set[AssetKey]:
        return set()

    @property
    def required_resource_keys(self) -> frozenset[str]:
        return self.op.required_resource_keys

    def dependency_keys(self) -> set[AssetKey]:
        deps = set(self.keys_by_input_name.values())
        for s in self.specs:
            deps.add(s.asset_key)
            deps.update(d.asset_key for d in s.additional_deps)
        return deps

    def subset_for(self, specs: Iterable[AssetCheckSpec]) -> AssetChecksDefinition:
        chosen = list(specs)
        if len(chosen) == len(self.specs):
            return self
        return AssetChecksDefinition(self.op, chosen, self.keys_by_input_name, self.can_subset,
                                     self.resource_defs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return invoke(self, self.op, args, kwargs)

    def __repr__(self) -> str:
        return f"AssetChecksDefinition({self.name!r}, checks={[s.name for s in self.specs]})"


def _check_op(fn: Callable[..., Any], name: str, description: str | None,
              ins: Mapping[str, AssetIn], specs: Sequence[AssetCheckSpec],
              required_resource_keys: Iterable[str] | None, op_tags: Mapping[str, Any] | None,
              retry_policy: Any, asset_param_key: AssetKey | None) -> tuple[OpDefinition, dict[str, AssetKey]]:
    what = f"asset check {name!r}"
    params = analyze_params(fn, what)
    data_params = [p.name for p in params if p.role == "input"]
    unknown = sorted(set(ins) - set(data_params))
    if unknown:
        raise InvalidDefinitionError(
            f"{what}: {unknown} given in additional_ins/ins but not a parameter of "
            f"{getattr(fn, '__qualname__', fn)!r}; add the parameter or remove the entry.")
    input_keys = {p: ins[p].resolve_key(p) for p in data_params if p in ins}
    unmapped = [p for p in data_params if p not in ins]
    if asset_param_key is not None:
        _bind_checked_asset(what, unmapped, asset_param_key, input_keys)
    else:
        _bind_by_name(what, unmapped, specs, input_keys)
    input_keys = {p: input_keys[p] for p in data_params}  # parameter order
    op = OpDefinition(name, fn, ins={n: In() for n in input_keys},
                      outs={s.output_name(): Out(is_required=False) for s in specs},
                      params=params, description=description,
                      required_resource_keys=frozenset(required_resource_keys or ()),
                      tags=op_tags, retry_policy=retry_policy)
    return op, input_keys


def _bind_checked_asset(what: str, unmapped: list[str], asset_key: AssetKey,
                        input_keys: dict[str, AssetKey]) -> None:
    """``@asset_check``: the one parameter not in additional_ins (whatever its name) receives
    the checked asset."""
    if len(unmapped) > 1:
        raise InvalidDefinitionError(
            f"{what} has several parameters that could be the checked asset "
            f"{asset_key.to_user_string()!r}: {unmapped}. Keep one, and map the others to "
            "assets with additional_ins={name: AssetIn(key)}.")
    if unmapped:
        input_keys[unmapped[0]] = asset_key


def _bind_by_name(what: str, unmapped: list[str], specs: Sequence[AssetCheckSpec],
                  input_keys: dict[str, AssetKey]) -> None:
    """``@multi_asset_check``: a parameter named after a checked asset (or one of the specs'
    additional_deps) receives that asset; every input must be one of those assets."""
    allowed = {s.asset_key for s in specs}
    allowed.update(d.asset_key for s in specs for d in s.additional_deps)
    for p in unmapped:
        input_keys[p] = AssetKey((p,))
    for p, key in input_keys.items():
        if key not in allowed:
            names = sorted(k.to_user_string() for k in allowed)
            raise InvalidDefinitionError(
                f"{what}: parameter {p!r} loads asset {key.to_user_string()!r}, which none of "
                f"its AssetCheckSpecs checks or lists in additional_deps (assets: {names}). "
                "Name the parameter after a checked asset, map it with ins={"
                f"{p!r}: AssetIn(key)}}, and add that key to a spec's additional_deps.")
def _set_config_schema(op: OpDefinition, config_schema: Any) -> None:
    """A check's legacy ``config_schema=``, resolved once (a bad schema is refused here)."""
    if config_schema is not None:
        from headwater.definitions.config_types import legacy_config_field

        op.config_schema = config_schema
        op.config_field = legacy_config_field(config_schema)


def asset_check(*, asset: Any, name: str | None = None, description: str | None = None,
                blocking: bool = False, additional_ins: Mapping[str, AssetIn] | None = None,
                additional_deps: Iterable[Any] | None = None,
                required_resource_keys: Iterable[str] | None = None,
                resource_defs: Mapping[str, Any] | None = None, config_schema: Any = None,
                compute_kind: str | None = None, op_tags: Mapping[str, Any] | None = None,
                retry_policy: Any = None, metadata: Mapping[str, Any] | None = None,
                automation_condition: Any = None, pool: str | None = None) -> Callable[[Callable[..., Any]], AssetChecksDefinition]:
    """Decorator: a function that checks one asset and returns an ``AssetCheckResult``."""

    def wrap(fn: Callable[..., Any]) -> AssetChecksDefinition:
        check_name = name or fn.__name__
        asset_key = coerce_key(asset)
        spec = AssetCheckSpec(check_name, asset=asset_key, description=description or fn.__doc__,
                              additional_deps=additional_deps, blocking=blocking,
                              metadata=metadata, automation_condition=automation_condition)
        op_name = check_valid_name(f"{asset_key.to_python_identifier()}_{check_name}",
                                   f"asset check {check_name!r}: its op name")
        op, input_keys = _check_op(fn, op_name, description, dict(additional_ins or {}), [spec],
                                   required_resource_keys, op_tags, retry_policy, asset_key)
        _set_config_schema(op, config_schema)
        return AssetChecksDefinition(op, [spec], input_keys, resource_defs=resource_defs)

    return wrap


def multi_asset_check(*, specs: Sequence[AssetCheckSpec], name: str | None = None,
                      description: str | None = None, can_subset: bool = False,
                      ins: Mapping[str, Any] | None = None,
                      required_resource_keys: Iterable[str] | None = None,
                      resource_defs: Mapping[str, Any] | None = None, config_schema: Any = None,
                      compute_kind: str | None = None, op_tags: Mapping[str, Any] | None = None,
                      retry_policy: Any = None, pool: str | None = None) -> Callable[[Callable[..., Any]], AssetChecksDefinition]:
    """Decorator: one function computing several checks, yielding ``AssetCheckResult``s."""

    def wrap(fn: Callable[..., Any]) -> AssetChecksDefinition:
        op_name = check_valid_name(name or fn.__name__, "multi_asset_check name")
        op, input_keys = _check_op(fn, op_name, description, coerce_ins(ins), specs,
                                   required_resource_keys, op_tags, retry_policy, None)
        _set_config_schema(op, config_schema)
        return AssetChecksDefinition(op, specs, input_keys, can_subset, resource_defs)

    return wrap
