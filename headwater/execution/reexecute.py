"""Re-executing a run: from failure (failed and not-yet-run steps), or a chosen set of steps.

Steps that are not re-run are not re-computed: their outputs load from storage — an asset by
its key through its IO manager, an op output from the run (of the lineage) that stored it. The
new run records its parent and root run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from headwater.definitions.errors import (
    ExecutionStepNotFoundError,
    InvalidInvocationError,
    RunNotFoundError,
)
from headwater.events.records import EventType
from headwater.execution.plan import ExecutionPlan, OpInput, Step, build_plan

if TYPE_CHECKING:
    from headwater.execution.launch import LaunchRequest


@dataclass(frozen=True)
class ReexecutionOptions:
    """Which run to re-execute, and which of its steps (Dagster: ``ReexecutionOptions``)."""

    parent_run_id: str
    step_selection: Sequence[str] = ()
    from_failure_only: bool = False

    @staticmethod
    def from_failure(run_id: str, instance: Any = None) -> ReexecutionOptions:
        return ReexecutionOptions(run_id, (), True)


def reexecute_job(job: Any, options: ReexecutionOptions, *, instance: Any,
                  run_config: Any = None, tags: Mapping[str, str] | None = None,
                  raise_on_error: bool = True, resources: Mapping[str, Any] | None = None,
                  result_cls: Any = None) -> Any:
    """Re-execute ``options.parent_run_id`` (a run of ``job``) in this process."""
    from headwater.definitions.run_config import normalize_run_config
    from headwater.execution.launch import LaunchRequest, LoadedTarget, launch

    request = LaunchRequest(
        job_name=job.name,
        run_config=None if run_config is None else normalize_run_config(run_config),
        tags=dict(tags or {}), parent_run_id=options.parent_run_id,
        step_selection=tuple(options.step_selection), from_failure=options.from_failure_only)
    kwargs: dict[str, Any] = {} if result_cls is None else {"result_cls": result_cls}
    return launch(request, instance, LoadedTarget.of_job(job, resources),
                  raise_on_error=raise_on_error, **kwargs)


def plan_reexecution(job: Any, request: LaunchRequest, instance: Any,
                     ) -> tuple[Any, Any, ExecutionPlan, dict[str, str]]:
    """The parent run, the run config, the plan and the parent's inherited tags of the
    re-execution ``request`` of ``job``: clear errors when the parent cannot be re-executed."""
    from headwater.execution.launch import job_plan

    assert request.parent_run_id is not None
    parent = instance.get_run_by_id(request.parent_run_id)
    if parent is None:
        raise RunNotFoundError(f"No run with id {request.parent_run_id!r} to re-execute")
    if parent.job_name != job.name:
        raise InvalidInvocationError(
            f"Run {parent.run_id} is a run of {parent.job_name!r}, not of {job.name!r}")
    if not parent.is_finished and parent.run_id in instance.fail_dead_runs():
        parent = instance.get_run_by_id(parent.run_id)  # its process was gone: now FAILURE
    if not parent.is_finished:
        raise InvalidInvocationError(
            f"Run {parent.run_id} is {parent.status.value}: re-execute it once it has finished "
            f"(if its process was stopped, `headwater run fail {parent.run_id}` marks it failed)")
    config = parent.run_config if request.run_config is None else request.run_config
    full = job_plan(job, _parent_selection(job, parent, config))
    done = _succeeded_steps(instance, parent)
    if request.from_failure:
        if parent.is_success:
            raise InvalidInvocationError(
                f"Run {parent.run_id} succeeded: there is nothing to re-execute from failure")
        chosen = {s.index for s in full.steps if s.key not in done}
    else:
        names = set(request.step_selection)
        known = {s.key for s in full.steps}
        unknown = sorted(names - known)
        if unknown:
            raise ExecutionStepNotFoundError(
                f"Step(s) {unknown} are not steps of job {job.name!r}; its steps are "
                f"{sorted(known)}")
        chosen = {s.index for s in full.steps if s.key in names}
    plan = _subplan(full, chosen, instance, parent)
    # the parent's tags carry over (its partition or range, its backfill), as in Dagster
    inherited = {k: v for k, v in parent.tags.items()
                 if k not in ("dagster/parent_run_id", "dagster/root_run_id")}
    return parent, config, plan, inherited


def _parent_selection(job: Any, parent: Any, config: Any) -> LaunchRequest:
    """The request of the parent's plan: its job with the parent's own selection (a run of
    some of a job's assets or ops re-executes within them, never the job's other steps)."""
    from headwater.execution.launch import LaunchRequest

    assets = checks = None
    if job.graph_def is None and parent.asset_selection is not None:
        graph = job.asset_graph
        gone = sorted(k.to_user_string() for k in parent.asset_selection if k not in graph.ids)
        if gone:
            raise InvalidInvocationError(
                f"Run {parent.run_id} materialized asset(s) {', '.join(gone)}, which job "
                f"{job.name!r} no longer has; launch the assets you want instead")
        assets = tuple(sorted(parent.asset_selection, key=lambda k: k.path))
        if parent.asset_check_selection is not None:
            checks = tuple(sorted(parent.asset_check_selection, key=str))
    ops = None if job.graph_def is None or parent.op_selection is None \
        else tuple(parent.op_selection)
    return LaunchRequest(job_name=job.name, run_config=config, asset_selection=assets,
                         asset_check_selection=checks, op_selection=ops)


def _succeeded_steps(instance: Any, run: Any) -> set[str]:
    """Steps that succeeded in the run, or (for a re-execution) earlier in its lineage."""
    done: set[str] = set()
    while run is not None:
        for entry in instance.all_logs(run.run_id, of_type=EventType.STEP_SUCCESS):
            if entry.step_key:
                done.add(entry.step_key.split("[", 1)[0])
        run = instance.get_run_by_id(run.parent_run_id) if run.parent_run_id else None
    return done


def _producing_run(instance: Any, run: Any, step_key: str, output: str) -> str:
    """The run of the lineage that stored ``step_key``'s ``output`` most recently."""
    while run is not None:
        for entry in instance.all_logs(run.run_id, of_type=EventType.HANDLED_OUTPUT):
            data = entry.dagster_event.event_specific_data if entry.dagster_event else None
            if entry.step_key == step_key and getattr(data, "output_name", None) == output:
                return run.run_id
        run = instance.get_run_by_id(run.parent_run_id) if run.parent_run_id else None
    raise InvalidInvocationError(
        f"No earlier run stored output {output!r} of step {step_key!r}; re-execute that step too")


