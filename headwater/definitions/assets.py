"""``@asset``, ``@multi_asset`` and ``AssetsDefinition``: assets computed by one op."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, overload

from headwater.definitions.asset_key import (
    AssetKey,
    _prefix_parts,
    check_valid_key,
    check_valid_name,
    check_valid_owners,
    check_valid_tags,
    coerce_key,
)
from headwater.definitions.asset_spec import (
    DEFAULT_IO_MANAGER_KEY,
    IO_MANAGER_KEY_METADATA,
    AssetDep,
    AssetIn,
    AssetOut,
    AssetSpec,
    coerce_deps,
    coerce_ins,
    input_partition_mappings,
)
from headwater.definitions.checks import AssetCheckSpec
from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.invocation import invoke
from headwater.definitions.op import In, OpDefinition, Out, Param, _resolve_hints, analyze_params

if TYPE_CHECKING:
    from headwater.definitions.graph import GraphDefinition  # a graph-backed asset's "op"

DEFAULT_GROUP = "default"
_NO_HOOKS: frozenset[Any] = frozenset()
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NO_KEYS: frozenset[str] = frozenset()


class AssetsDefinition:
    """One or more assets and the op that computes them (None for external assets)."""

    def __init__(self, *, op: OpDefinition | GraphDefinition | None,
                 specs_by_output: Mapping[str, AssetSpec],
                 keys_by_input_name: Mapping[str, AssetKey] | None = None,
                 check_specs_by_output: Mapping[str, AssetCheckSpec] | None = None,
                 can_subset: bool = False, selected_keys: Iterable[AssetKey] | None = None,
                 resource_defs: Mapping[str, Any] | None = None,
                 io_manager_keys: Mapping[str, str] | None = None,
                 partitions_def: Any = None, backfill_policy: Any = None,
                 input_partition_mappings: Mapping[str, Any] | None = None):
        self.op = op
        # Definitions are immutable, so empty mappings are shared rather than allocated per
        # asset: building 100k assets is dominated by allocation (and the GC passes it causes).
        self.specs_by_output = specs_by_output if type(specs_by_output) is dict else dict(specs_by_output)
        self.keys_by_input_name = dict(keys_by_input_name) if keys_by_input_name else _EMPTY
        self.check_specs_by_output = dict(check_specs_by_output) if check_specs_by_output else _EMPTY
        self.can_subset = can_subset
        self.resource_defs = dict(resource_defs) if resource_defs else _EMPTY
        self._io_manager_keys = dict(io_manager_keys) if io_manager_keys else _EMPTY
        self.partitions_def = partitions_def
        self.backfill_policy = backfill_policy
        # AssetIn(partition_mapping=...) by input name (AssetDep mappings stay on the specs)
        self._input_partition_mappings = (dict(input_partition_mappings)
                                          if input_partition_mappings else _EMPTY)
        self._selected = frozenset(selected_keys) if selected_keys is not None else None

    @property
    def hook_defs(self) -> frozenset[Any]:
        """The hooks ``hooks=`` gave the decorator (run after this definition's step)."""
        return getattr(self.op, "asset_hook_defs", _NO_HOOKS)

    @cached_property
    def keys_by_output_name(self) -> dict[str, AssetKey]:
        return {o: s.key for o, s in self.specs_by_output.items()}

    @cached_property
    def _spec_by_key(self) -> dict[AssetKey, AssetSpec]:
        return {s.key: s for s in self.specs_by_output.values()}

    @cached_property
    def _output_by_key(self) -> dict[AssetKey, str]:
        return {s.key: o for o, s in self.specs_by_output.items()}

    @cached_property
    def selected_keys(self) -> frozenset[AssetKey]:
        if self._selected is not None:
            return self._selected
        return frozenset(s.key for s in self.specs_by_output.values())

    # --- identity ---
    @property
    def key(self) -> AssetKey:
        if len(self._spec_by_key) != 1:
            raise InvalidDefinitionError(
                f"Tried to read .key of an AssetsDefinition with multiple asset keys "
                f"({len(self._spec_by_key)}: {sorted(k.to_user_string() for k in self._spec_by_key)}); use .keys")
        return next(iter(self._spec_by_key))

    @property
    def keys(self) -> set[AssetKey]:
        return set(self.selected_keys)

    @property
    def asset_key(self) -> AssetKey:
        return self.key

    @property
    def asset_keys(self) -> set[AssetKey]:
        return self.keys

    @property
    def name(self) -> str:
        return self.op.name if self.op else self.key.to_python_identifier()

    @property
    def node_def(self) -> OpDefinition | GraphDefinition | None:
        return self.op

    @property
    def is_executable(self) -> bool:
        return self.op is not None

    @property
    def is_external(self) -> bool:
        return self.op is None

    @property
    def specs(self) -> list[AssetSpec]:
        if self._selected is None:
            return list(self.specs_by_output.values())
        return [s for s in self.specs_by_output.values() if s.key in self._selected]

    def to_source_asset(self, key: Any = None) -> SourceAsset:
        """This asset as an external one (its key, metadata, IO manager and partitions)."""
        akey = coerce_key(key) if key is not None else self.key
        spec = self.get_asset_spec(akey)
        return SourceAsset(akey, metadata=spec.metadata, description=spec.description,
                           io_manager_key=self.io_manager_key_for(akey),
                           partitions_def=self.partitions_def, group_name=spec.group_name)

    @property
    def specs_by_key(self) -> dict[AssetKey, AssetSpec]:
        """Every asset's spec by its key (all the definition's assets, as Dagster gives them)."""
        return dict(self._spec_by_key)

    @property
    def node_keys_by_output_name(self) -> dict[str, AssetKey]:
        return dict(self.keys_by_output_name)

    def get_asset_spec(self, key: AssetKey | None = None) -> AssetSpec:
        return self._spec_by_key[key if key is not None else self.key]

    def output_name_for_key(self, key: AssetKey) -> str:
        return self._output_by_key[key]

    # --- dependencies ---
    @property
    def dependency_keys(self) -> set[AssetKey]:
        deps = set(self.keys_by_input_name.values())
        own = []
        for s in self.specs_by_output.values():
            own.append(s.key)
            if s.deps and (self._selected is None or s.key in self._selected):
                deps.update(d.asset_key for d in s.deps)
        deps.difference_update(own)
        return deps

    @property
    def asset_deps(self) -> dict[AssetKey, set[AssetKey]]:
        ins = set(self.keys_by_input_name.values())
        return {s.key: ins | {d.asset_key for d in s.deps} for s in self.specs}

    @property
    def partition_mappings(self) -> dict[AssetKey, Any]:
        """The explicit partition mapping of each upstream asset that has one (from ``AssetIn``
        or ``AssetDep``)."""
        out = {self.keys_by_input_name[n]: m for n, m in self._input_partition_mappings.items()
               if n in self.keys_by_input_name}
        for s in self.specs:
            out.update((d.asset_key, d.partition_mapping) for d in s.deps
                       if d.partition_mapping is not None)
        return out

    def get_partition_mapping(self, in_asset_key: AssetKey) -> Any:
        return self.partition_mappings.get(in_asset_key)

    def deps_for(self, key: AssetKey, spec: AssetSpec | None = None) -> tuple[AssetKey, ...]:
        spec = spec if spec is not None else self._spec_by_key[key]
        if not spec.deps:
            ins = self.keys_by_input_name
            if not ins:
                return ()
            return tuple(k for k in dict.fromkeys(ins.values()) if k != key)
        out = dict.fromkeys([*self.keys_by_input_name.values(), *(d.asset_key for d in spec.deps)])
        return tuple(k for k in out if k != key)

    # --- attributes per key, as Dagster names them ---
    @property
    def group_names_by_key(self) -> dict[AssetKey, str]:
        return {s.key: s.group_name or DEFAULT_GROUP for s in self.specs}

    @property
    def metadata_by_key(self) -> dict[AssetKey, Mapping[str, Any]]:
        return {s.key: s.metadata for s in self.specs}

    @property
    def tags_by_key(self) -> dict[AssetKey, Mapping[str, str]]:
        return {s.key: s.tags for s in self.specs}

    @property
    def owners_by_key(self) -> dict[AssetKey, Sequence[str]]:
        return {s.key: list(s.owners) for s in self.specs}

    @property
    def descriptions_by_key(self) -> dict[AssetKey, str]:
        return {s.key: s.description for s in self.specs if s.description}

    @property
    def code_versions_by_key(self) -> dict[AssetKey, str | None]:
        return {s.key: s.code_version for s in self.specs}

    @property
    def kinds_by_key(self) -> dict[AssetKey, set[str]]:
        return {s.key: set(s.kinds) for s in self.specs}

    @property
    def automation_conditions_by_key(self) -> dict[AssetKey, Any]:
        # only the assets that have one, as Dagster gives them
        return {s.key: s.automation_condition for s in self.specs
                if s.automation_condition is not None}

    @property
    def group_name(self) -> str:
        return self.get_asset_spec().group_name or DEFAULT_GROUP

    @property
    def description(self) -> str | None:
        return self.get_asset_spec().description

    @property
    def metadata(self) -> Mapping[str, Any]:
        return self.get_asset_spec().metadata

    def io_manager_key_for(self, key: AssetKey) -> str:
        if len(self.specs_by_output) == 1:  # the common case, without building lookups
            output, spec = next(iter(self.specs_by_output.items()))
        else:
            output = self._output_by_key[key]
            spec = self._spec_by_key[key]
        return (self._io_manager_keys.get(output)
                or spec.metadata.get(IO_MANAGER_KEY_METADATA) or DEFAULT_IO_MANAGER_KEY)

    def get_io_manager_key_for_asset_key(self, key: AssetKey) -> str:
        return self.io_manager_key_for(key)

    # --- checks ---
    @property
    def check_specs(self) -> list[AssetCheckSpec]:
        return list(self.check_specs_by_output.values())

    @property
    def check_specs_by_output_name(self) -> dict[str, AssetCheckSpec]:
        return dict(self.check_specs_by_output)

    @property
    def node_check_specs_by_output_name(self) -> dict[str, AssetCheckSpec]:
        return dict(self.check_specs_by_output)

    @property
    def check_keys(self) -> set[Any]:
        return {s.key for s in self.check_specs}

    @property
    def check_key(self) -> Any:
        """The key of the definition's only check (an error when it has none or several)."""
        keys = self.check_keys
        if len(keys) != 1:
            raise InvalidDefinitionError(
                f"Tried to read .check_key of {self!r}, which has more or less than 1 asset "
                f"check key ({len(keys)}); use .check_keys")
        return next(iter(keys))

    @property
    def required_resource_keys(self) -> frozenset[str]:
        base = self.op.required_resource_keys if self.op else frozenset()
        io_keys = {self.io_manager_key_for(k) for k in self.selected_keys} if self.op else set()
        return base | io_keys

    # --- derived definitions ---
    def subset_for(self, selected: Iterable[AssetKey]) -> AssetsDefinition:
        selected = frozenset(selected) & frozenset(self._spec_by_key)
        if selected == self.selected_keys:
            return self
        if not self.can_subset and self.op is not None:
            raise InvalidDefinitionError(
                f"Asset {self.name!r} computes {sorted(k.to_user_string() for k in self._spec_by_key)} "
                "together and cannot run a subset of them; select all of them or set can_subset=True")
        return self._copy(selected_keys=selected)

    def _copy(self, **changes: Any) -> AssetsDefinition:
        args = dict(op=self.op, specs_by_output=self.specs_by_output,
                    keys_by_input_name=self.keys_by_input_name,
                    check_specs_by_output=self.check_specs_by_output, can_subset=self.can_subset,
                    selected_keys=self._selected, resource_defs=self.resource_defs,
                    io_manager_keys=self._io_manager_keys, partitions_def=self.partitions_def,
                    backfill_policy=self.backfill_policy,
                    input_partition_mappings=self._input_partition_mappings)
        args.update(changes)
        return AssetsDefinition(**args)  # type: ignore[arg-type]

    def map_asset_specs(self, fn: Callable[[AssetSpec], AssetSpec]) -> AssetsDefinition:
        return self._copy(specs_by_output={o: fn(s) for o, s in self.specs_by_output.items()})

    def with_attributes(self, *, group_names_by_key: Mapping[AssetKey, str] | None = None,
                        asset_key_replacements: Mapping[AssetKey, AssetKey] | None = None,
                        **_: Any) -> AssetsDefinition:
        repl = dict(asset_key_replacements or {})
        groups = dict(group_names_by_key or {})

        def remap(spec: AssetSpec) -> AssetSpec:
            return spec.replace_attributes(
                key=repl.get(spec.key, spec.key),
                group_name=groups.get(spec.key, spec.group_name),
                deps=[AssetDep(repl.get(d.asset_key, d.asset_key), d.partition_mapping) for d in spec.deps])

        specs = {o: remap(s) for o, s in self.specs_by_output.items()}
        ins = {n: repl.get(k, k) for n, k in self.keys_by_input_name.items()}
        selected = {repl.get(k, k) for k in self.selected_keys}
        return self._copy(specs_by_output=specs, keys_by_input_name=ins, selected_keys=selected)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.op is None:
            raise InvalidDefinitionError(f"External asset {self.key.to_user_string()!r} cannot be called")
        return invoke(self, self.op, args, kwargs)

    def __repr__(self) -> str:
        keys = sorted(k.to_user_string() for k in self._spec_by_key)
        return f"AssetsDefinition({keys[0] if len(keys) == 1 else keys})"

    @staticmethod
    def from_specs(specs: Sequence[AssetSpec]) -> list[AssetsDefinition]:
        return [external_asset_from_spec(s) for s in specs]


def external_asset_from_spec(spec: AssetSpec) -> AssetsDefinition:
    return AssetsDefinition(op=None, specs_by_output={spec.key.to_python_identifier(): spec},
                            partitions_def=spec.partitions_def)


def _op_ins(params: tuple[Param, ...], ins: Mapping[str, AssetIn],
            input_keys: Mapping[str, AssetKey]) -> dict[str, In]:
    annotations = {p.name: p.annotation for p in params}
    out = {}
    for name, key in input_keys.items():
        asset_in = ins.get(name)
        out[name] = In(dagster_type=(asset_in.dagster_type if asset_in and asset_in.dagster_type
                                     else annotations.get(name)),
                       metadata=dict(asset_in.metadata) if asset_in and asset_in.metadata else _EMPTY,
                       asset_key=key,
                       input_manager_key=asset_in.input_manager_key if asset_in else None)
    return out


def _return_annotation(fn: Callable[..., Any]) -> Any:
    """The declared return type; ``-> None`` declares an output that carries no value."""
    raw = getattr(fn, "__annotations__", None)
    if not raw or "return" not in raw:
        return None
    ann = raw["return"]
    if isinstance(ann, str):
        ann = _resolve_hints(fn).get("return", ann)
    return type(None) if ann is None or ann == "None" else ann


def _input_keys(params: tuple[Param, ...], ins: Mapping[str, AssetIn], what: str) -> dict[str, AssetKey]:
    keys: dict[str, AssetKey] = {}
    for p in params:
        if p.role == "input":
            asset_in = ins.get(p.name)
            keys[p.name] = asset_in.resolve_key(p.name) if asset_in else AssetKey([p.name])
    has_kwargs = any(p.role == "var_kwargs" for p in params)
    for name, asset_in in ins.items():
        if name not in keys:
            if not has_kwargs:
                raise InvalidDefinitionError(
                    f"{what}: ins has an entry {name!r} that matches no parameter of the function; "
                    f"parameters are {[p.name for p in params]}")
            keys[name] = asset_in.resolve_key(name)
    return keys


@overload
def asset(compute_fn: Callable[..., Any]) -> AssetsDefinition: ...


@overload
def asset(compute_fn: None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], AssetsDefinition]: ...


