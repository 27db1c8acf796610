"""Asset jobs: ``define_asset_job`` and the job a Definitions resolves it to."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from headwater.definitions._runtime import execution
from headwater.definitions.asset_graph import AssetGraph
from headwater.definitions.errors import InvalidDefinitionError, InvalidSubsetError

IMPLICIT_ASSET_JOB_NAME = "__ASSET_JOB"
_UNSET: Any = object()


def job_partitions_def(name: str, graph: AssetGraph, ids: set[int], explicit: Any = None,
                       strict: bool = True) -> Any:
    """The PartitionsDefinition of an asset job: the one its partitioned assets share (or the
    job's explicit one). Assets with different ones raise when ``strict``, as in Dagster; the
    implicit job of all assets just has none."""
    if not graph.has_partitions:
        return explicit
    by_def: dict[Any, list[int]] = {}
    for i in ids:
        pdef = graph.partitions_def_of(i)
        if pdef is not None:
            by_def.setdefault(pdef, []).append(i)
    if explicit is not None:
        other = {d: v for d, v in by_def.items() if d != explicit}
        if other and strict:
            raise InvalidDefinitionError(
                f"Asset job {name!r} has partitions_def={explicit!r}, but it selects "
                f"{_listing(graph, other)}. Select assets with that partitions definition, or "
                "drop partitions_def= to use theirs.")
        return explicit
    if len(by_def) > 1:
        if not strict:
            return None
        raise InvalidDefinitionError(
            f"Asset job {name!r} selects assets with different partitions definitions: "
            f"{_listing(graph, by_def)}. A job runs one partition key at a time, so its "
            "partitioned assets must share one partitions definition: split the selection into "
            "one job per partitions definition.")
    return next(iter(by_def), None)


def _listing(graph: AssetGraph, by_def: Mapping[Any, list[int]]) -> str:
    parts = []
    for pdef, ids in by_def.items():
        keys = sorted(graph.keys[i].to_user_string() for i in ids)
        shown = ", ".join(repr(k) for k in keys[:3]) + (", ..." if len(keys) > 3 else "")
        parts.append(f"[{shown}] with {pdef!r}")
    return "; ".join(parts)


class UnresolvedAssetJobDefinition:
    """A named selection of assets; resolved against a Definitions into a ``JobDefinition``."""

    def __init__(self, name: str, selection: Any = None, config: Any = None,
                 description: str | None = None, tags: Mapping[str, Any] | None = None,
                 run_tags: Mapping[str, Any] | None = None, metadata: Mapping[str, Any] | None = None,
                 partitions_def: Any = None, executor_def: Any = None, hooks: Any = None,
                 op_retry_policy: Any = None):
        self.name = name
        self.selection_input = selection  # as given (schedules read its assets' partitions)
        self.config = config
        self.description = description
        self.tags = dict(tags or {})
        self.run_tags = dict(run_tags or {})
        self.metadata = dict(metadata or {})
        self.partitions_def = partitions_def
        self.executor_def = executor_def
        self.hooks = set(hooks or ())
        self.op_retry_policy = op_retry_policy
        # set by resolve(): the partitions definition of the last resolution (schedules read it)
        self.resolved_partitions_def: Any = partitions_def

    @property
    def selection(self) -> Any:
        """An ``AssetSelection`` (``AssetSelection.all()`` when none was given), as Dagster's:
        ``define_asset_job(selection=[a, b]).selection == AssetSelection.assets(a, b)``."""
        from headwater.definitions.selection import AssetSelection

        if self.selection_input is None:
            return AssetSelection.all()
        return AssetSelection.from_coercible(self.selection_input)

    def resolve(self, asset_graph: AssetGraph, resources: Mapping[str, Any] | None = None,
                loggers: Mapping[str, Any] | None = None) -> JobDefinition:
        selection = self.selection
        ids = selection.resolve_ids(asset_graph)
        ids = {i for i in ids if asset_graph.is_executable(i)}
        if not ids and self.selection_input is not None:
            raise InvalidSubsetError(
                f"Asset job {self.name!r}: its selection {selection!r} matches no materializable asset")
        pdef = job_partitions_def(self.name, asset_graph, ids, self.partitions_def,
                                  strict=self.name != IMPLICIT_ASSET_JOB_NAME)
        self.resolved_partitions_def = pdef
        return JobDefinition(self.name, asset_graph, ids, resources or {}, self.config,
                             {**self.tags, **self.run_tags}, self.description, self.executor_def,
                             partitions_def=pdef, logger_defs=loggers, hooks=self.hooks)

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
                 op_retry_policy: Any = None, partitions_def: Any = _UNSET,
                 logger_defs: Mapping[str, Any] | None = None):
        self.name = name
        # None: none of its own (it takes its Definitions' loggers, else the default console)
        self._logger_defs = dict(logger_defs) if logger_defs else None
        self._partitions_def = partitions_def
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
    def partitions_def(self) -> Any:
        """The PartitionsDefinition the job's runs are keyed by, or None."""
        if self._partitions_def is _UNSET:
            graph = self.asset_graph
            self._partitions_def = None if graph is None else job_partitions_def(
                self.name, graph, self.asset_ids, strict=False)
        return self._partitions_def

    @property
    def asset_layer(self) -> Any:
        return self

    @property
    def graph(self) -> Any:
        """The job's graph: an op job's own; for an asset job, one node per asset (or check)
        op it runs (node names and definitions only: asset jobs wire assets by key)."""
        if self.graph_def is not None:
            return self.graph_def
        from headwater.definitions.composition import InvokedNode
        from headwater.definitions.graph import GraphDefinition

        return GraphDefinition(self.name, [InvokedNode(d.name, d, {})
                                           for d in self._asset_node_defs()], [], {})

    @property
    def all_node_defs(self) -> list[Any]:
        """Every op and graph definition of the job, nested graphs' included."""
        if self.graph_def is None:
            return self._asset_node_defs()
        from headwater.definitions.graph import iter_node_defs

        return list(iter_node_defs(self.graph_def.nodes))

    def _asset_node_defs(self) -> list[Any]:
        graph = self.asset_graph
        if graph is None:
            return []
        owners = dict.fromkeys(graph.owner[i] for i in sorted(self.asset_ids))
        defs = [graph.assets_defs[o].op for o in owners if graph.assets_defs[o].op is not None]
        keys = {graph.keys[i] for i in self.asset_ids}
        defs += [cd.op for cd in graph.checks_defs if any(s.asset_key in keys for s in cd.specs)]
        return list(dict.fromkeys(defs))

    @property
    def loggers(self) -> dict[str, Any]:
        """The job's logger definitions by name (``{"console": ...}`` when it has none)."""
        if self._logger_defs is not None:
            return dict(self._logger_defs)
        from headwater.definitions.loggers import default_loggers

        return default_loggers()

    def with_default_loggers(self, loggers: Mapping[str, Any]) -> JobDefinition:
        """This job with ``loggers`` when it names none of its own (``Definitions(loggers=)``)."""
        if self._logger_defs is not None or not loggers:
            return self
        clone = copy.copy(self)
        clone._logger_defs = dict(loggers)
        return clone

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
