"""Asset jobs: ``define_asset_job`` and the job a Definitions resolves it to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from headwater.definitions._runtime import execution
from headwater.definitions.asset_graph import AssetGraph
from headwater.definitions.errors import InvalidSubsetError

IMPLICIT_ASSET_JOB_NAME = "__ASSET_JOB"


class UnresolvedAssetJobDefinition:
    """A named selection of assets; resolved against a Definitions into a ``JobDefinition``."""

    def __init__(self, name: str, selection: Any = None, config: Any = None,
                 description: str | None = None, tags: Mapping[str, Any] | None = None,
                 run_tags: Mapping[str, Any] | None = None, metadata: Mapping[str, Any] | None = None,
                 partitions_def: Any = None, executor_def: Any = None, hooks: Any = None,
                 op_retry_policy: Any = None):
        self.name = name
        self.selection = selection
        self.config = config
        self.description = description
        self.tags = dict(tags or {})
        self.run_tags = dict(run_tags or {})
        self.metadata = dict(metadata or {})
        self.partitions_def = partitions_def
        self.executor_def = executor_def
        self.hooks = set(hooks or ())
        self.op_retry_policy = op_retry_policy

    def resolve(self, asset_graph: AssetGraph, resources: Mapping[str, Any] | None = None) -> JobDefinition:
        from headwater.definitions.selection import AssetSelection

        selection = AssetSelection.all() if self.selection is None else AssetSelection.from_coercible(self.selection)
        ids = selection.resolve_ids(asset_graph)
        ids = {i for i in ids if asset_graph.is_executable(i)}
        if not ids and self.selection is not None:
            raise InvalidSubsetError(
                f"Asset job {self.name!r}: its selection {selection!r} matches no materializable asset")
        return JobDefinition(self.name, asset_graph, ids, resources or {}, self.config,
                             {**self.tags, **self.run_tags}, self.description, self.executor_def)

    def __repr__(self) -> str:
        return f"UnresolvedAssetJobDefinition({self.name!r})"


def define_asset_job(name: str, selection: Any = None, config: Any = None,
                     description: str | None = None, tags: Mapping[str, Any] | None = None,
                     run_tags: Mapping[str, Any] | None = None,
                     metadata: Mapping[str, Any] | None = None, partitions_def: Any = None,
                     executor_def: Any = None, hooks: Any = None, op_retry_policy: Any = None,
                     **_: Any) -> UnresolvedAssetJobDefinition:
    """A job that materializes a selection of assets (all of them when no selection is given)."""
    return UnresolvedAssetJobDefinition(name, selection, config, description, tags, run_tags,
                                        metadata, partitions_def, executor_def, hooks,
                                        op_retry_policy)


class JobDefinition:
    """A runnable job: a resolved set of assets, resources, default config and tags."""

    def __init__(self, name: str, asset_graph: AssetGraph | None, asset_ids: set[int],
                 resources: Mapping[str, Any], config: Any = None,
                 tags: Mapping[str, Any] | None = None, description: str | None = None,
                 executor_def: Any = None, *, graph_def: Any = None, hooks: Any = None,
                 op_retry_policy: Any = None):
        self.name = name
        self.graph_def = graph_def  # an op job; otherwise an asset job over asset_graph
        self.hook_defs = frozenset(hooks or ())
        self.op_retry_policy = op_retry_policy
        self.asset_graph = asset_graph
        self.asset_ids = asset_ids
        self.resource_defs = dict(resources)
        self.config = config
        self.tags = dict(tags or {})
        self.description = description
        self.executor_def = executor_def

    @property
    def asset_keys(self) -> set[Any]:
        if self.asset_graph is None:
            return set()
        return {self.asset_graph.keys[i] for i in self.asset_ids}

    @property
    def asset_layer(self) -> Any:
        return self

    def execute_in_process(self, run_config: Any = None, instance: Any = None,
                           partition_key: str | None = None, raise_on_error: bool = True,
                           op_selection: Any = None, asset_selection: Any = None,
                           run_id: str | None = None, input_values: Any = None,
                           tags: Mapping[str, str] | None = None,
                           resources: Mapping[str, Any] | None = None) -> Any:
        if self.graph_def is not None:
            return execution().execute_op_job(
                self, run_config=run_config if run_config is not None else self.config,
                instance=instance, raise_on_error=raise_on_error, op_selection=op_selection,
                run_id=run_id, tags=tags, resources=resources, input_values=input_values,
                partition_key=partition_key)
        return execution().execute_asset_job(
            self, run_config=run_config if run_config is not None else self.config,
            instance=instance, partition_key=partition_key, raise_on_error=raise_on_error,
            asset_selection=asset_selection, run_id=run_id, tags=tags, resources=resources)

    def __repr__(self) -> str:
        return f"JobDefinition({self.name!r}, assets={len(self.asset_ids)})"
