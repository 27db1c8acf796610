"""Backfill records: add, read, list, update with legal status moves; a backfill's runs."""

from __future__ import annotations

import pytest

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvalidInvocationError, InvariantViolationError
from headwater.storage import BulkActionStatus, PartitionBackfill, RunStatus
from headwater.storage.backfills import BackfillRun, make_backfill_id

S = BulkActionStatus
DAYS = [f"2024-01-{d:02d}" for d in range(1, 11)]


def backfill(backfill_id="bf1", **kwargs):
    kwargs.setdefault("asset_selection", [AssetKey("a"), AssetKey(["g", "b"])])
    kwargs.setdefault("partition_keys", DAYS)
    return PartitionBackfill(backfill_id, **kwargs)


def test_status_values_are_dagsters():
    assert [s.value for s in BulkActionStatus] == [
        "REQUESTED", "COMPLETED", "FAILED", "CANCELING", "CANCELED", "COMPLETED_SUCCESS",
        "COMPLETED_FAILED", "FAILING"]


def test_round_trip(instance):
    b = backfill(max_partitions_per_run=None, tags={"team": "data"}, job_name="daily_job",
                 title="Rebuild", description="after the fix", create_timestamp=1000.0)
    assert b.update_timestamp == 1000.0 and b.status == S.REQUESTED
    instance.add_backfill(b)
    assert instance.get_backfill("bf1") == b
    assert instance.get_backfill("nope") is None
    got = instance.get_backfill("bf1")
    assert got.asset_selection == [AssetKey("a"), AssetKey(["g", "b"])]
    assert got.partition_keys == DAYS and got.is_single_run
    assert (got.backfill_timestamp, got.partition_names) == (1000.0, DAYS)


def test_ten_thousand_partitions(instance):
    keys = [f"p{i:05d}" for i in range(10_000)]
    instance.add_backfill(backfill(partition_keys=keys, max_partitions_per_run=1))
    got = instance.get_backfill("bf1")
    assert got.partition_keys == keys and got.max_partitions_per_run == 1


def test_duplicate_id_is_refused_and_the_first_kept(instance):
    instance.add_backfill(backfill(title="first"))
    with pytest.raises(InvariantViolationError, match="backfill with id 'bf1' already exists"):
        instance.add_backfill(backfill(title="second"))
    assert instance.get_backfill("bf1").title == "first"
    assert instance.get_backfills_count() == 1


def test_list_newest_first_with_status_limit_cursor(instance):
    for i in range(5):
        instance.add_backfill(backfill(f"b{i}", create_timestamp=float(i)))
    instance.update_backfill(instance.get_backfill("b1").with_status(S.CANCELED))
    instance.update_backfill(instance.get_backfill("b3").with_status(S.COMPLETED_SUCCESS))
    assert [b.backfill_id for b in instance.get_backfills()] == ["b4", "b3", "b2", "b1", "b0"]
    assert [b.backfill_id for b in instance.get_backfills(limit=2)] == ["b4", "b3"]
    assert [b.backfill_id for b in instance.get_backfills(cursor="b3", limit=2)] == ["b2", "b1"]
    assert [b.backfill_id for b in instance.get_backfills(status=S.REQUESTED)] == [
        "b4", "b2", "b0"]
    assert [b.backfill_id for b in instance.get_backfills(status="CANCELED")] == ["b1"]
    assert [b.backfill_id for b in instance.get_backfills(
        status=[S.CANCELED, S.COMPLETED_SUCCESS])] == ["b3", "b1"]
    assert instance.get_backfills_count(status=S.REQUESTED) == 3


def test_update_status_and_error(instance):
    instance.add_backfill(backfill(create_timestamp=1000.0))
    stored = instance.update_backfill(instance.get_backfill("bf1").with_status(S.FAILING)
                                      .with_error("the daemon crashed"))
    got = instance.get_backfill("bf1")
    assert got == stored
    assert got.status == S.FAILING and got.error == "the daemon crashed"
    assert got.update_timestamp >= got.create_timestamp == 1000.0
    assert got.end_timestamp is None
    instance.update_backfill(got.with_status(S.FAILED))
    done = instance.get_backfill("bf1")
    assert done.is_finished and done.end_timestamp is not None
    # a failed backfill may be resumed
    instance.update_backfill(done.with_status(S.REQUESTED))
    assert instance.get_backfill("bf1").status == S.REQUESTED


@pytest.mark.parametrize("start, new", [
    (S.COMPLETED_SUCCESS, S.CANCELING), (S.CANCELED, S.REQUESTED),
    (S.COMPLETED_FAILED, S.FAILED), (S.CANCELING, S.COMPLETED_SUCCESS)])
def test_illegal_moves_are_refused(instance, start, new):
    instance.add_backfill(backfill(status=start))
    with pytest.raises(InvariantViolationError,
                       match=rf"Backfill 'bf1' cannot move from {start.value} to {new.value}"):
        instance.update_backfill(instance.get_backfill("bf1").with_status(new))
    assert instance.get_backfill("bf1").status == start


def test_same_status_update_is_allowed(instance):
    instance.add_backfill(backfill(status=S.COMPLETED_SUCCESS))
    instance.update_backfill(instance.get_backfill("bf1").with_error("note"))
    assert instance.get_backfill("bf1").error == "note"


def test_updating_an_unknown_backfill(instance):
    with pytest.raises(InvariantViolationError, match="Backfill 'bf1' is not in this instance"):
        instance.update_backfill(backfill())


@pytest.mark.parametrize("kwargs, message", [
    ({"partition_keys": "2024-01-01"}, "must be a list of keys"),
    ({"partition_keys": ["ok", ""]}, "invalid partition key ''"),
    ({"asset_selection": ["a"]}, r"must hold AssetKey objects, got 'a'; use AssetKey\('a'\)"),
    ({"max_partitions_per_run": 0}, "positive integer or None"),
    ({"status": "DONE"}, "unknown status 'DONE'; use one of REQUESTED, COMPLETED"),
])
def test_bad_backfills_are_refused_before_storing(instance, kwargs, message):
    with pytest.raises(InvalidInvocationError, match=message):
        instance.add_backfill(backfill(**kwargs))
    assert instance.get_backfills() == []


def test_backfill_ids():
    ids = {make_backfill_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) == 8 and i.isalpha() for i in ids)
    with pytest.raises(InvalidInvocationError, match="non-empty string"):
        PartitionBackfill("")


def test_backfill_runs_from_tags(instance):
    instance.add_backfill(backfill())
    one = instance.create_run("j", tags={"dagster/backfill": "bf1",
                                         "dagster/partition": "2024-01-01"})
    rng = instance.create_run("j", tags={
        "dagster/backfill": "bf1", "dagster/asset_partition_range_start": "2024-01-02",
        "dagster/asset_partition_range_end": "2024-01-10", "other": "x"})
    instance.create_run("j", tags={"dagster/backfill": "bf2", "dagster/partition": "2024-01-01"})
    instance.create_run("j", tags={"dagster/partition": "2024-01-01"})
    instance.handle_run_status(one.run_id, RunStatus.STARTED)
    instance.handle_run_status(one.run_id, RunStatus.FAILURE)
    runs = instance.get_backfill_runs("bf1")
    assert runs == [
        BackfillRun(one.run_id, RunStatus.FAILURE, "2024-01-01"),
        BackfillRun(rng.run_id, RunStatus.NOT_STARTED, None, "2024-01-02", "2024-01-10")]
    assert runs[0].is_finished and not runs[1].is_finished
    assert instance.get_backfill_runs("nope") == []
