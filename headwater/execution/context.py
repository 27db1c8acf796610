"""Execution contexts handed to user code: asset, op, check, and build_asset_context."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any

from headwater.definitions.asset_key import AssetKey, coerce_key
from headwater.definitions.asset_spec import DEFAULT_IO_MANAGER_KEY
from headwater.definitions.errors import (
    InvalidDefinitionError,
    InvalidInvocationError,
    InvalidPropertyError,
    InvariantViolationError,
)
from headwater.definitions.metadata import normalize_metadata
from headwater.definitions.partitions import PartitionKeyRange, TimeWindow
from headwater.execution.logs import LogManager
from headwater.execution.partitions import PartitionScope, requested_scope
from headwater.execution.resources import Resources, init_resources

_CURRENT: contextvars.ContextVar[OpExecutionContext | None] = contextvars.ContextVar(
    "headwater_current_step_context", default=None)


@contextlib.contextmanager
def current_context(context: OpExecutionContext) -> Iterator[None]:
    """Makes ``context`` what ``<Context>.get()`` returns while the step's own code runs."""
    token = _CURRENT.set(context)
    try:
        yield
    finally:
        _CURRENT.reset(token)


class OpExecutionContext:
    """The context of one step. Assets receive the ``AssetExecutionContext`` subclass."""

    @classmethod
    def get(cls) -> Any:
        """The context of the step whose code is running (for helpers that take no context
        parameter); any step's context, whichever class it is called on, as in Dagster."""
        current = _CURRENT.get()
        if current is None:
            raise InvariantViolationError(f"No current {cls.__name__} in scope.")
        return current

    def __init__(self, *, run_id: str, job_name: str, op: Any, resources: Resources,
                 log: LogManager, instance: Any = None, run: Any = None, op_config: Any = None,
                 assets_def: Any = None, selected_keys: frozenset[AssetKey] | None = None,
                 partition_key: str | None = None, retry_number: int = 0,
                 tags: Mapping[str, str] | None = None, step_key: str | None = None,
                 checks_def: Any = None, mapping_key: str | None = None,
                 partitions: PartitionScope | None = None):
        self.run_id = run_id
        self.job_name = job_name
        self.op_def = op
        self.resources = resources
        self.log = log
        self.instance = instance
        self.run = run
        self.op_config = op_config
        self.assets_def = assets_def
        self.checks_def = checks_def
        self._selected_keys = selected_keys
        self._partitions = partitions or requested_scope(None, partition_key, None)
        self._input_partitions: dict[str, PartitionScope | None] = {}
        self.retry_number = retry_number
        self._mapping_key = mapping_key
        self._tags = dict(tags or {})
        self.step_key = step_key or (op.name if op is not None else "")
        self.output_metadata: dict[str | None, dict[str, Any]] = {}
        self.logged_events: list[Any] = []

    # --- run ---
    @property
    def dagster_run(self) -> Any:
        return self.run

    @property
    def run_tags(self) -> Mapping[str, str]:
        return self._tags

    def has_tag(self, key: str) -> bool:
        return key in self._tags

    def get_tag(self, key: str) -> str | None:
        return self._tags.get(key)

    @property
    def op_execution_context(self) -> OpExecutionContext:
        return self

    @property
    def node_handle(self) -> str:
        return self.op_def.name if self.op_def is not None else ""

    @property
    def op_handle(self) -> str:
        return self.node_handle

    def get_step_execution_context(self) -> OpExecutionContext:
        return self

    @property
    def pdb(self) -> Any:
        import pdb

        return pdb.Pdb()

    # --- partitions ---
    def _scope(self, what: str) -> PartitionScope:
        if self._partitions is None:
            raise InvariantViolationError(f"Cannot access {what} for a non-partitioned run")
        return self._partitions

    @property
    def has_partition_key(self) -> bool:
        return self._partitions is not None and self._partitions.single_key is not None

    @property
    def has_partition_key_range(self) -> bool:
        return self._partitions is not None

    @property
    def partition_key(self) -> str:
        return self._scope("partition_key").key()

    @property
    def partition_keys(self) -> list[str]:
        return list(self._scope("partition_keys").keys)

    @property
    def partition_key_range(self) -> PartitionKeyRange:
        return self._scope("partition_key_range").key_range()

    @property
    def partition_time_window(self) -> TimeWindow:
        return self._scope("partition_time_window").time_window()

    def _output_scope(self, output_name: str, what: str) -> PartitionScope:
        ad = self.assets_def
        if ad is not None and output_name in ad.keys_by_output_name \
                and ad.partitions_def is None:
            raise InvariantViolationError(
                f"Cannot access {what}: output {output_name!r} (asset "
                f"{ad.keys_by_output_name[output_name].to_user_string()}) is not partitioned")
        return self._scope(what)

    def asset_partition_key_for_output(self, output_name: str = "result") -> str:
        return self._output_scope(output_name, "asset_partition_key_for_output").key(
            "asset_partition_key_for_output")

    def asset_partition_keys_for_output(self, output_name: str = "result") -> list[str]:
        return list(self._output_scope(output_name, "asset_partition_keys_for_output").keys)

    def asset_partition_key_range_for_output(self, output_name: str = "result",
                                             ) -> PartitionKeyRange:
        return self._output_scope(output_name, "asset_partition_key_range_for_output").key_range()

    def asset_partitions_time_window_for_output(self, output_name: str = "result") -> TimeWindow:
        return self._output_scope(output_name, "asset_partitions_time_window_for_output"
                                  ).time_window("asset_partitions_time_window_for_output")

    def asset_partitions_def_for_output(self, output_name: str = "result") -> Any:
        ad = self._require_assets_def("asset_partitions_def_for_output")
        return ad.partitions_def

    def _input_scope(self, input_name: str, what: str) -> PartitionScope:
        scope = self._input_partitions.get(input_name)
        if scope is None:
            known = input_name in self._input_partitions
            raise InvariantViolationError(
                f"Cannot access {what}({input_name!r}): "
                + ("that input's asset is not partitioned" if known else
                   "this step has no partitioned asset input by that name"))
        return scope

    def asset_partition_key_for_input(self, input_name: str) -> str:
        return self._input_scope(input_name, "asset_partition_key_for_input").key(
            "asset_partition_key_for_input")

    def asset_partition_keys_for_input(self, input_name: str) -> list[str]:
        return list(self._input_scope(input_name, "asset_partition_keys_for_input").keys)

    def asset_partition_key_range_for_input(self, input_name: str) -> PartitionKeyRange:
        return self._input_scope(input_name, "asset_partition_key_range_for_input").key_range()

    def asset_partitions_time_window_for_input(self, input_name: str) -> TimeWindow:
        return self._input_scope(input_name, "asset_partitions_time_window_for_input"
                                 ).time_window("asset_partitions_time_window_for_input")

    def asset_partitions_def_for_input(self, input_name: str) -> Any:
        scope = self._input_partitions.get(input_name)
        return scope.definition if scope is not None else None

    # --- assets ---
    @property
    def selected_asset_keys(self) -> set[AssetKey]:
        if self._selected_keys is not None:
            return set(self._selected_keys)
        return set(self.assets_def.keys) if self.assets_def is not None else set()

    @property
    def selected_output_names(self) -> set[str]:
        ad = self.assets_def
        if ad is None:
            return set(self.op_def.outs) if self.op_def else set()
        return {ad.output_name_for_key(k) for k in self.selected_asset_keys}

    @property
    def is_subset(self) -> bool:
        ad = self.assets_def
        return ad is not None and self.selected_asset_keys != set(ad._spec_by_key)

    def _require_assets_def(self, what: str) -> Any:
        if self.assets_def is None:
            raise InvalidPropertyError(
                f"Tried to read context.{what}, but this context is not running an asset. When "
                "calling an asset directly, pass the context to the asset: my_asset(context)")
        return self.assets_def

    @property
    def asset_key(self) -> AssetKey:
        ad = self._require_assets_def("asset_key")
        keys = self.selected_asset_keys
        if len(keys) != 1:
            raise InvalidPropertyError(
                f"context.asset_key is ambiguous: this step materializes {len(keys)} assets "
                f"({sorted(k.to_user_string() for k in keys)}); use context.selected_asset_keys")
        return next(iter(keys)) if keys else ad.key

    def asset_key_for_output(self, output_name: str = "result") -> AssetKey:
        ad = self._require_assets_def("asset_key_for_output")
        if output_name not in ad.keys_by_output_name:
            raise InvalidPropertyError(f"Asset {ad!r} has no output named {output_name!r}")
        return ad.keys_by_output_name[output_name]

    def asset_key_for_input(self, input_name: str) -> AssetKey:
        ad = self.assets_def or self.checks_def
        if ad is None or input_name not in ad.keys_by_input_name:
            raise InvalidPropertyError(f"No asset input named {input_name!r}")
        return ad.keys_by_input_name[input_name]

    @property
    def asset_spec(self) -> Any:
        return self._require_assets_def("asset_spec").get_asset_spec(self.asset_key)

    def add_output_metadata(self, metadata: Mapping[str, Any], output_name: str | None = None,
                            mapping_key: str | None = None) -> None:
        if output_name is None and self.assets_def is not None and len(self.selected_asset_keys) > 1:
            raise InvalidInvocationError(
                "add_output_metadata: this step has several outputs; pass output_name=")
        md = normalize_metadata(metadata, where="add_output_metadata")
        self.output_metadata.setdefault(output_name, {}).update(md)

    def add_asset_metadata(self, metadata: Mapping[str, Any], asset_key: Any = None,
                           partition_key: str | None = None) -> None:
        output_name = None
        if asset_key is not None and self.assets_def is not None:
            output_name = self.assets_def.output_name_for_key(coerce_key(asset_key))
        self.add_output_metadata(metadata, output_name)

    def get_output_metadata(self, output_name: str = "result") -> dict[str, Any]:
        return {**self.output_metadata.get(None, {}), **self.output_metadata.get(output_name, {})}

    def get_mapping_key(self) -> str | None:
        """The mapping key of this copy of a mapped op (``.map``), else None."""
        return self._mapping_key

    def log_event(self, event: Any) -> None:
        """Record an AssetMaterialization, AssetObservation or check result from user code."""
        self.logged_events.append(event)

    def describe_op(self) -> str:
        return f"op {self.node_handle!r}"


