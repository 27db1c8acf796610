"""Retention: ``Instance.prune_runs`` deletes old finished runs in batches and keeps every
asset's latest facts and partition status. Ages are set in the database, never waited for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvalidInvocationError
from headwater.definitions.results import AssetCheckKey
from headwater.events import EventType
from headwater.storage import BulkActionStatus, PartitionBackfill, RunStatus
from headwater.storage.retention import PruneResult, prune_with_settings

from ._events import check_evaluation, materialization, observation, run_event, step_start, user_log
from .test_partition_status import planned

A, B, P = AssetKey("a"), AssetKey("b"), AssetKey("p")
DAY = 86400.0
MONTH = timedelta(days=30)


def age(instance, run_id: str, days: float) -> None:
    """Make a run last updated ``days`` ago."""
    db = instance.database
    with db.write_cursor() as cursor:
        cursor.execute(db.sql("UPDATE runs SET update_timestamp = ? WHERE run_id = ?"),
                       (time.time() - days * DAY, run_id))


def finished_run(instance, *events_of, outcome=EventType.RUN_SUCCESS, days: float = 0,
                 tags=None) -> str:
    """A run that stored ``events_of(run_id)`` lists of events, then finished ``days`` ago."""
    run_id = instance.create_run("job", tags=tags or {"team": "snow"}).run_id
    events = [run_event(run_id, EventType.RUN_START), step_start(run_id, "s"),
              user_log(run_id, "hello")]
    for make in events_of:
        events += make(run_id)
    instance.store_events(events + [run_event(run_id, outcome)])
    age(instance, run_id, days)
    return run_id


def mat(key, partition=None):
    return lambda run_id: [materialization(run_id, key, partition)]


def run_ids(instance) -> set[str]:
    return {r.run_id for r in instance.get_runs()}


def latest_ids(instance, *keys) -> dict:
    records = instance.get_latest_materialization_records(keys)
    return {k: (r.storage_id if r else None) for k, r in records.items()}


def test_old_finished_runs_go_with_everything_they_recorded(instance):
    old = finished_run(instance, days=40)
    old_with_a = finished_run(instance, mat(A), days=45)
    new = finished_run(instance, mat(A), days=1)
    events_of_old = len(instance.all_logs(old)) + len(instance.all_logs(old_with_a))
    result = instance.prune_runs(MONTH)
    assert run_ids(instance) == {new}
    assert instance.all_logs(old) == [] and instance.all_logs(old_with_a) == []
    assert instance.get_run_tags(["team"]) == [("team", {"snow"})]
    assert (result.runs, result.events, result.tags) == (2, events_of_old, 2)
    assert result.kept_protected == 0 and not result.dry_run
    assert latest_ids(instance, A)[A] is not None


def test_runs_in_progress_or_waiting_are_never_pruned(instance):
    started = instance.create_run("job").run_id
    instance.store_events([run_event(started, EventType.RUN_START)])
    queued = instance.create_run("job", status=RunStatus.QUEUED).run_id
    not_started = instance.create_run("job").run_id
    for run_id in (started, queued, not_started):
        age(instance, run_id, 400)
    result = instance.prune_runs(timedelta(0))
    assert result.runs == 0
    assert run_ids(instance) == {started, queued, not_started}
    assert len(instance.all_logs(started)) == 1


def test_keep_failed_keeps_old_failures(instance):
    failed = finished_run(instance, outcome=EventType.RUN_FAILURE, days=40)
    canceled = finished_run(instance, outcome=EventType.RUN_CANCELED, days=40)
    result = instance.prune_runs(MONTH, keep_failed=True)
    assert run_ids(instance) == {failed} and result.kept_failed == 1 and result.runs == 1
    assert instance.all_logs(failed)
    assert instance.prune_runs(MONTH).runs == 1
    assert run_ids(instance) == set() and canceled not in run_ids(instance)


def test_latest_materializations_observations_and_checks_survive(instance):
    oldest = finished_run(instance, mat(A), mat(B), days=90)
    holds_a = finished_run(instance, mat(A), days=60)  # A's latest: kept, whole
    holds_obs = finished_run(instance, lambda r: [observation(r, B)], days=60)
    check = AssetCheckKey(B, "positive")
    old_check = finished_run(instance, lambda r: [check_evaluation(r, B, "positive", False)],
                             days=80)
    holds_check = finished_run(instance, lambda r: [check_evaluation(r, B, "positive", True)],
                               days=70)
    holds_b = finished_run(instance, mat(B), days=50)
    before = latest_ids(instance, A, B)
    obs_before = instance.fetch_observations(B, limit=1).records[0].storage_id
    check_before = instance.get_latest_asset_check_evaluations([check])[check]
    events_of_holds_a = len(instance.all_logs(holds_a))

    result = instance.prune_runs(MONTH)

    assert run_ids(instance) == {holds_a, holds_obs, holds_check, holds_b}
    assert {oldest, old_check} & run_ids(instance) == set()
    assert result.runs == 2 and result.kept_protected == 4
    assert latest_ids(instance, A, B) == before
    assert instance.fetch_observations(B, limit=1).records[0].storage_id == obs_before
    assert instance.get_latest_asset_check_evaluations([check])[check].id == check_before.id
    assert len(instance.get_asset_check_execution_history(check, limit=10)) == 1
    assert len(instance.all_logs(holds_a)) == events_of_holds_a  # a kept run is kept whole
    assert {k.to_user_string() for k in instance.get_asset_keys()} == {"a", "b"}
    # Once a newer run materializes A, the run that held it goes at the next prune.
    finished_run(instance, mat(A))
    instance.prune_runs(MONTH)
    assert holds_a not in run_ids(instance)


def test_partition_status_is_unchanged(instance):
    first = finished_run(instance, mat(P, "p1"), mat(P, "p2"), days=90)  # p2's latest
    second = finished_run(instance, mat(P, "p1"), days=80)  # p1's latest
    # A failed run planned p3 and p4 and materialized neither: both show FAILED.
    failed = finished_run(instance, lambda r: [planned(r, P, "p3"), planned(r, P, "p4")],
                          outcome=EventType.RUN_FAILURE, days=70)
    # A run that planned p1 and succeeded without materializing it: status unaffected.
    succeeded = finished_run(instance, lambda r: [planned(r, P, "p1")], days=60)
    before = instance.get_partition_status(P)
    latest_before = instance.get_latest_storage_id_by_partition(P)
    assert before.failed == {"p3", "p4"} and before.materialized == {"p1", "p2"}

    result = instance.prune_runs(MONTH)

    assert run_ids(instance) == {first, second, failed}
    assert succeeded not in run_ids(instance) and result.planned_partitions == 1
    assert instance.get_partition_status(P) == before
    assert instance.get_latest_storage_id_by_partition(P) == latest_before


def test_batches_each_delete_part_of_the_runs(instance):
    old = [finished_run(instance, days=40 + i) for i in range(5)]
    seen: list[PruneResult] = []
    from headwater.storage.retention import prune_runs

    result = prune_runs(instance.database, MONTH, batch_size=2, on_batch=seen.append)
    assert [r.runs for r in seen] == [2, 4, 5]
    assert result.batches == 3 and result.runs == 5
    assert run_ids(instance) & set(old) == set()


def test_dry_run_counts_and_changes_nothing(instance):
    finished_run(instance, mat(A), days=50)
    finished_run(instance, mat(A), days=45)
    finished_run(instance, outcome=EventType.RUN_FAILURE, days=40)
    finished_run(instance, mat(A), days=1)
    runs_before = {r.run_id: len(instance.all_logs(r.run_id)) for r in instance.get_runs()}
    dry = instance.prune_runs(MONTH, dry_run=True, batch_size=1)
    assert dry.dry_run and dry.runs == 3 and dry.batches == 3
    assert {r.run_id: len(instance.all_logs(r.run_id)) for r in instance.get_runs()} == runs_before
    real = instance.prune_runs(MONTH, batch_size=1)
    assert (dry.runs, dry.events, dry.tags, dry.check_executions, dry.planned_partitions) == \
        (real.runs, real.events, real.tags, real.check_executions, real.planned_partitions)


def _backfill(instance, backfill_id, status, days):
    instance.add_backfill(PartitionBackfill(backfill_id, status=status, asset_selection=[P],
                                            partition_keys=["p1"]))
    db = instance.database
    with db.write_cursor() as cursor:
        cursor.execute(db.sql("UPDATE backfills SET update_timestamp = ? WHERE backfill_id = ?"),
                       (time.time() - days * DAY, backfill_id))


def test_backfills_go_with_their_last_run_and_a_backfill_in_progress_keeps_its_runs(instance):
    _backfill(instance, "doneback", BulkActionStatus.COMPLETED_SUCCESS, 40)
    _backfill(instance, "goingbak", BulkActionStatus.REQUESTED, 40)
    _backfill(instance, "keptback", BulkActionStatus.COMPLETED_SUCCESS, 40)
    finished_run(instance, days=40, tags={"dagster/backfill": "doneback"})
    going = finished_run(instance, days=40, tags={"dagster/backfill": "goingbak"})
    holds_a = finished_run(instance, mat(A), days=40, tags={"dagster/backfill": "keptback"})
    dry = instance.prune_runs(MONTH, dry_run=True)
    assert dry.backfills == 1 and instance.get_backfill("doneback") is not None
    result = instance.prune_runs(MONTH)
    assert result.backfills == 1 and result.runs == 1 and result.kept_protected == 2
    assert instance.get_backfill("doneback") is None
    assert instance.get_backfill("goingbak") is not None
    assert instance.get_backfill("keptback") is not None
    assert run_ids(instance) == {going, holds_a}


def test_bad_arguments_are_clear_errors(instance):
    with pytest.raises(InvalidInvocationError, match="older_than must be a timedelta"):
        instance.prune_runs(timedelta(days=-1))
    with pytest.raises(InvalidInvocationError, match="older_than must be a timedelta"):
        instance.prune_runs(30)
    with pytest.raises(InvalidInvocationError, match="batch_size must be a positive integer"):
        instance.prune_runs(MONTH, batch_size=-3)


@dataclass(frozen=True)
class Settings:
    """The shape of ``retention.runs`` in the instance config (``RunRetentionSettings``)."""

    max_age: timedelta | None
    keep_failed: bool = False


def test_the_settings_hook(instance):
    failed = finished_run(instance, outcome=EventType.RUN_FAILURE, days=40)
    finished_run(instance, days=40)
    assert prune_with_settings(instance, None) is None
    assert prune_with_settings(instance, Settings(max_age=None)) is None
    assert prune_with_settings(instance, Settings(MONTH, keep_failed=True), batch_size=5).runs == 1
    assert run_ids(instance) == {failed}


def test_delete_run_also_forgets_its_open_plans(instance):
    run_id = finished_run(instance, lambda r: [planned(r, P, "p9")],
                          outcome=EventType.RUN_FAILURE)
    assert instance.get_partition_status(P).failed == {"p9"}
    instance.delete_run(run_id)
    assert instance.get_partition_status(P).failed == set()
    assert instance.prune_runs(timedelta(0)).planned_partitions == 0


def test_compute_logs_of_pruned_runs_are_removed(tmp_path):
    from headwater.storage import Instance

    with Instance.local(tmp_path / "home") as instance:
        old = finished_run(instance, days=40)
        new = finished_run(instance)
        for run_id in (old, new):
            folder = tmp_path / "home" / "compute_logs" / run_id
            folder.mkdir(parents=True)
            (folder / "s.out").write_text("hi\n")
        instance.prune_runs(MONTH)
    assert not (tmp_path / "home" / "compute_logs" / old).exists()
    assert (tmp_path / "home" / "compute_logs" / new / "s.out").exists()


_KILLED_AFTER_ONE_BATCH = """
import os, signal, sys
from datetime import timedelta
from headwater.storage import Instance
from headwater.storage.retention import prune_runs

