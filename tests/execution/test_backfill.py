"""Backfills carried out in process: runs per partition or per range, dependencies between a
day's assets, validation before anything is stored, cancel, and resume after a crash."""

from __future__ import annotations

from typing import Any

import pytest

import headwater as dg
from headwater.execution.backfill import (
    cancel_backfill,
    execute_backfill,
    launch_backfill,
    parse_partition_spec,
)
from headwater.execution.backfill_plan import chunk_keys
from headwater.storage.backfills import BulkActionStatus

days = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-11")  # 10 days
letters = dg.StaticPartitionsDefinition(["a", "b", "c"])
ALL_DAYS = days.get_partition_keys()
CALLS: list[tuple[str, str]] = []
CANCEL_AT: dict[str, str] = {}
FAIL_ON: set[str] = set()


@pytest.fixture(params=["sqlite", "postgres"])
def instance(request, home):
    CALLS.clear()
    CANCEL_AT.clear()
    FAIL_ON.clear()
    if request.param == "sqlite":
        with dg.Instance.get() as instance:
            yield instance
    else:
        url = request.getfixturevalue("postgres_url")
        with dg.Instance.from_url(url, root_directory=str(home)) as instance:
            yield instance


@dg.asset(partitions_def=days)
def raw(context: dg.AssetExecutionContext) -> dict:
    for key in context.partition_keys:
        CALLS.append(("raw", key))
        if key in FAIL_ON:
            raise ValueError(f"no data for {key}")
        if key == CANCEL_AT.get("key"):
            cancel_backfill(context.instance, CANCEL_AT["backfill"])
    return {key: len(CALLS) for key in context.partition_keys}


@dg.asset(partitions_def=days)
def clean(context: dg.AssetExecutionContext, raw: dict) -> dict:
    for key in context.partition_keys:
        CALLS.append(("clean", key))
    return {key: raw[key] for key in context.partition_keys}


@dg.asset(partitions_def=letters)
def by_letter() -> int:
    return 1


@dg.asset
def unpartitioned() -> int:
    return 1


@dg.asset(partitions_def=days, deps=[unpartitioned])
def after_unpartitioned() -> dg.MaterializeResult:
    return dg.MaterializeResult()


@dg.asset
def season(clean: dict) -> int:
    CALLS.append(("season", ",".join(sorted(clean))))
    return len(clean)


def range_defs():
    """The same assets, taking ranges: raw's value per run is a dict per partition."""
    return dg.Definitions(assets=[raw, clean])


def per_partition(instance, **kwargs):
    return launch_backfill(range_defs(), [raw, clean], instance=instance, **kwargs)


def materialized(instance, name):
    return instance.get_materialized_partitions(dg.AssetKey(name))


def test_one_run_per_partition_upstream_before_downstream(instance):
    backfill = per_partition(instance, partition_range=dg.PartitionKeyRange("2024-01-02",
                                                                            "2024-01-05"))
    final = execute_backfill(range_defs(), backfill.backfill_id, instance=instance)
    assert final.status == BulkActionStatus.COMPLETED_SUCCESS
    wanted = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
    assert CALLS == [(name, day) for day in wanted for name in ("raw", "clean")]
    runs = instance.get_backfill_runs(backfill.backfill_id)
    assert [r.partition_key for r in runs] == wanted
    assert materialized(instance, "clean") == set(wanted)


def test_single_run_covers_the_whole_range(instance):
    backfill = per_partition(instance, all_partitions=True, max_partitions_per_run=None)
    final = execute_backfill(range_defs(), backfill.backfill_id, instance=instance)
    assert final.status == BulkActionStatus.COMPLETED_SUCCESS
    runs = instance.get_backfill_runs(backfill.backfill_id)
    assert [(r.partition_range_start, r.partition_range_end) for r in runs] == [
        ("2024-01-01", "2024-01-10")]
    assert materialized(instance, "clean") == set(ALL_DAYS)


def test_multi_run_chunks_contiguous_keys(instance):
    backfill = per_partition(instance, all_partitions=True, max_partitions_per_run=4)
    execute_backfill(range_defs(), backfill.backfill_id, instance=instance)
    runs = instance.get_backfill_runs(backfill.backfill_id)
    assert [(r.partition_range_start, r.partition_range_end) for r in runs] == [
        ("2024-01-01", "2024-01-04"), ("2024-01-05", "2024-01-08"), ("2024-01-09", "2024-01-10")]
    assert list(chunk_keys(ALL_DAYS, ["2024-01-01", "2024-01-02", "2024-01-05"], 5)) == [
        ["2024-01-01", "2024-01-02"], ["2024-01-05"]]


def test_mixed_partitionings_store_nothing(instance):
    defs = dg.Definitions(assets=[raw, clean, by_letter])
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="by_letter"):
        launch_backfill(defs, [raw, by_letter], instance=instance, all_partitions=True)
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="unpartitioned.*upstream"):
        launch_backfill(dg.Definitions(assets=[unpartitioned, after_unpartitioned]),
                        [unpartitioned, after_unpartitioned], instance=instance,
                        all_partitions=True)
    assert instance.get_backfills() == []


