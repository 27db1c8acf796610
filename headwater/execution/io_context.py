"""``InputContext`` and ``OutputContext``: what an IO manager is told about a value."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from headwater.definitions.asset_key import AssetKey, coerce_key
from headwater.definitions.errors import InvalidPropertyError, InvariantViolationError
from headwater.definitions.metadata import normalize_metadata
from headwater.definitions.partitions import PartitionKeyRange, TimeWindow
from headwater.execution.partitions import PartitionScope, requested_scope


class _IOContext:
    """What both contexts share: the asset, its partition, metadata, resources, the op."""

    _what = "value"

    def __init__(self, *, asset_key: AssetKey | None, definition_metadata: Mapping[str, Any] | None,
                 resources: Any, op_def: Any, dagster_type: Any, log: Any,
                 partition_key: str | None, resource_config: Any, step_key: str | None,
                 asset_partitions: PartitionScope | None = None,
                 default_base_dir: str | None = None, config: Any = None):
        self._asset_key = asset_key
        self.definition_metadata = dict(definition_metadata or {})
        self.resources = resources
        self.op_def = op_def
        self.dagster_type = dagster_type
        self.log = log
        self._partition_key = partition_key
        self._asset_partitions = asset_partitions or requested_scope(None, partition_key, None)
        self.resource_config = resource_config
        self.config = config  # the output's (or input's) own config, if any
        self.step_key = step_key
        self._default_base_dir = default_base_dir  # the run's storage folder (pickle_io.py)
        self._resource_stack: contextlib.ExitStack | None = None  # build_*_context's resources

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._resource_stack is not None:
            self._resource_stack.close()

    @property
    def metadata(self) -> dict[str, Any]:
        return self.definition_metadata

    @property
    def has_asset_key(self) -> bool:
        return self._asset_key is not None

    @property
    def asset_key(self) -> AssetKey:
        if self._asset_key is None:
            raise InvalidPropertyError(f"This {self._what} is not an asset")
        return self._asset_key

    @property
    def has_partition_key(self) -> bool:
        """Whether the run is for one partition key."""
        return self._partition_key is not None

    @property
    def partition_key(self) -> str:
        """The run's partition key."""
        if self._partition_key is None:
            raise InvalidPropertyError(
                f"This {self._what} is not part of a run for one partition key")
        return self._partition_key

    @property
    def has_asset_partitions(self) -> bool:
        return self._asset_partitions is not None

    def _scope(self, what: str) -> PartitionScope:
        if self._asset_partitions is None:
            raise InvalidPropertyError(f"Cannot access {what}: this {self._what} is not for "
                                       "a partitioned asset")
        return self._asset_partitions

    @property
    def asset_partition_key(self) -> str:
        return self._scope("asset_partition_key").key("asset_partition_key")

    @property
    def asset_partition_keys(self) -> list[str]:
        return list(self._scope("asset_partition_keys").keys)

    @property
    def asset_partition_key_range(self) -> PartitionKeyRange:
        return self._scope("asset_partition_key_range").key_range()

    @property
    def asset_partitions_time_window(self) -> TimeWindow:
        return self._scope("asset_partitions_time_window").time_window(
            "asset_partitions_time_window")

    @property
    def asset_partitions_def(self) -> Any:
        return self._scope("asset_partitions_def").definition

    def get_asset_identifier(self) -> list[str]:
        path = list(self.asset_key.path)
        return [*path, self.asset_partition_key] if self._asset_partitions is not None else path


class OutputContext(_IOContext):
    """Describes an output being stored (or, as ``upstream_output``, one being loaded)."""

    _what = "output"

    def __init__(self, *, name: str | None = "result", asset_key: AssetKey | None = None,
                 step_key: str | None = None, run_id: str | None = None,
                 definition_metadata: Mapping[str, Any] | None = None, resources: Any = None,
                 op_def: Any = None, dagster_type: Any = None, log: Any = None,
                 partition_key: str | None = None, resource_config: Any = None,
                 asset_spec: Any = None, asset_partitions: PartitionScope | None = None,
                 mapping_key: str | None = None, default_base_dir: str | None = None,
                 config: Any = None, version: str | None = None,
                 output_metadata: Mapping[str, Any] | None = None):
        super().__init__(asset_key=asset_key, definition_metadata=definition_metadata,
                         resources=resources, op_def=op_def, dagster_type=dagster_type, log=log,
                         partition_key=partition_key, resource_config=resource_config,
                         step_key=step_key, asset_partitions=asset_partitions,
                         default_base_dir=default_base_dir, config=config)
        self._name = name
        self._mapping_key = mapping_key
        self.run_id = run_id
        self.asset_spec = asset_spec
        self.version = version
        # the metadata the step gave this output (``Output(metadata=)``); what the IO manager
        # adds with ``add_output_metadata`` is kept apart (``get_logged_metadata``)
        self.output_metadata: dict[str, Any] = dict(output_metadata or {})
        self._logged_metadata: dict[str, Any] = {}

    @property
    def name(self) -> str:
        if self._name is None:
            raise InvariantViolationError(
                "This OutputContext was built without a name; pass name= to build_output_context")
        return self._name

    @property
    def mapping_key(self) -> str | None:
        return self._mapping_key

    def get_identifier(self) -> list[str]:
        if self._asset_key is not None:
            return self.get_asset_identifier()
        ident = [self.run_id or "", self.step_key or "", self._name or "result"]
        return [*ident, self._mapping_key] if self._mapping_key is not None else ident

    def add_output_metadata(self, metadata: Mapping[str, Any]) -> None:
        self._logged_metadata.update(normalize_metadata(metadata, where="add_output_metadata"))

    def get_logged_metadata(self) -> dict[str, Any]:
        return dict(self._logged_metadata)