def asset(compute_fn: Callable[..., Any] | None = None, *, name: str | None = None,  # type: ignore[misc]
          key_prefix: Any = None, key: Any = None, ins: Mapping[str, AssetIn] | None = None,
          deps: Iterable[Any] | None = None, metadata: Mapping[str, Any] | None = None,
          tags: Mapping[str, str] | None = None, description: str | None = None,
          config_schema: Any = None, required_resource_keys: Iterable[str] | None = None,
          resource_defs: Mapping[str, Any] | None = None, io_manager_def: Any = None,
          io_manager_key: str | None = None, dagster_type: Any = None,
          partitions_def: Any = None, op_tags: Mapping[str, Any] | None = None,
          group_name: str | None = None, output_required: bool = True,
          automation_condition: Any = None, freshness_policy: Any = None,
          backfill_policy: Any = None,
          retry_policy: Any = None, code_version: str | None = None,
          check_specs: Sequence[AssetCheckSpec] | None = None,
          owners: Sequence[str] | None = None, kinds: Iterable[str] | None = None,
          pool: str | None = None, hooks: Iterable[Any] | None = None,
          is_virtual: bool = False, **kwargs: Any) -> Any:
    """Decorator: a function whose return value is an asset; its parameters are upstream assets.

    Dagster's older spellings arrive as keywords, as in Dagster's signature: ``compute_kind``
    (a kind), ``non_argument_deps`` (deps), ``legacy_freshness_policy``."""
    legacy = _legacy_keywords("asset", kwargs, ("compute_kind", "non_argument_deps",
                                                "legacy_freshness_policy"))
    compute_kind = legacy.get("compute_kind")
    non_argument_deps = legacy.get("non_argument_deps")
    legacy_freshness_policy = legacy.get("legacy_freshness_policy")

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        asset_name = name or fn.__name__
        if key is not None and (name is not None or key_prefix is not None):
            raise InvalidDefinitionError(
                f"@asset {asset_name!r}: pass either key=, or name=/key_prefix=, not both")
        asset_key = coerce_key(key) if key is not None else AssetKey(
            [*_prefix_parts(key_prefix), check_valid_name(asset_name, "Asset name", asset=True)])
        what = f"asset {asset_key.to_user_string()!r}"
        check_valid_key(asset_key, what)
        check_valid_name(asset_key.to_python_identifier(), f"{what}: its op name")
        if group_name is not None:
            check_valid_name(group_name, f"{what}: group name", reserved=False)
        check_valid_tags(tags, what)
        check_valid_owners(owners, what)
        _check_backfill_policy(backfill_policy, what)
        params = analyze_params(fn, what)
        asset_ins = coerce_ins(ins)
        input_keys = _input_keys(params, asset_ins, what)
        all_kinds = set(kinds or ())
        if compute_kind:
            all_kinds.add(compute_kind)
        io_key = io_manager_key
        res_defs = dict(resource_defs or {})
        if io_manager_def is not None:
            io_key = io_key or f"{asset_key.to_python_identifier()}__io_manager"
            res_defs[io_key] = io_manager_def
        spec = AssetSpec(asset_key, deps=[*(deps or ()), *(non_argument_deps or ())],
                         description=description or (fn.__doc__.strip() if fn.__doc__ else None),
                         metadata=metadata, skippable=not output_required,
                         group_name=group_name or DEFAULT_GROUP,
                         code_version=code_version, automation_condition=automation_condition,
                         owners=owners, tags=tags, kinds=all_kinds, partitions_def=partitions_def,
                         freshness_policy=freshness_policy or legacy_freshness_policy)
        checks = list(check_specs or ())
        _validate_check_specs(checks, {asset_key}, what)
        outs = {"result": Out(dagster_type=dagster_type or _return_annotation(fn),
                              is_required=output_required,
                              io_manager_key=io_key, code_version=code_version)}
        outs.update({c.output_name(): Out(is_required=False) for c in checks})
        op = OpDefinition(asset_key.to_python_identifier(), fn,
                          ins=_op_ins(params, asset_ins, input_keys), outs=outs,
                          params=params, description=spec.description,
                          required_resource_keys=(frozenset(required_resource_keys)
                                                  if required_resource_keys else _NO_KEYS),
                          tags=op_tags, retry_policy=retry_policy, config_schema=config_schema,
                          code_version=code_version, pool=pool)
        set_asset_hooks(op, hooks, what)
        return AssetsDefinition(op=op, specs_by_output={"result": spec},
                                keys_by_input_name=input_keys,
                                check_specs_by_output={c.output_name(): c for c in checks},
                                resource_defs=res_defs,
                                io_manager_keys={"result": io_key} if io_key else None,
                                partitions_def=partitions_def, backfill_policy=backfill_policy,
                                input_partition_mappings=input_partition_mappings(asset_ins))

    return wrap(compute_fn) if compute_fn is not None else wrap