class AssetExecutionContext(OpExecutionContext):
    """The context an asset function receives."""


class AssetCheckExecutionContext(OpExecutionContext):
    """The context an asset check function receives."""

    @property
    def check_specs(self) -> list[Any]:
        return list(self.checks_def.specs) if self.checks_def is not None else []

    @property
    def selected_asset_check_keys(self) -> set[Any]:
        return {s.key for s in self.check_specs}


class DirectAssetExecutionContext(AssetExecutionContext):
    """A context built for calling an asset directly (``build_asset_context``)."""

    def __init__(self, resources: Resources, stack: contextlib.ExitStack, instance: Any,
                 op_config: Any, partition_key: str | None, run_tags: Mapping[str, str] | None,
                 partition_key_range: Any = None):
        super().__init__(run_id="EPHEMERAL", job_name="ephemeral_job", op=None, resources=resources,
                         log=LogManager(), instance=instance, op_config=op_config,
                         partition_key=partition_key, tags=run_tags)
        if partition_key is not None and partition_key_range is not None:
            raise InvalidInvocationError(
                "build_asset_context: pass partition_key or partition_key_range, not both")
        self._requested_range = partition_key_range
        if partition_key_range is not None:
            self._partitions = requested_scope(None, None, partition_key_range)
        self._stack = stack
        self._instance = instance

    @property  # type: ignore[override]
    def run(self) -> Any:
        """No run exists when an asset or op is called directly (as in Dagster, an error):
        its tags are ``context.run_tags`` / ``context.get_tag(key)``."""
        raise InvalidPropertyError(
            "The run (dagster_run) property is not set on the context when an asset or op is "
            "directly invoked; read the run tags given to build_asset_context/build_op_context("
            "run_tags=...) with context.run_tags or context.get_tag(key)")

    @run.setter
    def run(self, value: Any) -> None:  # the base class sets None: there is no run
        pass

    @property  # type: ignore[override]
    def instance(self) -> Any:
        if self._instance is None:  # an ephemeral instance, made when first asked for
            from headwater.storage import Instance

            self._instance = Instance.ephemeral()
        return self._instance

    @instance.setter
    def instance(self, value: Any) -> None:
        self._instance = value

    def _bind_for_invocation(self, definition: Any) -> DirectAssetExecutionContext:
        from headwater.definitions.assets import AssetsDefinition

        if isinstance(definition, AssetsDefinition):
            self.assets_def = definition
        else:
            self.checks_def = definition
        pdef = getattr(definition, "partitions_def", None)
        if pdef is not None and self._partitions is not None:  # now the keys can be checked
            key = None if self._requested_range is not None else self._partitions.keys[0]
            self._partitions = requested_scope(pdef, key, self._requested_range, self._instance)
        op = getattr(definition, "op", definition)  # an asset's or check's op, or an op itself
        self.op_def = op
        field = getattr(op, "config_field", None)
        if field is not None:  # a legacy schema: checked, defaults filled in, as a run does
            from headwater.definitions.config_schema import apply_schema

            given = self.__dict__.setdefault("_given_op_config", self.op_config)
            self.op_config = apply_schema(field, given, "config", f"op {op.name!r}")
        needed = set(op.required_resource_keys) - {DEFAULT_IO_MANAGER_KEY}
        needed -= {p.name for p in op.params if p.role == "resource"}
        missing = sorted(k for k in needed if k not in self.resources)
        if missing:
            raise InvalidDefinitionError(
                f"{definition!r} requires resource(s) {missing}, which the context does not "
                f"have; pass them with build_asset_context(resources={{...}})")
        return self

    def __enter__(self) -> DirectAssetExecutionContext:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.close()

    def __del__(self) -> None:
        try:
            self._stack.close()
        except Exception:
            pass


