"""The backfill daemon: carries out the backfills launched for it by queueing their runs.

A backfill launched for the daemon (``launch_backfill(..., location_name=...)``, what
``headwater backfill launch`` does) holds the plan of its runs (``backfill_plan.py``): the
daemon loads no user code, so it cannot plan. Each pass, for every REQUESTED backfill:

* its runs are submitted to the run queue (QUEUED, tagged ``dagster/backfill``, their
  partition or partition range, ``headwater/code_location``), stage after stage: a stage's
  runs are submitted once every earlier stage succeeded, all at once (the queue's limits
  apply) unless the stage is *ordered*, where each run waits for the one before it;
* once every run has finished, the backfill is COMPLETED_SUCCESS, or COMPLETED_FAILED when a
  run failed (a failed stage's later stages are not run, as in process). A code location that
  is not loaded, or no longer defines the assets, makes it FAILED with the reason (Dagster's
  statuses: ``BulkActionStatus``).

A CANCELING backfill (``headwater backfill cancel``) has its queued runs canceled; it is
CANCELED once none of its runs is in progress (those finish).

Exactly once: a run's id is derived from (backfill id, stage, run index), so a daemon killed
between two submissions and restarted finds the runs it queued (``queue_run`` returns the
stored run for an id that exists) and never queues a partition twice. The daemon records
itself as the backfill's runner while it carries it out, so ``headwater backfill resume``
does not run it at the same time; a runner that is gone (a daemon killed) is taken over.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from headwater.daemon.component import Wakeup
from headwater.daemon.scheduler import Locations, location_source
from headwater.daemon.submit import derived_run_id
from headwater.definitions.errors import InvariantViolationError
from headwater.definitions.tags import BACKFILL_ID_TAG, BACKFILL_STAGE_TAG, CODE_LOCATION_TAG
from headwater.locations.contracts import (
    CodeLocation,
    LocationLoadError,
    LocationUnavailableError,
)
from headwater.storage.backfills import BackfillRun, PartitionBackfill, RunPlan
from headwater.storage.backfills import BulkActionStatus as S
from headwater.storage.runs import RunStatus

_log = logging.getLogger("headwater.daemon.backfills")

DEFAULT_INTERVAL_S = 0.5
DEFAULT_MAX_RUNS_PER_PASS = 200  # a 10,000-partition backfill queues its runs over passes


class RunState(enum.Enum):
    TODO = "todo"  # not submitted yet
    PENDING = "pending"  # submitted, not finished
    DONE = "done"
    FAILED = "failed"


def backfill_run_id(backfill_id: str, stage: int | None, index: int = 0) -> str:
    """The id of a backfill's run: the same (backfill, stage, index) always gives the same id;
    stage None is the final run of the unpartitioned assets."""
    if stage is None:
        return derived_run_id("backfill", backfill_id, "final")
    return derived_run_id("backfill", backfill_id, str(stage), str(index))


class _Changed(Exception):
    """The backfill's status changed during the pass."""


class _Runs:
    """The backfill's stored runs: by id, and the successful ones by what they covered (a run
    of ``headwater backfill resume`` has an id of its own)."""

    def __init__(self, runs: Iterable[BackfillRun]):
        self.by_id: dict[str, BackfillRun] = {}
        self.succeeded: set[tuple[int | None, str | None, str | None, str | None]] = set()
        for run in runs:
            self.by_id[run.run_id] = run
            if run.status == RunStatus.SUCCESS:
                self.succeeded.add(self._covers(run))

    @staticmethod
    def _covers(run: BackfillRun) -> tuple[int | None, str | None, str | None, str | None]:
        if run.partition_key is None and run.partition_range_start is None:
            return (None, None, None, None)
        return (int(run.stage or 0), run.partition_key, run.partition_range_start,
                run.partition_range_end)

    def state(self, run_id: str, stage: int | None, keys: tuple[str, ...]) -> RunState:
        if stage is None:
            covered: tuple[Any, ...] = (None, None, None, None)
        elif len(keys) == 1:
            covered = (stage, keys[0], None, None)
        else:
            covered = (stage, None, keys[0], keys[-1])
        if covered in self.succeeded:
            return RunState.DONE
        run = self.by_id.get(run_id)
        if run is None:
            return RunState.TODO
        if not run.is_finished:
            return RunState.PENDING
        return RunState.DONE if run.status == RunStatus.SUCCESS else RunState.FAILED

    @property
    def in_progress(self) -> bool:
        return any(not r.is_finished for r in self.by_id.values())