def _legacy_keywords(decorator: str, kwargs: dict[str, Any],
                     known: tuple[str, ...]) -> dict[str, Any]:
    """The older keywords a decorator still takes through ``**kwargs``; any other is the
    TypeError Python (and Dagster) raises for an unexpected keyword."""
    for k in kwargs:
        if k not in known:
            raise TypeError(f"{decorator} got an unexpected keyword argument {k!r}")
    return kwargs


def set_asset_hooks(op: Any, hooks: Iterable[Any] | None, what: str) -> None:
    """``hooks=`` of an asset decorator: success/failure hooks run after the asset's step in
    every run (kept on its op, so subsets and copies of the definition keep them)."""
    if not hooks:
        return
    from headwater.definitions.hooks import HookDefinition

    chosen = frozenset(hooks)
    for h in chosen:
        if not isinstance(h, HookDefinition):
            raise InvalidDefinitionError(
                f"{what}: hooks= takes hooks made with @success_hook or @failure_hook; got {h!r}")
    op.asset_hook_defs = chosen


def _check_backfill_policy(policy: Any, what: str) -> None:
    if policy is not None and not hasattr(policy, "max_partitions_per_run"):
        raise InvalidDefinitionError(
            f"{what}: backfill_policy must be a BackfillPolicy, e.g. BackfillPolicy.single_run() "
            f"or BackfillPolicy.multi_run(max_partitions_per_run=10); got {policy!r}")