def _subplan(full: ExecutionPlan, chosen: set[int], instance: Any, parent: Any) -> ExecutionPlan:
    if not chosen:
        raise InvalidInvocationError("The re-execution selects no step")
    if full.graph is not None:  # an asset job: upstream assets load by key
        ids = {full.graph.ids[k] for s in full.steps if s.index in chosen
               for k in s.asset_outputs.values()}
        return build_plan(full.graph, ids, None, full.job_hooks)
    steps = full.steps
    keep = [s for s in steps if s.index in chosen]
    remap = {s.index: i for i, s in enumerate(keep)}
    out: list[Step] = []
    for s in keep:
        inputs = []
        for oi in s.op_inputs:
            if all(i in remap for i, _ in oi.sources):
                inputs.append(dataclasses.replace(oi, sources=[(remap[i], o) for i, o in oi.sources]))
                continue
            if oi.kind != "output":
                raise InvalidInvocationError(
                    f"Step {s.key!r} reads a dynamic or fanned-in output of a step that is not "
                    "re-executed; include that upstream step in the re-execution")
            (src, output), = oi.sources
            up = steps[src]
            run_id = _producing_run(instance, parent, up.key, output)
            inputs.append(OpInput(oi.param, "from_run", [], (run_id, up.key, output, up.op)))
        mapped = s.mapped_from
        if mapped is not None and mapped[0] not in remap:
            raise InvalidInvocationError(
                f"Step {s.key!r} is mapped over a dynamic output of {steps[mapped[0]].key!r}; "
                "re-execute that step too")
        out.append(dataclasses.replace(
            s, index=remap[s.index], deps={remap[d] for d in s.deps if d in remap},
            op_inputs=inputs, mapped_from=(remap[mapped[0]], mapped[1]) if mapped else None))
    return ExecutionPlan(out, full.graph)
