"""The backfill daemon over a real instance, a real in-process code location and the real
run queue: passes are driven by calling ``run_iteration`` directly (no clock, no sleeps)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

import headwater as dg
from headwater.daemon.backfills import BackfillComponent, backfill_run_id
from headwater.daemon.queue import QueueComponent
from headwater.definitions.tags import BACKFILL_ID_TAG, CODE_LOCATION_TAG, PARTITION_NAME_TAG
from headwater.execution.backfill import cancel_backfill, launch_backfill
from headwater.locations.in_process import InProcessLocation
from headwater.storage.backfills import BulkActionStatus as S
from headwater.storage.runs import RunStatus

GUARD_S = 60.0  # bounds a broken test only; no assertion depends on time
days = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-07")  # 6 days
CALLS: list[tuple[str, str]] = []
FAIL_ON: set[str] = set()
GATE = threading.Event()


@dg.asset(partitions_def=days)
def hwbf_raw(context: dg.AssetExecutionContext) -> dict:
    GATE.wait(GUARD_S)
    for key in context.partition_keys:
        CALLS.append(("raw", key))
        if key in FAIL_ON:
            raise ValueError(f"no data for {key}")
    return {key: 1 for key in context.partition_keys}


@dg.asset(partitions_def=days)
def hwbf_clean(context: dg.AssetExecutionContext, hwbf_raw: dict) -> dict:
    for key in context.partition_keys:
        CALLS.append(("clean", key))
    return dict(hwbf_raw)


@dg.asset(partitions_def=days, ins={"hwbf_raw": dg.AssetIn(
    partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1))})
def hwbf_rolling(context: dg.AssetExecutionContext, hwbf_raw: dict) -> dict:
    for key in context.partition_keys:
        CALLS.append(("rolling", key))
    return {key: 1 for key in context.partition_keys}


@dg.asset
def hwbf_summary(hwbf_clean: dict) -> int:
    CALLS.append(("summary", ",".join(sorted(hwbf_clean))))
    return len(hwbf_clean)


DEFS = dg.Definitions(assets=[hwbf_raw, hwbf_clean, hwbf_rolling, hwbf_summary])


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HEADWATER_HOME", str(path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return path


@pytest.fixture
def instance(home: Path):
    CALLS.clear()
    FAIL_ON.clear()
    GATE.set()
    with dg.Instance.local(home) as instance:
        yield instance
    GATE.set()


@pytest.fixture
def location(instance):
    loc = InProcessLocation.from_definitions("loc", DEFS, instance)
    yield loc
    GATE.set()
    loc.wait_for_runs(GUARD_S)


def launch(instance, assets=(hwbf_raw, hwbf_clean), **kwargs):
    kwargs.setdefault("partition_range", dg.PartitionKeyRange("2024-01-01", "2024-01-04"))
    return launch_backfill(DEFS, list(assets), instance=instance, location_name="loc",
                           **kwargs)


def drive(instance, backfills, location, backfill_id, passes=30):
    """Backfill pass, queue pass, wait for the launched runs; until the backfill finished."""
    queue = QueueComponent(instance, {"loc": location})
    for _ in range(passes):
        backfills.run_iteration()
        queue.run_iteration()
        assert location.wait_for_runs(GUARD_S)
        backfill = instance.get_backfill(backfill_id)
        if backfill.is_finished:
            return backfill
    raise AssertionError(f"backfill {backfill_id} did not finish in {passes} passes")


def partitions_of(run):
    if run.partition_key is not None:
        return [run.partition_key]
    return [run.partition_range_start, run.partition_range_end]


def test_the_daemon_queues_the_runs_then_completes_the_backfill(instance, location):
    backfill = launch(instance)
    assert backfill.status == S.REQUESTED and backfill.plan is not None
    daemon = BackfillComponent(instance, [location])
    daemon.run_iteration()
    runs = instance.get_backfill_runs(backfill.backfill_id)
    assert [r.partition_key for r in runs] == ["2024-01-01", "2024-01-02", "2024-01-03",
                                               "2024-01-04"]
    assert {r.status for r in runs} == {RunStatus.QUEUED}
    tags = instance.get_run_by_id(runs[0].run_id).tags
    assert tags[BACKFILL_ID_TAG] == backfill.backfill_id
    assert tags[PARTITION_NAME_TAG] == "2024-01-01" and tags[CODE_LOCATION_TAG] == "loc"
    assert instance.get_backfill(backfill.backfill_id).runner == daemon.me
    assert not CALLS  # nothing ran in the daemon: the queue launches the runs

    final = drive(instance, daemon, location, backfill.backfill_id)
    assert final.status == S.COMPLETED_SUCCESS and final.runner is None
    assert final.end_timestamp is not None
    assert instance.get_materialized_partitions(dg.AssetKey("hwbf_clean")) == {
        "2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"}
    for day in ("2024-01-01", "2024-01-04"):  # each run holds both assets of its day
        assert CALLS.index(("raw", day)) < CALLS.index(("clean", day))


@pytest.mark.parametrize("per_run, ranges", [
    (4, [("2024-01-01", "2024-01-04"), ("2024-01-05", "2024-01-06")]),
    (None, [("2024-01-01", "2024-01-06")]),
])
def test_the_policy_cuts_the_partitions_into_runs(instance, location, per_run, ranges):
    backfill = launch(instance, partition_range=None, all_partitions=True,
                      max_partitions_per_run=per_run)
    final = drive(instance, BackfillComponent(instance, [location]), location,
                  backfill.backfill_id)
    assert final.status == S.COMPLETED_SUCCESS
    runs = instance.get_backfill_runs(backfill.backfill_id)
    assert [(r.partition_range_start, r.partition_range_end) for r in runs] == ranges
    assert len(instance.get_materialized_partitions(dg.AssetKey("hwbf_clean"))) == 6


def test_a_failed_partition_completes_failed_and_the_others_are_done(instance, location):
    FAIL_ON.add("2024-01-02")
    backfill = launch(instance)
    final = drive(instance, BackfillComponent(instance, [location]), location,
                  backfill.backfill_id)
    assert final.status == S.COMPLETED_FAILED
    assert instance.get_materialized_partitions(dg.AssetKey("hwbf_clean")) == {
        "2024-01-01", "2024-01-03", "2024-01-04"}


def test_the_unpartitioned_asset_runs_once_after_every_partition(instance, location):
    backfill = launch(instance, assets=(hwbf_raw, hwbf_clean, hwbf_summary),
                      partition_range=None, all_partitions=True)
    daemon = BackfillComponent(instance, [location])
    daemon.run_iteration()
    assert len(daemon.submitted) == 6  # the partitions first
    final = drive(instance, daemon, location, backfill.backfill_id)
    assert final.status == S.COMPLETED_SUCCESS
    assert CALLS[-1] == ("summary", ",".join(days.get_partition_keys()))
    assert len(instance.get_backfill_runs(backfill.backfill_id)) == 7


def test_a_partition_reading_the_day_before_waits_for_its_run(instance, location):
    backfill = launch(instance, assets=(hwbf_raw, hwbf_rolling))
    assert backfill.plan.stages[0].ordered
    daemon = BackfillComponent(instance, [location])
    queue = QueueComponent(instance, {"loc": location})
    for day in ("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"):
        daemon.run_iteration()
        assert [r for r in instance.get_backfill_runs(backfill.backfill_id)
                if not r.is_finished][0].partition_key == day
        daemon.run_iteration()
        assert daemon.submitted == []  # the next day waits for this one
        queue.run_iteration()
        assert location.wait_for_runs(GUARD_S)
    daemon.run_iteration()
    assert instance.get_backfill(backfill.backfill_id).status == S.COMPLETED_SUCCESS
    rolling = [c[1] for c in CALLS if c[0] == "rolling"]
    assert rolling == ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]


def test_independent_days_are_not_ordered(instance):
    assert not launch(instance).plan.stages[0].ordered


class Killed(BaseException):
    """The daemon dies here (nothing after this line of the pass happens)."""


def test_a_daemon_killed_between_submissions_never_queues_a_partition_twice(
        instance, location, monkeypatch):
    import headwater.execution.stored_run as stored_run

    backfill = launch(instance, partition_range=None, all_partitions=True)
    real = stored_run.queue_run
    calls = {"n": 0}

    def dies_after_three(*args, **kwargs):
        run = real(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 3:
            raise Killed  # the run is stored; the daemon never learns it
        return run

    monkeypatch.setattr(stored_run, "queue_run", dies_after_three)
    with pytest.raises(Killed):
        BackfillComponent(instance, [location]).run_iteration()
    monkeypatch.setattr(stored_run, "queue_run", real)
    assert len(instance.get_backfill_runs(backfill.backfill_id)) == 3

    for _ in range(3):  # restarted, maybe several times
        BackfillComponent(instance, [location]).run_iteration()
    runs = instance.get_backfill_runs(backfill.backfill_id)
    keys = [r.partition_key for r in runs]
    assert sorted(keys) == days.get_partition_keys() and len(set(keys)) == 6
    assert {r.run_id for r in runs} == {backfill_run_id(backfill.backfill_id, 0, i)
                                        for i in range(6)}
    final = drive(instance, BackfillComponent(instance, [location]), location,
                  backfill.backfill_id)
    assert final.status == S.COMPLETED_SUCCESS
    assert len(instance.get_backfill_runs(backfill.backfill_id)) == 6
    assert sorted(c[1] for c in CALLS if c[0] == "raw") == days.get_partition_keys()


def test_a_backfill_left_by_a_dead_daemon_is_taken_over(instance, location):
    from dataclasses import replace

    from headwater.storage.processes import ProcessIdentity, host_name

    backfill = launch(instance)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    instance.update_backfill(replace(backfill, runner=ProcessIdentity(
        host_name(), gone.pid, None, None).encode()))
    final = drive(instance, BackfillComponent(instance, [location]), location,
                  backfill.backfill_id)
    assert final.status == S.COMPLETED_SUCCESS


def test_runs_are_queued_over_passes_when_there_are_many(instance, location):
    backfill = launch(instance, partition_range=None, all_partitions=True)
    daemon = BackfillComponent(instance, [location], max_runs_per_pass=4)
    daemon.run_iteration()
    assert len(daemon.submitted) == 4
    daemon.run_iteration()
    assert len(daemon.submitted) == 2
    assert len(instance.get_backfill_runs(backfill.backfill_id)) == 6


def test_cancel_cancels_the_queued_runs_then_the_backfill_once_its_run_ended(
        configure_one_at_a_time, instance, location):
    backfill = launch(instance, partition_range=dg.PartitionKeyRange("2024-01-01",
                                                                     "2024-01-03"))
    daemon = BackfillComponent(instance, [location])
    daemon.run_iteration()
    GATE.clear()  # the first run holds in its first step
    queue = QueueComponent(instance, {"loc": location})
    queue.run_iteration()
    assert len(queue.launched) == 1
    canceling = cancel_backfill(instance, backfill.backfill_id)
    assert canceling.status == S.CANCELING  # the daemon (this process) carries it out
    statuses = [r.status for r in instance.get_backfill_runs(backfill.backfill_id)]
    assert statuses[1:] == [RunStatus.CANCELED, RunStatus.CANCELED]
    daemon.run_iteration()
    assert instance.get_backfill(backfill.backfill_id).status == S.CANCELING  # a run is on
    GATE.set()
    assert location.wait_for_runs(GUARD_S)
    daemon.run_iteration()
    final = instance.get_backfill(backfill.backfill_id)
    assert final.status == S.CANCELED and final.runner is None
    assert instance.get_materialized_partitions(dg.AssetKey("hwbf_clean")) == {"2024-01-01"}
    queue.run_iteration()
    assert queue.launched == []


@pytest.fixture
def configure_one_at_a_time(home):
    (home / "dagster.yaml").write_text("run_queue:\n  max_concurrent_runs: 1\n")


def test_cancel_without_a_daemon_is_immediate(instance):
    backfill = launch(instance)
    assert cancel_backfill(instance, backfill.backfill_id).status == S.CANCELED


def test_a_location_the_daemon_does_not_serve_fails_the_backfill(instance):
    backfill = launch(instance)
    BackfillComponent(instance, []).run_iteration()
    final = instance.get_backfill(backfill.backfill_id)
    assert final.status == S.FAILED and "'loc'" in final.error
    assert instance.get_backfill_runs(backfill.backfill_id) == []


def test_a_backfill_carried_out_in_process_is_left_alone(instance, location):
    backfill = launch_backfill(DEFS, [hwbf_raw], instance=instance, all_partitions=True)
    BackfillComponent(instance, [location]).run_iteration()
    assert instance.get_backfill_runs(backfill.backfill_id) == []
    assert instance.get_backfill(backfill.backfill_id).status == S.REQUESTED


def test_the_daemon_runs_the_backfill_component(instance, location):
    from headwater.daemon.runner import default_components

    names = [c.name for c in default_components(instance, lambda: [location])]
    assert "backfills" in names


def test_a_cancel_written_during_a_pass_leaves_no_queued_run(instance, location, monkeypatch):
    from dataclasses import replace

    import headwater.execution.stored_run as stored_run

    backfill = launch(instance)
    real = stored_run.queue_run

    def then_canceled(*args, **kwargs):  # a cancel that read the backfill before the claim
        run = real(*args, **kwargs)
        current = instance.get_backfill(backfill.backfill_id)
        instance.update_backfill(replace(current.with_status(S.CANCELED), runner=None))
        return run

    monkeypatch.setattr(stored_run, "queue_run", then_canceled)
    BackfillComponent(instance, [location]).run_iteration()
    runs = instance.get_backfill_runs(backfill.backfill_id)
    assert [r.status for r in runs] == [RunStatus.CANCELED]  # one queued, then canceled