def test_invalid_keys_and_ranges_store_nothing(instance):
    with pytest.raises(dg.DagsterUnknownPartitionError, match="2023-12-31"):
        per_partition(instance, partition_keys=["2024-01-02", "2023-12-31"])
    with pytest.raises(dg.DagsterInvalidInvocationError, match="reversed"):
        per_partition(instance, partition_range=dg.PartitionKeyRange("2024-01-05", "2024-01-02"))
    with pytest.raises(dg.DagsterInvalidInvocationError, match="exactly one"):
        per_partition(instance)
    assert instance.get_backfills() == []


def test_a_failed_partition_does_not_stop_the_others(instance):
    FAIL_ON.add("2024-01-03")
    backfill = per_partition(instance, partition_keys=["2024-01-02", "2024-01-03", "2024-01-04"])
    final = execute_backfill(range_defs(), backfill.backfill_id, instance=instance)
    assert final.status == BulkActionStatus.COMPLETED_FAILED
    assert materialized(instance, "clean") == {"2024-01-02", "2024-01-04"}
    status = instance.get_partition_status(dg.AssetKey("raw"), days)
    assert "2024-01-03" in status.failed


def test_cancel_stops_before_the_next_run(instance):
    backfill = per_partition(instance, all_partitions=True)
    CANCEL_AT.update(key="2024-01-03", backfill=backfill.backfill_id)
    final = execute_backfill(range_defs(), backfill.backfill_id, instance=instance)
    assert final.status == BulkActionStatus.CANCELED
    assert materialized(instance, "clean") == {"2024-01-01", "2024-01-02", "2024-01-03"}
    with pytest.raises(dg.DagsterInvalidInvocationError, match="already finished"):
        cancel_backfill(instance, backfill.backfill_id)


def test_resume_after_a_crash_skips_finished_partitions(instance):
    backfill = per_partition(instance, all_partitions=True)
    started: list[list[str]] = []

    def crash_at_fourth(chunk):
        started.append(chunk)
        if len(started) == 4:
            raise KeyboardInterrupt  # the process stops between runs

    with pytest.raises(KeyboardInterrupt):
        execute_backfill(range_defs(), backfill.backfill_id, instance=instance,
                         on_run_start=crash_at_fourth)
    assert instance.get_backfill(backfill.backfill_id).status == BulkActionStatus.REQUESTED
    # and a run the dead process left unfinished
    orphan = instance.create_run("__ASSET_JOB", tags={
        "dagster/backfill": backfill.backfill_id, "dagster/partition": "2024-01-04"})
    CALLS.clear()
    final = execute_backfill(range_defs(), backfill.backfill_id, instance=instance)
    assert final.status == BulkActionStatus.COMPLETED_SUCCESS
    assert [day for name, day in CALLS if name == "raw"] == ALL_DAYS[3:]
    assert instance.get_run_by_id(orphan.run_id).is_finished
    assert materialized(instance, "clean") == set(ALL_DAYS)


def test_unpartitioned_downstream_runs_once_after_every_partition(instance):
    defs = dg.Definitions(assets=[raw, clean, season])
    backfill = launch_backfill(defs, [raw, clean, season], instance=instance,
                               all_partitions=True, max_partitions_per_run=5)
    final = execute_backfill(defs, backfill.backfill_id, instance=instance)
    assert final.status == BulkActionStatus.COMPLETED_SUCCESS
    assert CALLS[-1] == ("season", ",".join(ALL_DAYS))  # it reads every partition of clean
    runs = instance.get_backfill_runs(backfill.backfill_id)
    assert [(r.partition_range_start, r.partition_key) for r in runs] == [
        ("2024-01-01", None), ("2024-01-06", None), (None, None)]


def test_parse_partition_spec():
    assert parse_partition_spec("2024-01-01...2024-12-31") == (
        dg.PartitionKeyRange("2024-01-01", "2024-12-31"), None)
    assert parse_partition_spec("a, b") == (None, ["a", "b"])
    with pytest.raises(dg.DagsterInvalidInvocationError, match="start and an end"):
        parse_partition_spec("2024-01-01...")


def test_a_backfill_another_live_process_runs_is_not_run_twice(instance):
    import socket
    import subprocess
    import sys
    from dataclasses import replace

    backfill = per_partition(instance, partition_keys=["2024-01-02"])
    with subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                          stdin=subprocess.PIPE) as other:
        instance.update_backfill(replace(backfill, runner=f"{socket.gethostname()}:{other.pid}"))
        with pytest.raises(dg.DagsterInvalidInvocationError, match="being carried out"):
            execute_backfill(range_defs(), backfill.backfill_id, instance=instance)
        assert cancel_backfill(instance, backfill.backfill_id).status == \
            BulkActionStatus.CANCELING
        other.stdin.close()
    # its process is gone: resuming finishes the cancel; nothing ran
    final = execute_backfill(range_defs(), backfill.backfill_id, instance=instance)
    assert final.status == BulkActionStatus.CANCELED and final.runner is None
    assert CALLS == []


