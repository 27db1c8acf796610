"""``materialize()`` and friends: each builds a ``LaunchRequest`` and calls ``launch``."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from headwater.definitions.asset_graph import AssetGraph
from headwater.definitions.asset_key import AssetKey
from headwater.definitions.asset_spec import DEFAULT_IO_MANAGER_KEY
from headwater.definitions.definitions import split_assets
from headwater.execution.io_context import InputContext, OutputContext
from headwater.execution.launch import (
    LaunchRequest,
    LoadedTarget,
    job_plan,
    launch,
    plain_run_config,
    request_for_job,
    selection_keys,
)
from headwater.execution.pickle_io import PickleFilesIOManager
from headwater.execution.plan import ExecutionPlan
from headwater.execution.resources import init_resources
from headwater.execution.result import ExecuteInProcessResult


def _instance(instance: Any) -> Any:
    if instance is not None:
        return instance
    from headwater.storage import Instance

    return Instance.ephemeral()


def materialize(assets: Sequence[Any], run_config: Any = None, instance: Any = None,
                resources: Mapping[str, Any] | None = None, partition_key: str | None = None,
                raise_on_error: bool = True, tags: Mapping[str, str] | None = None,
                selection: Any = None, *, run_id: str | None = None) -> ExecuteInProcessResult:
    """Materialize assets in this process, in dependency order, and record the run.

    ``run_id`` (Headwater's addition) names the run, so a caller can follow its events
    (``instance.watch_run_events``) from before it starts."""
    asset_defs, checks = split_assets(assets)
    graph = AssetGraph(asset_defs, checks, resource_keys=resources or {})
    asset_keys, check_keys = selection_keys(graph, selection)
    request = LaunchRequest(asset_selection=asset_keys, asset_check_selection=check_keys,
                            partition_key=partition_key, run_config=plain_run_config(run_config),
                            tags=dict(tags or {}), run_id=run_id)
    return launch(request, _instance(instance), LoadedTarget.of_assets(graph, resources),
                  raise_on_error=raise_on_error)


def materialize_to_memory(assets: Sequence[Any], run_config: Any = None, instance: Any = None,
                          resources: Mapping[str, Any] | None = None,
                          partition_key: str | None = None, raise_on_error: bool = True,
                          tags: Mapping[str, str] | None = None,
                          selection: Any = None) -> ExecuteInProcessResult:
    """Like ``materialize``, but every output stays in memory (no files written)."""
    from headwater.execution.io_managers import InMemoryIOManager

    res = dict(resources or {})
    res[DEFAULT_IO_MANAGER_KEY] = InMemoryIOManager()
    return materialize(assets, run_config, instance, res, partition_key, raise_on_error, tags,
                       selection)


def build_job_plan(job: Any, *, run_config: Any = None, op_selection: Any = None,
                   asset_selection: Any = None, input_values: Mapping[str, Any] | None = None,
                   ) -> ExecutionPlan:
    """A job's plan for one run: the same inputs give the same plan, in any process."""
    return job_plan(job, request_for_job(job, run_config, op_selection, asset_selection),
                    input_values)


def execute_asset_job(job: Any, *, run_config: Any = None, instance: Any = None,
                      partition_key: str | None = None, raise_on_error: bool = True,
                      asset_selection: Any = None, run_id: str | None = None,
                      tags: Mapping[str, str] | None = None,
                      resources: Mapping[str, Any] | None = None) -> ExecuteInProcessResult:
    request = request_for_job(job, run_config, None, asset_selection, tags=dict(tags or {}),
                           partition_key=partition_key, run_id=run_id)
    return launch(request, _instance(instance), LoadedTarget.of_job(job, resources),
                  raise_on_error=raise_on_error)


def load_asset_value(defs: Any, key: AssetKey, *, instance: Any = None,
                     partition_key: str | None = None, python_type: Any = None) -> Any:
    """Load an asset's stored value through its IO manager, outside any run."""
    graph = defs.asset_graph
    ad = graph.definition_for(key)
    io_key = ad.io_manager_key_for(key)
    inst = instance
    if inst is None:
        import os

        from headwater.storage import Instance

        configured = os.environ.get("HEADWATER_HOME") or os.environ.get("DAGSTER_HOME")
        inst = Instance.get() if configured else Instance.ephemeral()
        with inst:  # opened here, so closed here
            return load_asset_value(defs, key, instance=inst, partition_key=partition_key,
                                    python_type=python_type)
    base_dir = inst.storage_directory()
    resource_defs = {**defs.resources, **ad.resource_defs}
    resource_defs.setdefault(DEFAULT_IO_MANAGER_KEY, PickleFilesIOManager(base_dir))
    with contextlib.ExitStack() as stack:
        res = init_resources(resource_defs, {io_key}, stack, instance=inst)
        spec = ad.get_asset_spec(key)
        upstream = OutputContext(name=ad.output_name_for_key(key), asset_key=key,
                                 step_key=ad.op.name if ad.op else None,
                                 definition_metadata=spec.metadata, resources=res, op_def=ad.op,
                                 partition_key=partition_key, asset_spec=spec,
                                 default_base_dir=base_dir)
        ctx = InputContext(name=key.to_python_identifier(), asset_key=key, upstream_output=upstream,
                           resources=res, partition_key=partition_key, dagster_type=python_type,
                           default_base_dir=base_dir)
        return getattr(res, io_key).load_input(ctx)


def execute_op_job(job: Any, *, run_config: Any = None, instance: Any = None,
                   raise_on_error: bool = True, op_selection: Any = None,
                   run_id: str | None = None, tags: Mapping[str, str] | None = None,
                   resources: Mapping[str, Any] | None = None,
                   input_values: Mapping[str, Any] | None = None,
                   partition_key: str | None = None) -> ExecuteInProcessResult:
    """Run an op job (``@job``) in this process, through the same run loop as assets."""
    request = request_for_job(job, run_config, op_selection, None, tags=dict(tags or {}),
                           partition_key=partition_key, run_id=run_id)
    return launch(request, _instance(instance),
                  LoadedTarget.of_job(job, resources, input_values=input_values),
                  raise_on_error=raise_on_error)