class InputContext(_IOContext):
    """Describes an input being loaded; ``upstream_output`` is the output it comes from."""

    _what = "input"

    def __init__(self, *, name: str, asset_key: AssetKey | None = None,
                 upstream_output: OutputContext | None = None,
                 definition_metadata: Mapping[str, Any] | None = None, resources: Any = None,
                 op_def: Any = None, dagster_type: Any = None, log: Any = None,
                 partition_key: str | None = None, resource_config: Any = None,
                 step_key: str | None = None, asset_partitions: PartitionScope | None = None,
                 default_base_dir: str | None = None, config: Any = None, instance: Any = None):
        super().__init__(asset_key=asset_key, definition_metadata=definition_metadata,
                         resources=resources, op_def=op_def, dagster_type=dagster_type, log=log,
                         partition_key=partition_key, resource_config=resource_config,
                         step_key=step_key, asset_partitions=asset_partitions,
                         default_base_dir=default_base_dir, config=config)
        self.name = name
        self.upstream_output = upstream_output
        self._instance = instance

    @property
    def instance(self) -> Any:
        if self._instance is None:
            raise InvariantViolationError(
                "This InputContext has no instance; pass instance= to build_input_context")
        return self._instance

    def get_identifier(self) -> list[str]:
        if self.upstream_output is not None:
            return self.upstream_output.get_identifier()
        return self.get_asset_identifier()


def _test_scope(partitions_def: Any, partition_key: str | None,
                key_range: Any) -> PartitionScope | None:
    """The partitions a ``build_*_context`` names, keys not checked (as Dagster's)."""
    if partitions_def is None and key_range is None:
        return None
    return requested_scope(partitions_def, partition_key, key_range, validate=False)


def _test_resources(context: _IOContext, resources: Any, instance: Any) -> None:
    """Resources given to ``build_*_context`` as a mapping of values or definitions: built now
    (torn down when the context is used as a context manager and exits), read as attributes."""
    from headwater.execution.resources import Resources, init_resources

    if resources is None or isinstance(resources, Resources):
        context.resources = resources if resources is not None else Resources({})
        return
    stack = contextlib.ExitStack()
    defs = dict(resources)
    context.resources = init_resources(defs, set(defs), stack, instance=instance)
    context._resource_stack = stack


def build_output_context(step_key: str | None = None, name: str | None = None,
                         definition_metadata: Mapping[str, Any] | None = None,
                         run_id: str | None = None, mapping_key: str | None = None,
                         config: Any = None, dagster_type: Any = None, version: str | None = None,
                         resource_config: Mapping[str, Any] | None = None, resources: Any = None,
                         op_def: Any = None, asset_key: Any = None,
                         partition_key: str | None = None, asset_partitions_def: Any = None,
                         asset_partition_key_range: Any = None, instance: Any = None,
                         asset_spec: Any = None, metadata: Mapping[str, Any] | None = None,
                         output_metadata: Mapping[str, Any] | None = None) -> OutputContext:
    """An OutputContext for testing an IO manager directly (every argument optional)."""
    context = OutputContext(
        name=name, asset_key=coerce_key(asset_key) if asset_key is not None else None,
        step_key=step_key, run_id=run_id, definition_metadata=definition_metadata or metadata,
        op_def=op_def, partition_key=partition_key, dagster_type=dagster_type,
        resource_config=dict(resource_config or {}), asset_spec=asset_spec,
        asset_partitions=_test_scope(asset_partitions_def, partition_key,
                                     asset_partition_key_range),
        mapping_key=mapping_key, config=config, version=version, output_metadata=output_metadata)
    _test_resources(context, resources, instance)
    return context


def build_input_context(name: str = "result", config: Any = None,
                        definition_metadata: Mapping[str, Any] | None = None,
                        upstream_output: OutputContext | None = None, dagster_type: Any = None,
                        resource_config: Mapping[str, Any] | None = None, resources: Any = None,
                        op_def: Any = None, step_context: Any = None, asset_key: Any = None,
                        partition_key: str | None = None, asset_partition_key_range: Any = None,
                        asset_partitions_def: Any = None, instance: Any = None,
                        metadata: Mapping[str, Any] | None = None) -> InputContext:
    """An InputContext for testing an IO manager directly (every argument optional;
    ``step_context`` is accepted and unused: a direct test has no running step)."""
    context = InputContext(
        name=name, asset_key=coerce_key(asset_key) if asset_key is not None else None,
        upstream_output=upstream_output, definition_metadata=definition_metadata or metadata,
        op_def=op_def, partition_key=partition_key, dagster_type=dagster_type,
        resource_config=dict(resource_config or {}),
        asset_partitions=_test_scope(asset_partitions_def, partition_key,
                                     asset_partition_key_range),
        config=config, instance=instance)
    _test_resources(context, resources, instance)
    return context