def _validate_check_specs(checks: Sequence[AssetCheckSpec], keys: set[AssetKey], what: str) -> None:
    seen = set()
    for c in checks:
        if c.asset_key not in keys:
            raise InvalidDefinitionError(
                f"{what}: check spec {c.name!r} targets {c.asset_key.to_user_string()!r}, which "
                "this definition does not produce")
        if c.key in seen:
            raise InvalidDefinitionError(f"{what}: duplicate check spec {c.name!r}")
        seen.add(c.key)


def multi_asset(*, outs: Mapping[str, AssetOut] | None = None,
                specs: Sequence[AssetSpec] | None = None, name: str | None = None,
                ins: Mapping[str, AssetIn] | None = None, deps: Iterable[Any] | None = None,
                description: str | None = None, config_schema: Any = None,
                required_resource_keys: Iterable[str] | None = None,
                resource_defs: Mapping[str, Any] | None = None, internal_asset_deps: Any = None,
                partitions_def: Any = None, backfill_policy: Any = None,
                op_tags: Mapping[str, Any] | None = None, can_subset: bool = False,
                group_name: str | None = None, retry_policy: Any = None,
                code_version: str | None = None, check_specs: Sequence[AssetCheckSpec] | None = None,
                pool: str | None = None, hooks: Iterable[Any] | None = None,
                **kwargs: Any) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Decorator: one function that produces several assets (``outs=`` or ``specs=``)."""
    _legacy_keywords("multi_asset", kwargs, ("compute_kind",))

    def wrap(fn: Callable[..., Any]) -> AssetsDefinition:
        op_name = check_valid_name(name or fn.__name__, "multi_asset name")
        what = f"multi_asset {op_name!r}"
        if (outs is None) == (specs is None):
            raise InvalidDefinitionError(f"{what}: pass exactly one of outs= or specs=")
        shared_deps = coerce_deps(deps)
        specs_by_output: dict[str, AssetSpec] = {}
        io_keys: dict[str, str] = {}
        op_outs: dict[str, Out] = {}
        if outs is not None:
            # an out without a description takes the decorator's, else the function's docstring
            default_description = description or (inspect.cleandoc(fn.__doc__)
                                                   if fn.__doc__ else None)
            for out_name, out in outs.items():
                spec = out.to_spec(out_name, group_name or DEFAULT_GROUP)
                if spec.description is None and default_description:
                    spec = spec.replace_attributes(description=default_description)
                if internal_asset_deps and out_name in internal_asset_deps:
                    spec = spec.replace_attributes(deps=[*spec.deps, *internal_asset_deps[out_name]])
                specs_by_output[out_name] = spec
                if out.io_manager_key:
                    io_keys[out_name] = out.io_manager_key
                op_outs[out_name] = Out(out.dagster_type, out.description, out.is_required,
                                        out.io_manager_key, code_version=out.code_version)
        else:
            for spec in specs or ():
                if not spec.group_name:
                    spec = spec.replace_attributes(group_name=group_name or DEFAULT_GROUP)
                out_name = spec.key.to_python_identifier()
                specs_by_output[out_name] = spec
                op_outs[out_name] = Out(dagster_type=type(None), is_required=not spec.skippable)
        for out_name in specs_by_output:
            check_valid_name(out_name, f"{what}: output name", asset=True)
        if shared_deps:
            specs_by_output = {o: s.replace_attributes(deps=[*s.deps, *shared_deps])
                               for o, s in specs_by_output.items()}
        _check_backfill_policy(backfill_policy, what)
        params = analyze_params(fn, what)
        asset_ins = coerce_ins(ins)
        input_keys = _input_keys(params, asset_ins, what)
        checks = list(check_specs or ())
        _validate_check_specs(checks, {s.key for s in specs_by_output.values()}, what)
        op_outs.update({c.output_name(): Out(is_required=False) for c in checks})
        op = OpDefinition(op_name, fn, ins=_op_ins(params, asset_ins, input_keys),
                          outs=op_outs, params=params, description=description,
                          required_resource_keys=frozenset(required_resource_keys or ()),
                          tags=op_tags, retry_policy=retry_policy, config_schema=config_schema,
                          code_version=code_version, pool=pool)
        set_asset_hooks(op, hooks, what)
        return AssetsDefinition(op=op, specs_by_output=specs_by_output,
                                keys_by_input_name=input_keys,
                                check_specs_by_output={c.output_name(): c for c in checks},
                                can_subset=can_subset, resource_defs=resource_defs,
                                io_manager_keys=io_keys, partitions_def=partitions_def,
                                backfill_policy=backfill_policy,
                                input_partition_mappings=input_partition_mappings(asset_ins))

    return wrap


class SourceAsset(AssetsDefinition):
    """Legacy name for an external asset; prefer ``AssetSpec``."""

    def __init__(self, key: Any, metadata: Mapping[str, Any] | None = None,
                 io_manager_key: str | None = None, description: str | None = None,
                 partitions_def: Any = None, group_name: str | None = None, **_: Any):
        spec = AssetSpec(key, metadata=metadata, description=description, group_name=group_name,
                         partitions_def=partitions_def)
        if io_manager_key:
            spec = spec.with_io_manager_key(io_manager_key)
        super().__init__(op=None, specs_by_output={"result": spec}, partitions_def=partitions_def)