class BackfillComponent:
    """A ``DaemonComponent``: one pass moves every backfill launched for the daemon on."""

    name = "backfills"

    def __init__(self, instance: Any, locations: Locations | Iterable[CodeLocation], *,
                 interval_seconds: float = DEFAULT_INTERVAL_S,
                 max_runs_per_pass: int = DEFAULT_MAX_RUNS_PER_PASS,
                 wakeup: Wakeup | None = None):
        from headwater.storage.processes import current_process

        self.instance = instance
        self._locations = location_source(locations)
        self.interval_seconds = interval_seconds
        self.max_runs_per_pass = max(1, max_runs_per_pass)
        self.wakeup = wakeup  # the run queue's: set when runs were queued
        self.me = current_process().encode()
        self.submitted: list[str] = []  # run ids queued by the last pass (for callers/tests)

    def run_iteration(self) -> None:
        self.submitted = []
        backfills = self.instance.get_backfills(status=[S.REQUESTED, S.CANCELING])
        for backfill in reversed(backfills):  # oldest first
            if backfill.plan is None or not self._ours(backfill):
                continue  # carried out in process (execute_backfill), or by a live process
            before = len(self.submitted)
            try:
                self._advance(backfill, backfill.plan)
            except (_Changed, InvariantViolationError):
                _log.info("backfill %s changed meanwhile (canceled?); seen again next pass",
                          backfill.backfill_id)
            except Exception:  # noqa: BLE001 - one backfill's trouble must not stop others
                _log.exception("backfill %s could not be moved on; retried next pass",
                               backfill.backfill_id)
            if len(self.submitted) > before:
                self._cancel_if_canceled(backfill.backfill_id)
        if self.submitted and self.wakeup is not None:
            self.wakeup.set()

    def _cancel_if_canceled(self, backfill_id: str) -> None:
        """A cancel that wrote CANCELED while this pass queued runs: cancel them too (its own
        cancel of queued runs may have looked before they were stored)."""
        from headwater.execution.backfill import cancel_queued_runs

        if self.instance.get_backfill_status(backfill_id) == S.CANCELED:
            cancel_queued_runs(self.instance, backfill_id)

    def _ours(self, backfill: PartitionBackfill) -> bool:
        from headwater.execution.backfill import runner_alive

        return backfill.runner in (None, self.me) or not runner_alive(backfill.runner)

    # ------------------------------------------------------------------ one backfill

    def _advance(self, backfill: PartitionBackfill, plan: RunPlan) -> None:
        from headwater.execution.backfill import cancel_queued_runs

        bid = backfill.backfill_id
        if backfill.status == S.CANCELING:
            cancel_queued_runs(self.instance, bid)
            if _Runs(self.instance.get_backfill_runs(bid)).in_progress:
                self._claim(backfill)  # its runs in progress finish; then CANCELED
            else:
                self._finish(backfill, S.CANCELED)
            return
        location_name = backfill.tags.get(CODE_LOCATION_TAG, "")
        problem = self._location_problem(backfill, location_name)
        if problem is not None:
            if problem:  # "" : not available now; wait for it
                self._finish(backfill, S.FAILED, problem)
            return
        backfill = self._claim(backfill)
        runs = _Runs(self.instance.get_backfill_runs(bid))
        tag_stage = len(plan.stages) > 1
        for index, stage in enumerate(plan.stages):
            waiting = failed = False
            for i, keys in enumerate(stage.runs):
                run_id = backfill_run_id(bid, index, i)
                state = runs.state(run_id, index, keys)
                if state is RunState.TODO and not (stage.ordered and waiting) \
                        and len(self.submitted) < self.max_runs_per_pass:
                    self._submit(backfill, location_name, run_id, stage.assets, keys,
                                 {BACKFILL_STAGE_TAG: str(index)} if tag_stage else {})
                    state = RunState.PENDING
                waiting = waiting or state in (RunState.TODO, RunState.PENDING)
                failed = failed or state is RunState.FAILED
            if waiting:
                return  # later stages read this one's partitions: they wait
            if failed:
                self._finish(backfill, S.COMPLETED_FAILED)
                return
        if plan.final_assets:
            run_id = backfill_run_id(bid, None)
            state = runs.state(run_id, None, ())
            if state is RunState.TODO:
                self._submit(backfill, location_name, run_id, plan.final_assets, (), {})
                return
            if state is not RunState.DONE:
                if state is RunState.FAILED:
                    self._finish(backfill, S.COMPLETED_FAILED)
                return
        self._finish(backfill, S.COMPLETED_SUCCESS)

    def _location_problem(self, backfill: PartitionBackfill, name: str) -> str | None:
        """None if the backfill's code location can take its runs; "" if it is not available
        right now (the backfill waits); otherwise why the backfill cannot be carried out."""
        locations: Mapping[str, CodeLocation] = {loc.name: loc for loc in self._locations()}
        location = locations.get(name)
        if location is None:
            return (f"Backfill {backfill.backfill_id} belongs to code location {name!r}, which "
                    f"the daemon does not serve (its locations: {sorted(locations)}). Add it to "
                    "the workspace and resume it (`headwater backfill resume "
                    f"{backfill.backfill_id}`), or carry it out in the foreground with "
                    f"`headwater backfill resume --wait {backfill.backfill_id}`.")
        try:
            snapshot = location.snapshot()
        except (LocationLoadError, LocationUnavailableError) as e:
            _log.warning("backfill %s waits: code location %r is not available: %s",
                         backfill.backfill_id, name, e)
            return ""
        defined = {tuple(a.key) for a in snapshot.assets}
        missing = [k.to_user_string() for k in backfill.asset_selection
                   if tuple(k.path) not in defined]
        if missing:
            return (f"Backfill {backfill.backfill_id}: asset(s) {', '.join(missing)} are no "
                    f"longer defined in code location {name!r}; launch a new backfill.")
        return None

    def _submit(self, backfill: PartitionBackfill, location_name: str, run_id: str,
                assets: Iterable[Any], keys: tuple[str, ...], extra: Mapping[str, str]) -> None:
        from headwater.execution.backfill import BACKFILL_JOB_NAME
        from headwater.execution.launch import LaunchRequest
        from headwater.execution.stored_run import queue_run

        if self.instance.get_backfill_status(backfill.backfill_id) != S.REQUESTED:
            raise _Changed  # canceled meanwhile: no new run
        single = keys[0] if len(keys) == 1 else None
        request = LaunchRequest(
            job_name=backfill.job_name or BACKFILL_JOB_NAME, asset_selection=tuple(assets),
            partition_key=single,
            partition_range=(keys[0], keys[-1]) if len(keys) > 1 else None,
            tags={**backfill.tags, BACKFILL_ID_TAG: backfill.backfill_id, **extra},
            run_id=run_id)
        queue_run(self.instance, request, location_name)
        self.submitted.append(run_id)

    def _claim(self, backfill: PartitionBackfill) -> PartitionBackfill:
        if backfill.runner == self.me:
            return backfill
        return self.instance.update_backfill(replace(backfill, runner=self.me))

    def _finish(self, backfill: PartitionBackfill, status: S, error: str | None = None) -> None:
        """Move the backfill to ``status`` unless it changed meanwhile (a cancel): the next
        pass then sees the new status."""
        current = self.instance.get_backfill(backfill.backfill_id)
        if current is None or current.status != backfill.status:
            return
        if error is not None:
            _log.error("%s", error)
            current = current.with_error(error)
        try:
            self.instance.update_backfill(replace(current.with_status(status), runner=None))
        except InvariantViolationError:  # moved between our read and write
            pass
