"""One tick, exactly once: record, evaluate, plan the runs, create them, finish.

The steps, each durable before the next:

1. the tick is created STARTED under its key (the scheduled time, or a sensor evaluation's id)
   before anything is evaluated -- a key that exists is never evaluated again;
2. the evaluation is stored on the tick with the run id of every run it will create (ids
   derived from the instigator and the tick, or from the run key: a run key already used by
   this instigator is dropped here, once and for all);
3. dynamic partition changes are applied (idempotent), asset events a sensor reported are
   recorded (then marked so on the tick), then each run is created QUEUED (an id that exists
   is found, not doubled);
4. the tick is finished (SUCCESS / SKIPPED / FAILURE) with its run ids and, for a sensor, the
   new cursor in the same transaction.

A daemon killed anywhere restarts, finds the STARTED tick and carries on from its record: with
no stored evaluation it evaluates again under the same key (nothing was created yet), with one
it creates the runs still missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from headwater.daemon.submit import derived_run_id, submit_run
from headwater.locations.evaluation import Evaluation, PartitionsChangeKind
from headwater.storage.instigators import Tick, TickStatus

_EVENTS_REPORTED = "asset_events_reported"


@dataclass(frozen=True)
class TickOutcome:
    tick: Tick
    created_runs: int


def run_key_run_id(selector_id: str, run_key: str) -> str:
    """The one run id a (schedule or sensor, run key) pair ever gets."""
    return derived_run_id(selector_id, "run_key", run_key)


def tick_run_id(selector_id: str, tick_key: str, index: int) -> str:
    return derived_run_id(selector_id, "tick", tick_key, str(index))


def process_tick(instance: Any, tick: Tick, location_name: str,
                 evaluate: Callable[[], Evaluation], *, set_cursor: bool,
                 extra_tags: Mapping[str, str] | None = None) -> TickOutcome:
    """Carry ``tick`` (STARTED) to its end. ``evaluate`` is called only if the tick has no
    stored evaluation; a ``LocationUnavailableError`` it raises leaves the tick STARTED for the
    next pass."""
    if tick.evaluation is None:
        evaluation = evaluate()
        if evaluation.error is not None:
            failed = replace(tick, status=TickStatus.FAILURE,
                             error=evaluation.error.to_string(), cursor=None)
            return TickOutcome(instance.update_tick(failed), 0)
        plan, duplicates = _plan(instance, tick, evaluation)
        if plan or evaluation.dynamic_partitions_changes or evaluation.asset_events:
            tick = instance.update_tick(replace(tick, evaluation={
                "evaluation": evaluation.to_json(), "runs": plan, "duplicates": duplicates}))
    else:
        evaluation = Evaluation.from_json(tick.evaluation["evaluation"])
        plan = [tuple(p) for p in tick.evaluation["runs"]]
        duplicates = list(tick.evaluation.get("duplicates") or ())
    _apply_partition_changes(instance, evaluation)
    if evaluation.asset_events and not (tick.evaluation or {}).get(_EVENTS_REPORTED):
        _report_asset_events(instance, evaluation)
        if plan:  # (with no runs, finishing the tick is the next write)
            tick = instance.update_tick(replace(tick, evaluation={
                **(tick.evaluation or {}), _EVENTS_REPORTED: True}))
    run_ids, run_keys = [], []
    for run_id, index in plan:
        request = evaluation.run_requests[index]
        submit_run(instance, request, location_name, run_id, extra_tags)
        run_ids.append(run_id)
        if request.run_key is not None:
            run_keys.append(request.run_key)
    skip = None
    if not run_ids:
        skip = evaluation.skip_message or (
            f"Run key(s) {duplicates} were requested by an earlier tick; each run key "
            "launches one run" if duplicates else "No runs were requested")
    done = replace(tick, status=TickStatus.SUCCESS if run_ids else TickStatus.SKIPPED,
                   run_ids=tuple(run_ids), run_keys=tuple(run_keys), skip_reason=skip,
                   cursor=evaluation.cursor, evaluation=None)
    return TickOutcome(instance.update_tick(done, cursor=evaluation.cursor,
                                            set_cursor=set_cursor), len(run_ids))


def _plan(instance: Any, tick: Tick, evaluation: Evaluation,
          ) -> tuple[list[tuple[str, int]], list[str]]:
    """(run id, request index) for each run to create; the run keys dropped as used."""
    plan: list[tuple[str, int]] = []
    duplicates: list[str] = []
    seen: set[str] = set()
    for index, request in enumerate(evaluation.run_requests):
        if request.run_key is not None:
            run_id = run_key_run_id(tick.selector_id, request.run_key)
            if run_id in seen or instance.has_run(run_id):
                duplicates.append(request.run_key)
                continue
        else:
            run_id = tick_run_id(tick.selector_id, tick.tick_key, index)
        seen.add(run_id)
        plan.append((run_id, index))
    return plan, duplicates


def _report_asset_events(instance: Any, evaluation: Evaluation) -> None:
    """Record the sensor's ``SensorResult.asset_events`` as events without a run, as Dagster's
    daemon does. Marked done on the tick right after: a crash in between reports them again
    (at least once, never lost)."""
    from headwater.events.records import asset_event_from_json

    for event in evaluation.asset_events:
        instance.report_runless_asset_event(asset_event_from_json(event))


def _apply_partition_changes(instance: Any, evaluation: Evaluation) -> None:
    """Add/delete dynamic partitions (idempotent, so a re-done tick applies them again)."""
    if not evaluation.dynamic_partitions_changes:
        return
    from headwater.definitions.run_request import (
        AddDynamicPartitionsRequest,
        DeleteDynamicPartitionsRequest,
    )

    instance.apply_dynamic_partitions_requests([
        (AddDynamicPartitionsRequest if c.kind == PartitionsChangeKind.ADD
         else DeleteDynamicPartitionsRequest)(c.partitions_def_name, list(c.partition_keys))
        for c in evaluation.dynamic_partitions_changes])