with Instance.local(sys.argv[1]) as instance:
    prune_runs(instance.database, timedelta(days=30), batch_size=2,
               on_batch=lambda result: os.kill(os.getpid(), signal.SIGKILL))
"""


def test_a_prune_killed_between_batches_leaves_a_consistent_database(tmp_path):
    from headwater.storage import Instance

    home = tmp_path / "home"
    with Instance.local(home) as instance:
        old = [finished_run(instance, mat(A), days=50 - i) for i in range(5)]  # old[-1]: latest
        events = {r: len(instance.all_logs(r)) for r in old}
        before = latest_ids(instance, A)
    child = subprocess.run([sys.executable, "-c", _KILLED_AFTER_ONE_BATCH, str(home)],
                           cwd=str(Path(__file__).resolve().parents[2]), capture_output=True,
                           env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert child.returncode == -signal.SIGKILL, child.stderr
    with Instance.local(home) as instance:
        left = run_ids(instance)
        assert left == set(old[2:])  # the first batch went whole; the others are intact
        assert all(len(instance.all_logs(r)) == events[r] for r in left)
        assert latest_ids(instance, A) == before
        db = instance.database
        with db.read_cursor() as cursor:
            assert cursor.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        result = instance.prune_runs(MONTH)
        assert result.runs == 2 and run_ids(instance) == {old[-1]}
        assert latest_ids(instance, A) == before


def test_a_pruned_run_frees_the_concurrency_slots_it_never_released(instance):
    instance.set_concurrency_slots("warehouse", 1)
    old = finished_run(instance, outcome=EventType.RUN_FAILURE, days=40)
    instance.claim_concurrency_slot("warehouse", old, "s")
    assert instance.get_concurrency_info("warehouse").claimed_slots
    instance.prune_runs(MONTH)
    assert instance.get_concurrency_info("warehouse").claimed_slots == ()
