"""One launch path: a ``LaunchRequest`` (what to run, as plain data) goes through ``launch``.

``materialize()``, ``job.execute_in_process()``, ``execute_job``, re-execution, backfills and
the CLI each build a request and call ``launch``; it checks the request, builds the plan,
picks the executor by name (``executors/registry.py``) and runs the plan (``run.py``). The
daemon and the web will build the same requests.

A request holds only strings, keys and dicts, so that it can later be queued, stored or sent to
a code location. What cannot travel as data -- the loaded ``Definitions``' asset graph or job
object, Python resource instances given to ``materialize(resources=...)``, ``input_values`` --
travels beside it in a ``LoadedTarget``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvalidInvocationError
from headwater.execution.executors.registry import ExecutorBuild, build_executor, executor_kind
from headwater.execution.partitions import run_partition_tags
from headwater.execution.plan import ExecutionPlan, KeySelection, build_plan, resolve_selection
from headwater.execution.result import ExecuteInProcessResult
from headwater.execution.run import EPHEMERAL_JOB_NAME, execute_plan

IN_PROCESS = "in_process"


@dataclass(frozen=True)
class LaunchRequest:
    """One run to launch, as plain data.

    * ``job_name`` -- the job run (the loaded target's job), or for an asset target the name
      its run is recorded under (default: the ephemeral asset job's);
    * ``asset_selection`` / ``asset_check_selection`` -- resolved keys (None: every asset of
      the target, and the checks of the selected assets); ``op_selection`` -- op names;
    * ``partition_key`` or ``partition_range`` (start, end);
    * ``run_config`` -- plain dict (None: no config; for a re-execution, the parent run's);
    * ``tags``; ``run_id`` (None: a new one);
    * ``executor`` -- a registered executor's name with ``executor_config``, or None: the
      job's own executor (its ``executor_def``, its Definitions', else the default), configured
      by run config's ``execution`` section;
    * ``parent_run_id`` with ``step_selection`` or ``from_failure`` -- a re-execution.
    """

    job_name: str | None = None
    asset_selection: tuple[AssetKey, ...] | None = None
    asset_check_selection: tuple[Any, ...] | None = None  # AssetCheckKey values
    op_selection: tuple[str, ...] | None = None
    partition_key: str | None = None
    partition_range: tuple[str, str] | None = None
    run_config: Mapping[str, Any] | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    executor: str | None = IN_PROCESS
    executor_config: Mapping[str, Any] = field(default_factory=dict)
    parent_run_id: str | None = None
    step_selection: tuple[str, ...] = ()
    from_failure: bool = False
    run_id: str | None = None


@dataclass(frozen=True)
class LoadedTarget:
    """The in-process objects a request runs against: a job, or an asset graph (with the
    resources it runs with); ``reconstructable`` lets worker processes find the job again."""

    job: Any = None  # a JobDefinition
    graph: Any = None  # an AssetGraph (when no job)
    resources: Mapping[str, Any] = field(default_factory=dict)  # over the job's own
    reconstructable: Any = None
    input_values: Mapping[str, Any] | None = None

    @staticmethod
    def of_job(job: Any, resources: Mapping[str, Any] | None = None, *,
               reconstructable: Any = None,
               input_values: Mapping[str, Any] | None = None) -> LoadedTarget:
        return LoadedTarget(job, None, resources or {}, reconstructable, input_values)

    @staticmethod
    def of_assets(graph: Any, resources: Mapping[str, Any] | None = None) -> LoadedTarget:
        return LoadedTarget(None, graph, resources or {})


def selection_keys(graph: Any, selection: Any, within: set[int] | None = None,
                   ) -> tuple[tuple[AssetKey, ...] | None, tuple[Any, ...] | None]:
    """A user's asset selection (``AssetSelection``, strings, keys, assets) as the plain keys a
    request carries: (asset keys or None for all, check keys or None for the default)."""
    if selection is None:
        return None, None
    ids, check_keys = resolve_selection(graph, selection, within=within)
    return (tuple(graph.keys[i] for i in sorted(ids)),
            None if check_keys is None else tuple(check_keys))


def plain_run_config(run_config: Any) -> dict[str, Any] | None:
    """Run config as a request carries it: a plain dict (None stays None)."""
    from headwater.definitions.run_config import normalize_run_config

    return None if run_config is None else normalize_run_config(run_config)


def request_for_job(job: Any, run_config: Any = None, op_selection: Any = None,
                    asset_selection: Any = None, **fields: Any) -> LaunchRequest:
    """A request to run ``job``, the user's selections resolved to plain names and keys."""
    asset_keys = check_keys = None
    if job.graph_def is None and asset_selection is not None:
        asset_keys, check_keys = selection_keys(job.asset_graph, asset_selection,
                                                within=set(job.asset_ids))
    ops = None if op_selection is None else (
        (op_selection,) if isinstance(op_selection, str) else tuple(op_selection))
    return LaunchRequest(job_name=job.name, asset_selection=asset_keys,
                         asset_check_selection=check_keys, op_selection=ops,
                         run_config=plain_run_config(run_config), **fields)


def launch(request: LaunchRequest, instance: Any, target: LoadedTarget, *,
           raise_on_error: bool = True,
           result_cls: type[ExecuteInProcessResult] = ExecuteInProcessResult,
           stored_run: Any = None) -> ExecuteInProcessResult:
    """Check ``request``, build its plan and executor, run it on ``instance``; the result.

    ``stored_run``: the run was created earlier (queued, see ``stored_run.py``) from this
    request; it is executed under its own id instead of creating a new run."""
    if request.partition_key is not None and request.partition_range is not None:
        raise InvalidInvocationError(
            "A run takes a partition key or a partition range, not both")
    job = target.job
    if job is None:
        if target.graph is None:
            raise InvalidInvocationError("A launch needs a job or an asset graph to run")
        if request.parent_run_id is not None:
            raise InvalidInvocationError("Only a job's run can be re-executed")
        graph = target.graph
        ids = (graph.executable_ids() if request.asset_selection is None
               else {graph.ids[k] for k in request.asset_selection})
        plan = build_plan(graph, ids, _checks(request))
        from headwater.definitions.jobs import JobDefinition

        job = JobDefinition(request.job_name or EPHEMERAL_JOB_NAME, graph, ids, target.resources)
        resources: Mapping[str, Any] = target.resources
        tags = dict(request.tags)
        run_config = request.run_config
        parent = None
    else:
        if request.job_name is not None and request.job_name != job.name:
            raise InvalidInvocationError(
                f"The request names job {request.job_name!r}, but the loaded job is {job.name!r}")
        resources = {**job.resource_defs, **target.resources}
        run_config = request.run_config
        inherited: dict[str, str] = {}
        parent = None
        if request.parent_run_id is not None:
            from headwater.execution.reexecute import plan_reexecution

            parent, run_config, plan, inherited = plan_reexecution(job, request, instance)
        else:
            plan = job_plan(job, request, target.input_values)
        tags = {**inherited, **job.tags, **request.tags}
    if request.partition_range is not None:
        from headwater.definitions.partitions import PartitionKeyRange

        tags.update(run_partition_tags(None, PartitionKeyRange(*request.partition_range)))
    executor = _executor(request, job, target, instance, run_config)
    return execute_plan(plan, instance=instance, resources=resources, run_config=run_config,
                        tags=tags, job_name=job.name, raise_on_error=raise_on_error,
                        partition_key=request.partition_key, run_id=request.run_id,
                        job_def=job, executor=executor, result_cls=result_cls,
                        parent_run=parent, stored_run=stored_run)


def job_plan(job: Any, request: LaunchRequest,
             input_values: Mapping[str, Any] | None = None) -> ExecutionPlan:
    """A job's plan for ``request``: the same request gives the same plan, in any process."""
    if job.graph_def is not None:
        from headwater.definitions.run_config import normalize_run_config
        from headwater.execution.op_plan import build_op_plan

        op_selection = list(request.op_selection) if request.op_selection is not None else None
        return build_op_plan(job, op_selection, normalize_run_config(request.run_config),
                             input_values)
    if request.asset_selection is None and request.asset_check_selection is None:
        return build_plan(job.asset_graph, job.asset_ids, None, job.hook_defs)
    graph = job.asset_graph
    ids = {graph.ids[k] for k in request.asset_selection or ()}
    return build_plan(graph, ids, _checks(request), job.hook_defs)


def _checks(request: LaunchRequest) -> set[Any] | None:
    checks = request.asset_check_selection
    return None if checks is None else set(checks)


def _executor(request: LaunchRequest, job: Any, target: LoadedTarget, instance: Any,
              run_config: Mapping[str, Any] | None) -> Any:
    """The request's executor by name, or the job's own executor configured by run config."""
    from headwater.definitions.run_config import normalize_run_config

    cfg = normalize_run_config(run_config)
    recon = target.reconstructable
    if request.executor is not None:
        config = executor_kind(request.executor, "executor").validate(
            request.executor_config, "executor")
    else:
        from headwater.execution.executors.definition import multi_or_in_process_executor

        executor_def = ((recon.executor_def() if recon is not None else job.executor_def)
                        or multi_or_in_process_executor)
        config = executor_def.resolve(cfg.get("execution"))
    # what worker processes rebuild the same plan from: plain names and keys
    ops = None if request.op_selection is None else list(request.op_selection)
    selection = (None if request.asset_selection is None and request.asset_check_selection is None
                 else KeySelection(request.asset_selection or (), request.asset_check_selection))
    return build_executor(config, ExecutorBuild(job, instance, cfg, recon, ops, selection))



def request_from_run(run: Any) -> LaunchRequest:
    """The launch request a stored run was created from (``stored_run.queue_run``): its job,
    selections, partition key or range (from its tags), run config, tags and parent run. The
    executor is left to the job (None)."""
    from headwater.definitions.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
        FROM_FAILURE_TAG,
        PARTITION_NAME_TAG,
    )

    tags = dict(run.tags)
    start, end = tags.get(ASSET_PARTITION_RANGE_START_TAG), tags.get(ASSET_PARTITION_RANGE_END_TAG)
    steps = tuple(run.step_keys_to_execute or ())
    return LaunchRequest(
        job_name=run.job_name,
        asset_selection=None if run.asset_selection is None
        else tuple(sorted(run.asset_selection, key=lambda k: k.path)),
        asset_check_selection=None if run.asset_check_selection is None
        else tuple(sorted(run.asset_check_selection, key=str)),
        op_selection=None if run.op_selection is None else tuple(run.op_selection),
        partition_key=tags.get(PARTITION_NAME_TAG),
        partition_range=(start, end) if start is not None and end is not None else None,
        run_config=dict(run.run_config) if run.run_config else None,
        tags=tags, executor=None, parent_run_id=run.parent_run_id,
        step_selection=steps if run.parent_run_id else (),
        from_failure=bool(run.parent_run_id) and not steps
        and tags.get(FROM_FAILURE_TAG) == "true",
        run_id=run.run_id)