hours = dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00", end_date="2024-01-04-00:00")


@dg.asset(partitions_def=hours)
def per_hour(context: dg.AssetExecutionContext) -> Any:
    for key in context.partition_keys:
        CALLS.append(("per_hour", key))
        if key in FAIL_ON:
            raise ValueError(f"no data for {key}")
    if context.has_partition_key:  # one partition: its value; a range: a value per partition
        return 1
    return {key: 1 for key in context.partition_keys}


@dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2024-01-01",
                                                      end_date="2024-01-04"))
def per_day(context: dg.AssetExecutionContext, per_hour: dict) -> dict:
    out = {}
    for day in context.partition_keys:  # one day, or each day of a range
        CALLS.append(("per_day", day))
        out[day] = sum(v for hour, v in per_hour.items() if hour.startswith(day))
    return out


def hourly_daily():
    return dg.Definitions(assets=[per_hour, per_day])


def test_hourly_then_daily_backfill_runs_the_days_after_their_hours(instance):
    backfill = launch_backfill(hourly_daily(), [per_hour, per_day], instance=instance,
                               partition_range=dg.PartitionKeyRange("2024-01-01-00:00",
                                                                    "2024-01-02-23:00"),
                               max_partitions_per_run=24)
    final = execute_backfill(hourly_daily(), backfill.backfill_id, instance=instance)
    assert final.status == BulkActionStatus.COMPLETED_SUCCESS
    assert [c for c in CALLS if c[0] == "per_day"] == [("per_day", "2024-01-01"),
                                                        ("per_day", "2024-01-02")]
    assert CALLS.index(("per_day", "2024-01-01")) > CALLS.index(("per_hour", "2024-01-02-23:00"))
    runs = instance.get_backfill_runs(backfill.backfill_id)
    assert [(r.stage, r.partition_range_start, r.partition_range_end) for r in runs] == [
        ("0", "2024-01-01-00:00", "2024-01-01-23:00"), ("0", "2024-01-02-00:00", "2024-01-02-23:00"),
        ("1", "2024-01-01", "2024-01-02")]
    assert materialized(instance, "per_day") == {"2024-01-01", "2024-01-02"}


def test_a_failed_hour_holds_back_the_days_until_resumed(instance):
    FAIL_ON.add("2024-01-01-05:00")
    backfill = launch_backfill(hourly_daily(), [per_hour, per_day], instance=instance,
                               partition_range=dg.PartitionKeyRange("2024-01-01-00:00",
                                                                    "2024-01-01-23:00"))
    first = execute_backfill(hourly_daily(), backfill.backfill_id, instance=instance)
    assert first.status == BulkActionStatus.COMPLETED_FAILED
    assert not [c for c in CALLS if c[0] == "per_day"]
    assert len(materialized(instance, "per_hour")) == 23
    # the source is back: a new backfill over the same hours finishes the day
    FAIL_ON.clear()
    CALLS.clear()
    again = launch_backfill(hourly_daily(), [per_hour, per_day], instance=instance,
                            partition_keys=["2024-01-01-05:00"])
    assert execute_backfill(hourly_daily(), again.backfill_id, instance=instance).status == \
        BulkActionStatus.COMPLETED_SUCCESS
    assert CALLS == [("per_hour", "2024-01-01-05:00"), ("per_day", "2024-01-01")]


def test_unlinked_partitionings_are_incompatible(instance):
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="incompatible partitionings"):
        launch_backfill(dg.Definitions(assets=[raw, by_letter]), [raw, by_letter],
                        instance=instance, all_partitions=True)


def test_request_backfill_hands_a_failed_daemon_backfill_back(instance):
    from dataclasses import replace

    from headwater.definitions.errors import InvalidInvocationError
    from headwater.execution.backfill import request_backfill

    b = launch_backfill(range_defs(), [raw], instance=instance, partition_keys=ALL_DAYS[:2],
                        location_name="loc")
    same, changed = request_backfill(instance, b.backfill_id)
    assert not changed and same.status == BulkActionStatus.REQUESTED
    instance.update_backfill(replace(b.with_status(BulkActionStatus.FAILED).with_error("gone"),
                                     runner="someone"))
    back, changed = request_backfill(instance, b.backfill_id)
    assert changed and back.status == BulkActionStatus.REQUESTED
    assert back.error is None and back.runner is None
    assert instance.get_backfill(b.backfill_id).status == BulkActionStatus.REQUESTED
    assert CALLS == []  # nothing ran
    in_process = per_partition(instance, partition_keys=ALL_DAYS[:1])
    with pytest.raises(InvalidInvocationError, match="resume --wait"):
        request_backfill(instance, in_process.backfill_id)
    cancel_backfill(instance, b.backfill_id)
    with pytest.raises(InvalidInvocationError, match="already finished"):
        request_backfill(instance, b.backfill_id)
    with pytest.raises(InvalidInvocationError, match="No backfill"):
        request_backfill(instance, "nosuchid")