def _resource_entry(value: Any) -> Any:
    """A ``resources_config`` entry as run config: Dagster's ``{"config": {...}}`` as given; a
    bare config dict (Headwater's earlier spelling) wrapped."""
    if isinstance(value, Mapping) and set(value) == {"config"}:
        return value
    return {"config": value}


def build_asset_context(resources: Mapping[str, Any] | None = None,
                        resources_config: Mapping[str, Any] | None = None,
                        asset_config: Mapping[str, Any] | Any = None, instance: Any = None,
                        partition_key: str | None = None, partition_key_range: Any = None,
                        run_tags: Mapping[str, str] | None = None, event_loop: Any = None) -> DirectAssetExecutionContext:
    """A context for calling an asset function directly in a test."""
    stack = contextlib.ExitStack()
    defs = dict(resources or {})
    run_config = {"resources": {k: _resource_entry(v) for k, v in (resources_config or {}).items()}}
    container = init_resources(defs, set(defs), stack, instance=instance, run_config=run_config)
    return DirectAssetExecutionContext(container, stack, instance, asset_config, partition_key,
                                       run_tags, partition_key_range)


def build_op_context(resources: Mapping[str, Any] | None = None, op_config: Any = None,
                     resources_config: Mapping[str, Any] | None = None, instance: Any = None,
                     config: Any = None, partition_key: str | None = None,
                     partition_key_range: Any = None, mapping_key: str | None = None,
                     run_tags: Mapping[str, str] | None = None,
                     **_: Any) -> DirectAssetExecutionContext:
    """A context for calling an op function directly in a test."""
    context = build_asset_context(resources, resources_config, op_config or config, instance,
                                  partition_key, partition_key_range, run_tags)
    if mapping_key is not None:
        context._mapping_key = mapping_key
    return context


def build_asset_check_context(resources: Mapping[str, Any] | None = None,
                              resources_config: Mapping[str, Any] | None = None,
                              asset_config: Any = None, instance: Any = None) -> DirectAssetExecutionContext:
    """A context for calling an asset check function directly in a test."""
    return build_asset_context(resources, resources_config, asset_config, instance)
