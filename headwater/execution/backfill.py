"""Backfills: materialize a selection of assets over many partitions, run after run.

``launch_backfill`` validates everything and stores the backfill (nothing partial on error);
``execute_backfill`` carries it out in this process through ``execute_plan``, the path every run
takes, and can be called again after a crash or an interruption: partitions whose runs
succeeded are not run again. Runs go in partition-key order, one chunk of keys each (one key,
``BackfillPolicy.multi_run(n)`` keys, or all for ``single_run()``); every run holds all the
selected assets of one partitioning for its keys, so a partition's downstream assets wait for
its upstream ones, and earlier partitions finish before later ones (time-window mappings that
read the previous day). Assets of other, linked partitionings run in later stages
(``backfill_stages.py``). ``cancel_backfill`` asks it to stop; the running backfill stops
before its next run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvalidDefinitionError, InvalidInvocationError
from headwater.definitions.partitions import PartitionKeyRange
from headwater.definitions.partitions.mapping_base import in_order
from headwater.definitions.tags import BACKFILL_ID_TAG, BACKFILL_STAGE_TAG, CODE_LOCATION_TAG
from headwater.execution.backfill_plan import plan_runs, split_unpartitioned
from headwater.execution.backfill_stages import Stage, plan_stages, stage_keys

BACKFILL_JOB_NAME = "__ASSET_JOB"
RANGE_SEPARATOR = "..."


@dataclass(frozen=True)
class BackfillProgress:
    """Where a backfill stands; handed to ``on_progress`` after every run."""

    backfill_id: str
    total: int  # partitions
    done: int  # partitions materialized by a successful run
    failed: int  # partitions whose run failed
    runs: int  # runs launched by this call
    last_run_id: str | None = None
    last_run_success: bool | None = None


def parse_partition_spec(spec: str) -> tuple[PartitionKeyRange | None, list[str] | None]:
    """``"a...b"`` is an inclusive range, ``"a,b,c"`` a list of keys, ``"a"`` one key."""
    spec = spec.strip()
    if RANGE_SEPARATOR in spec:
        start, _, end = spec.partition(RANGE_SEPARATOR)
        if not start.strip() or not end.strip():
            raise InvalidInvocationError(
                f"Partition range {spec!r} needs a start and an end, e.g. "
                "2024-01-01...2024-12-31")
        return PartitionKeyRange(start.strip(), end.strip()), None
    keys = [k.strip() for k in spec.split(",") if k.strip()]
    if not keys:
        raise InvalidInvocationError("No partition keys given: pass a key, a comma-separated "
                                     "list, or a range start...end")
    return None, keys


def _selected_keys(graph: Any, selection: Any) -> list[AssetKey]:
    from headwater.definitions.selection import AssetSelection

    sel = AssetSelection.from_coercible(selection)
    ids = {i for i in sel.resolve_ids(graph) if graph.is_executable(i)}
    if not ids:
        raise InvalidInvocationError(
            f"The backfill selection {selection!r} matches no asset that can be materialized")
    return [graph.keys[i] for i in graph.toposort if i in ids]


def _per_run(graph: Any, keys: Sequence[AssetKey]) -> int | None:
    """Partitions per run from the assets' backfill policies: the smallest wins; no policy
    means one run per partition (as in Dagster)."""
    sizes: list[int | None] = []
    for key in keys:
        if graph.partitions_def_for(key) is None:
            continue
        policy = getattr(graph.definition_for(key), "backfill_policy", None)
        sizes.append(1 if policy is None else policy.max_partitions_per_run)
    limited = [s for s in sizes if s is not None]
    if limited:
        return min(limited)
    return None if sizes else 1


def launch_backfill(defs: Any, selection: Any, *, instance: Any,
                    partition_keys: Sequence[str] | None = None,
                    partition_range: PartitionKeyRange | None = None,
                    all_partitions: bool = False, max_partitions_per_run: Any = "policy",
                    tags: dict[str, str] | None = None, title: str | None = None,
                    location_name: str | None = None) -> Any:
    """Validate and store a backfill of ``selection`` (REQUESTED); return its record.

    ``max_partitions_per_run``: "policy" (from the assets' BackfillPolicy), None (one run for
    all), or n. ``location_name``: the code location the daemon carries the backfill out in
    (its runs are queued there; the plan of its runs is stored with it); without one, it is
    carried out by ``execute_backfill``. Errors leave nothing stored."""
    from headwater.storage.backfills import PartitionBackfill, make_backfill_id

    graph = defs.asset_graph
    keys = _selected_keys(graph, selection)
    stages = plan_stages(graph, keys)
    if not stages:
        raise InvalidInvocationError(
            f"None of the selected assets ({', '.join(k.to_user_string() for k in keys[:5])}) "
            "is partitioned: materialize them with `headwater asset materialize` instead")
    pdef = stages[0].partitions_def  # the keys given are this (most upstream) definition's
    split_unpartitioned(graph, keys)  # raises when one must run before the partitions
    chosen = sum(x is not None and x is not False for x in (partition_keys, partition_range)) \
        + bool(all_partitions)
    if chosen != 1:
        raise InvalidInvocationError(
            "Say which partitions to backfill: a list of keys, a range, or all partitions "
            "(exactly one of them)")
    if partition_range is not None:
        wanted = pdef.get_partition_keys_in_range(partition_range, dynamic_partitions_store=instance)
    elif all_partitions:
        wanted = list(pdef.get_partition_keys(dynamic_partitions_store=instance))
    else:
        assert partition_keys is not None
        for pk in partition_keys:
            pdef.validate_partition_key(pk, dynamic_partitions_store=instance)
        wanted = in_order(pdef, partition_keys, instance)
    if not wanted:
        raise InvalidInvocationError(f"{pdef!r} has no partitions to backfill")
    stage_keys(graph, stages, wanted, instance)  # the later stages' keys must map (or raise)
    per_run = _per_run(graph, keys) if max_partitions_per_run == "policy" \
        else max_partitions_per_run
    tags = dict(tags or {})
    plan = None
    if location_name is not None:
        tags[CODE_LOCATION_TAG] = location_name
        plan = plan_runs(graph, keys, wanted, per_run, instance)[1]
    backfill = PartitionBackfill(
        backfill_id=make_backfill_id(), asset_selection=keys, partition_keys=wanted,
        max_partitions_per_run=per_run, tags=tags, job_name=BACKFILL_JOB_NAME,
        title=title, plan=plan)
    instance.add_backfill(backfill)
    return backfill


def _done_partitions(instance: Any, backfill: Any, stages: Sequence[Stage],
                     ) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """(stage, partition) pairs already covered by this backfill's successful runs, and by
    failed ones."""
    from headwater.storage.runs import RunStatus

    done: set[tuple[int, str]] = set()
    failed: set[tuple[int, str]] = set()
    for run in instance.get_backfill_runs(backfill.backfill_id):
        stage = int(run.stage or 0)
        if stage >= len(stages):
            continue
        pdef = stages[stage].partitions_def
        if run.partition_key is not None:
            keys = [run.partition_key]
        elif run.partition_range_start is not None and run.partition_range_end is not None:
            keys = pdef.get_partition_keys_in_range(
                PartitionKeyRange(run.partition_range_start, run.partition_range_end),
                dynamic_partitions_store=instance)
        else:
            continue
        pairs = {(stage, k) for k in keys}
        if run.status == RunStatus.SUCCESS:
            done.update(pairs)
            failed.difference_update(pairs)
        else:
            if not run.is_finished:
                _fail_orphaned_run(instance, run.run_id, backfill.backfill_id)
            failed.update(pairs - done)
    return done, failed


def _fail_orphaned_run(instance: Any, run_id: str, backfill_id: str) -> None:
    """A run of this backfill left open. Its process is gone (``fail_dead_runs``) or never
    started it (the process carrying out the backfill stopped first): it is marked failed. One
    whose process still runs (a re-execution elsewhere) is left alone."""
    from headwater.storage.processes import is_alive

    if run_id in instance.fail_dead_runs():
        return
    process = instance.get_run_process(run_id)
    if process is not None and is_alive(process.process):
        return
    instance.report_run_failed(
        run_id, f"The process carrying out backfill {backfill_id} stopped during this run; "
        "the backfill was resumed and runs its partitions again.")


def _this_runner() -> str:
    from headwater.storage.processes import current_process

    return current_process().encode()


def runner_alive(runner: str | None) -> bool:
    """Whether the process recorded as carrying out a backfill still runs: checked as a run's
    process is (``storage/processes.py``: its pid and start time on this host; a process on
    another host is assumed alive)."""
    from headwater.storage.processes import ProcessIdentity, is_alive

    return bool(runner) and is_alive(ProcessIdentity.decode(runner or ""))


def _describe_runner(runner: str) -> str:
    from headwater.storage.processes import ProcessIdentity

    process = ProcessIdentity.decode(runner)
    return process.describe() if process is not None else runner


def execute_backfill(defs: Any, backfill_id: str, *, instance: Any,
                     on_progress: Callable[[BackfillProgress], None] | None = None,
                     on_run_start: Callable[[list[str]], None] | None = None) -> Any:
    """Carry out (or resume) a stored backfill here; return its final record."""
    from headwater.storage.backfills import BulkActionStatus as S

    backfill = instance.get_backfill(backfill_id)
    if backfill is None:
        raise InvalidInvocationError(
            f"No backfill {backfill_id!r} in this instance; see `headwater backfill list`")
    if backfill.is_finished and backfill.status != S.FAILED:
        return backfill
    me = _this_runner()
    if backfill.runner not in (None, me) and runner_alive(backfill.runner):
        raise InvalidInvocationError(
            f"Backfill {backfill_id} is being carried out by process "
            f"{_describe_runner(backfill.runner)}; wait "
            f"for it, or stop it with `headwater backfill cancel {backfill_id}`")
    graph = defs.asset_graph
    missing = [k for k in backfill.asset_selection if k not in graph]
    if missing:
        raise InvalidDefinitionError(
            f"Backfill {backfill_id}: asset(s) {', '.join(k.to_user_string() for k in missing)} "
            "are no longer defined in this code location")
    keys = list(backfill.asset_selection)
    if backfill.status == S.FAILED:
        backfill = instance.update_backfill(backfill.with_status(S.REQUESTED).with_error(None))
    if backfill.status == S.CANCELING:
        return instance.update_backfill(replace(backfill.with_status(S.CANCELED), runner=None))
    backfill = instance.update_backfill(replace(backfill, runner=me))
    try:
        return _carry_out(defs, graph, backfill, keys, instance, on_progress, on_run_start)
    finally:
        current = instance.get_backfill(backfill_id)
        if current is not None and current.runner == me:
            instance.update_backfill(replace(current, runner=None))


def _carry_out(defs: Any, graph: Any, backfill: Any, keys: list[AssetKey], instance: Any,
               on_progress: Callable[[BackfillProgress], None] | None,
               on_run_start: Callable[[list[str]], None] | None) -> Any:
    from headwater.storage.backfills import BulkActionStatus as S

    backfill_id = backfill.backfill_id
    stages = plan_stages(graph, split_unpartitioned(graph, keys)[0])
    keys_by_stage = stage_keys(graph, stages, backfill.partition_keys, instance)
    done, failed = _done_partitions(instance, backfill, stages)
    _, plan = plan_runs(graph, keys, backfill.partition_keys, backfill.max_partitions_per_run,
                        instance, done)
    state = _Progress(backfill_id, sum(len(k) for k in keys_by_stage), done, failed,
                      on_progress)
    state.report(None)
    canceled = False
    for stage, planned in zip(stages, plan.stages, strict=True):
        canceled = not _run_stage(defs, graph, backfill, stage, planned.runs,
                                  len(stages) > 1, instance, state, on_run_start)
        if canceled or any(s == stage.index for s, _ in failed):
            break  # a later stage would read what this one failed to write: it waits
    final = instance.get_backfill(backfill_id)
    if canceled or final.status in (S.CANCELING, S.CANCELED):
        return instance.update_backfill(replace(final.with_status(S.CANCELED), runner=None))
    if plan.final_assets and not failed and len(done) == state.total:
        ok = _run_unpartitioned(defs, graph, list(plan.final_assets), backfill, instance,
                                on_run_start)
        if not ok:
            failed.add((-1, ""))  # the final run failed: the backfill did not complete
    status = S.COMPLETED_FAILED if failed or len(done) < state.total else S.COMPLETED_SUCCESS
    return instance.update_backfill(replace(final.with_status(status), runner=None))


class _Progress:
    """Done and failed (stage, partition) pairs; reports after every run."""

    def __init__(self, backfill_id: str, total: int, done: set[tuple[int, str]],
                 failed: set[tuple[int, str]],
                 on_progress: Callable[[BackfillProgress], None] | None):
        self.backfill_id, self.total = backfill_id, total
        self.done, self.failed, self.on_progress = done, failed, on_progress
        self.runs = 0

    def report(self, result: Any) -> None:
        if self.on_progress is not None:
            self.on_progress(BackfillProgress(
                self.backfill_id, self.total, len(self.done), len(self.failed - self.done),
                self.runs, result.run_id if result is not None else None,
                result.success if result is not None else None))


def _run_stage(defs: Any, graph: Any, backfill: Any, stage: Stage,
               runs: Sequence[Sequence[str]], tag_stage: bool, instance: Any, state: _Progress,
               on_run_start: Callable[[list[str]], None] | None) -> bool:
    """The planned runs of one stage, in key order; False if the backfill was canceled."""
    from headwater.execution.launch import LaunchRequest, LoadedTarget, launch
    from headwater.storage.backfills import BulkActionStatus as S

    if not runs:
        return True
    target = LoadedTarget.of_assets(graph, defs.resources)
    stage_tags = {BACKFILL_STAGE_TAG: str(stage.index)} if tag_stage else {}
    for planned in runs:
        chunk = list(planned)
        if instance.get_backfill_status(backfill.backfill_id) in (S.CANCELING, S.CANCELED):
            return False
        single = chunk[0] if len(chunk) == 1 else None
        request = LaunchRequest(
            job_name=backfill.job_name or BACKFILL_JOB_NAME, asset_selection=tuple(stage.assets),
            partition_key=single, partition_range=None if single else (chunk[0], chunk[-1]),
            tags={**backfill.tags, BACKFILL_ID_TAG: backfill.backfill_id, **stage_tags})
        if on_run_start is not None:
            on_run_start(chunk)
        result = launch(request, instance, target, raise_on_error=False)
        state.runs += 1
        pairs = {(stage.index, pk) for pk in chunk}
        if result.success:
            state.done.update(pairs)
            state.failed.difference_update(pairs)
        else:
            state.failed.update(pairs)
        state.report(result)
        del result  # a 10,000-partition backfill keeps no run in memory
    return True


def _run_unpartitioned(defs: Any, graph: Any, keys: list[AssetKey], backfill: Any,
                       instance: Any, on_run_start: Callable[[list[str]], None] | None) -> bool:
    """The selection's unpartitioned assets, once, after every partition succeeded (skipped
    when an earlier call of a resumed backfill already ran them)."""
    from headwater.execution.launch import LaunchRequest, LoadedTarget, launch
    from headwater.storage.runs import RunStatus

    for run in instance.get_backfill_runs(backfill.backfill_id):
        if run.partition_key is None and run.partition_range_start is None \
                and run.status == RunStatus.SUCCESS:
            return True
    if on_run_start is not None:
        on_run_start([])
    request = LaunchRequest(job_name=backfill.job_name or BACKFILL_JOB_NAME,
                            asset_selection=tuple(keys),
                            tags={**backfill.tags, BACKFILL_ID_TAG: backfill.backfill_id})
    result = launch(request, instance, LoadedTarget.of_assets(graph, defs.resources),
                    raise_on_error=False)
    return bool(result.success)


def request_backfill(instance: Any, backfill_id: str) -> tuple[Any, bool]:
    """Hand a backfill launched for the daemon back to it: a FAILED one is REQUESTED again
    (its error cleared; finished partitions are not rerun, their runs are found); a REQUESTED
    one is left as it is. Returns the record and whether it changed. Carried out in process
    (no plan stored), finished, or being canceled: InvalidInvocationError saying what to do."""
    from headwater.storage.backfills import BulkActionStatus as S

    backfill = instance.get_backfill(backfill_id)
    if backfill is None:
        raise InvalidInvocationError(
            f"No backfill {backfill_id!r} in this instance; see `headwater backfill list`")
    if backfill.plan is None:
        raise InvalidInvocationError(
            f"Backfill {backfill_id} was launched to be carried out in process (--wait): the "
            f"daemon has no plan of its runs; continue it with `headwater backfill resume "
            f"--wait {backfill_id}`")
    if backfill.status in (S.CANCELING, S.FAILING):
        raise InvalidInvocationError(
            f"Backfill {backfill_id} is {backfill.status.value}: its runs in progress are "
            "finishing; launch a new backfill once it has ended")
    if backfill.is_finished and backfill.status != S.FAILED:
        raise InvalidInvocationError(
            f"Backfill {backfill_id} already finished ({backfill.status.value}); launch a new "
            "one to run it again")
    if backfill.status == S.REQUESTED:
        return backfill, False
    return instance.update_backfill(replace(
        backfill.with_status(S.REQUESTED).with_error(None), runner=None)), True


def cancel_backfill(instance: Any, backfill_id: str) -> Any:
    """Stop a backfill: CANCELING while a process carries it out (it stops before its next
    run, then CANCELED); CANCELED at once when none does (never started, or its process
    died). Its queued runs are canceled (they never start); runs in progress finish."""
    from headwater.storage.backfills import BulkActionStatus as S

    backfill = instance.get_backfill(backfill_id)
    if backfill is None:
        raise InvalidInvocationError(
            f"No backfill {backfill_id!r} in this instance; see `headwater backfill list`")
    if backfill.is_finished:
        raise InvalidInvocationError(
            f"Backfill {backfill_id} already finished ({backfill.status.value}); nothing to cancel")
    if runner_alive(backfill.runner):
        backfill = instance.update_backfill(backfill.with_status(S.CANCELING))
    else:
        backfill = instance.update_backfill(replace(backfill.with_status(S.CANCELED),
                                                    runner=None))
    cancel_queued_runs(instance, backfill_id)
    return backfill


def cancel_queued_runs(instance: Any, backfill_id: str) -> int:
    """Cancel the backfill's runs that have not started (QUEUED); how many were."""
    from headwater.execution.cancel import request_cancel
    from headwater.storage.runs import RunStatus

    canceled = 0
    for run in instance.get_backfill_runs(backfill_id):
        if run.status == RunStatus.QUEUED and request_cancel(
                instance, run.run_id, f"backfill {backfill_id} was canceled") \
                == RunStatus.CANCELED:
            canceled += 1
    return canceled

