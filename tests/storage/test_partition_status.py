"""Partition status from the asset index: materialized, failed, in progress, missing."""

from __future__ import annotations

import pytest

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.partitions import (
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    StaticPartitionsDefinition,
)
from headwater.events import EventType
from headwater.events.records import AssetPlannedData
from headwater.storage import PartitionStatusSummary

from ._events import entry, materialization, run_event, step_start

A, B = AssetKey("a"), AssetKey(["group", "b"])
ABC = StaticPartitionsDefinition(["a1", "a2", "a3", "a4"])


def planned(run_id, key, partition, ts=None, check_name=None):
    kind = (EventType.ASSET_CHECK_EVALUATION_PLANNED if check_name
            else EventType.ASSET_MATERIALIZATION_PLANNED)
    return entry(run_id, kind, key.to_python_identifier(),
                 AssetPlannedData(key, partition, check_name), ts=ts)


def start_run(instance, key, partitions, ts=100.0):
    """A started run that planned ``partitions`` of ``key``."""
    run = instance.create_run("j")
    instance.store_events([run_event(run.run_id, EventType.RUN_START)]
                          + [planned(run.run_id, key, p, ts=ts) for p in partitions])
    return run.run_id


def finish(instance, run_id, key, materialized=(), outcome=EventType.RUN_SUCCESS, ts=200.0):
    instance.store_events([materialization(run_id, key, p, ts=ts) for p in materialized]
                          + [run_event(run_id, outcome)])


def status(instance, key=A, partitions_def=None):
    return instance.get_partition_status(key, partitions_def)


def test_nothing_stored(instance):
    s = status(instance)
    assert s == PartitionStatusSummary(frozenset(), frozenset(), frozenset())
    assert s.counts() == {"materialized": 0, "failed": 0, "in_progress": 0}
    s = status(instance, partitions_def=ABC)
    assert s.missing == ("a1", "a2", "a3", "a4")
    assert s.counts()["missing"] == 4


def test_in_progress_then_materialized(instance):
    run = start_run(instance, A, ["a1", "a2"])
    s = status(instance, partitions_def=ABC)
    assert s.in_progress == {"a1", "a2"} and not s.materialized and not s.failed
    assert s.missing == ("a3", "a4")
    # a partition the running run already materialized is done, the other still in progress
    instance.store_events([materialization(run, A, "a1", ts=150.0)])
    s = status(instance)
    assert (s.materialized, s.in_progress) == ({"a1"}, {"a2"})
    finish(instance, run, A, ["a2"])
    s = status(instance, partitions_def=ABC)
    assert s.materialized == {"a1", "a2"} and not s.in_progress and not s.failed
    assert s.counts() == {"materialized": 2, "failed": 0, "in_progress": 0, "missing": 2}


def test_failed_run_fails_the_partitions_it_did_not_materialize(instance):
    first = start_run(instance, A, ["a1", "a2"], ts=10.0)
    finish(instance, first, A, ["a1", "a2"], ts=20.0)
    second = start_run(instance, A, ["a1", "a2", "a3"], ts=30.0)
    finish(instance, second, A, ["a2"], outcome=EventType.RUN_FAILURE, ts=40.0)
    s = status(instance, partitions_def=ABC)
    # a1 was materialized before, but its latest plan failed: failed wins
    assert s.failed == {"a1", "a3"}
    assert s.materialized == {"a2"}
    assert s.missing == ("a4",)
    assert s.status_of("a1") == "failed" and s.status_of("a4") == "missing"
    # a later run fixes a1
    third = start_run(instance, A, ["a1"], ts=50.0)
    assert status(instance).in_progress == {"a1"}
    finish(instance, third, A, ["a1"], ts=60.0)
    s = status(instance)
    assert s.failed == {"a3"} and s.materialized == {"a1", "a2"}


@pytest.mark.parametrize("outcome", [EventType.RUN_SUCCESS, EventType.RUN_CANCELED])
def test_succeeded_or_canceled_without_materializing_leaves_the_partition_as_it_was(
        instance, outcome):
    # As in Dagster: only a FAILURE run marks its unmaterialized partitions failed.
    first = start_run(instance, A, ["a1"], ts=10.0)
    finish(instance, first, A, ["a1"], ts=20.0)
    second = start_run(instance, A, ["a1", "a2"], ts=30.0)
    finish(instance, second, A, [], outcome=outcome, ts=40.0)
    s = status(instance, partitions_def=ABC)
    assert s.materialized == {"a1"} and not s.failed and not s.in_progress
    assert s.missing == ("a2", "a3", "a4")


def test_materialization_from_another_source_after_a_failed_plan(instance):
    run = start_run(instance, A, ["a1"], ts=10.0)
    finish(instance, run, A, [], outcome=EventType.RUN_FAILURE, ts=20.0)
    assert status(instance).failed == {"a1"}
    other = instance.create_run("other")
    instance.store_events([materialization(other.run_id, A, "a1", ts=30.0)])
    s = status(instance)
    assert s.materialized == {"a1"} and not s.failed


def test_an_older_materialization_does_not_hide_a_newer_failed_plan(instance):
    other = instance.create_run("other")
    instance.store_events([materialization(other.run_id, A, "a1", ts=5.0)])
    run = start_run(instance, A, ["a1"], ts=10.0)
    finish(instance, run, A, [], outcome=EventType.RUN_FAILURE, ts=20.0)
    assert status(instance).failed == {"a1"}


def test_a_late_arriving_older_materialization_does_not_complete_a_newer_plan(instance):
    run = start_run(instance, A, ["a1"], ts=30.0)
    other = instance.create_run("other")
    instance.store_events([materialization(other.run_id, A, "a1", ts=20.0)])
    assert status(instance).in_progress == {"a1"}
    finish(instance, run, A, [], outcome=EventType.RUN_FAILURE, ts=40.0)
    assert status(instance).failed == {"a1"}


def test_deleted_planning_run_is_neither_failed_nor_in_progress(instance):
    run = start_run(instance, A, ["a1"])
    instance.delete_run(run)
    s = status(instance, partitions_def=ABC)
    assert not s.in_progress and not s.failed and s.missing == ("a1", "a2", "a3", "a4")


def test_assets_are_separate_and_unpartitioned_plans_are_ignored(instance):
    run = instance.create_run("j")
    instance.store_events([run_event(run.run_id, EventType.RUN_START),
                           planned(run.run_id, A, "a1"), planned(run.run_id, B, None),
                           planned(run.run_id, B, "b1", check_name="c")])
    assert status(instance).in_progress == {"a1"}
    assert status(instance, B) == PartitionStatusSummary(frozenset(), frozenset(), frozenset())


def test_keys_outside_the_definition_are_left_out(instance):
    run = start_run(instance, A, ["a1", "old"])
    finish(instance, run, A, ["a1", "old"])
    assert status(instance).materialized == {"a1", "old"}
    s = status(instance, partitions_def=ABC)
    assert s.materialized == {"a1"} and s.missing == ("a2", "a3", "a4")


def test_dynamic_definition_reads_keys_from_the_instance(instance):
    fruits = DynamicPartitionsDefinition(name="fruits")
    instance.add_dynamic_partitions("fruits", ["pear", "apple", "kiwi"])
    run = start_run(instance, A, ["apple"])
    finish(instance, run, A, ["apple"])
    s = status(instance, partitions_def=fruits)
    assert s.materialized == {"apple"} and s.missing == ("pear", "kiwi")


def test_time_window_definition_missing_in_order(instance):
    days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-06")
    run = start_run(instance, A, ["2024-01-02", "2024-01-04"])
    finish(instance, run, A, ["2024-01-02"], outcome=EventType.RUN_FAILURE)
    s = status(instance, partitions_def=days)
    assert s.materialized == {"2024-01-02"} and s.failed == {"2024-01-04"}
    assert s.missing == ("2024-01-01", "2024-01-03", "2024-01-05")


def test_a_range_run_plans_every_partition_in_one_batch(instance):
    keys = [f"p{i:05d}" for i in range(10_000)]
    run = start_run(instance, A, keys)
    assert len(status(instance).in_progress) == 10_000
    finish(instance, run, A, keys)
    s = status(instance, partitions_def=StaticPartitionsDefinition(keys))
    assert s.counts() == {"materialized": 10_000, "failed": 0, "in_progress": 0, "missing": 0}
    assert instance.get_materialized_partitions(A) == set(keys)


def test_a_later_plan_replaces_the_earlier_one(instance):
    first = start_run(instance, A, ["a1"], ts=10.0)
    finish(instance, first, A, [], outcome=EventType.RUN_FAILURE, ts=20.0)
    start_run(instance, A, ["a1"], ts=30.0)
    s = status(instance)
    assert s.in_progress == {"a1"} and not s.failed


def test_wipe_clears_planned_partitions(instance):
    run = start_run(instance, A, ["a1", "a2"])
    finish(instance, run, A, ["a1"], outcome=EventType.RUN_FAILURE)
    other = start_run(instance, B, ["b1"])
    instance.wipe_assets([A])
    assert status(instance) == PartitionStatusSummary(frozenset(), frozenset(), frozenset())
    assert instance.get_materialized_partitions(A) == set()
    assert status(instance, B).in_progress == {"b1"}
    assert other


def test_planned_rows_commit_with_their_batch(instance):
    # A batch that fails (unknown run for a run event) writes no planned row either.
    from headwater.definitions.errors import RunNotFoundError

    run = instance.create_run("j")
    with pytest.raises(RunNotFoundError):
        instance.store_events([planned(run.run_id, A, "a1"),
                               run_event("no-such-run", EventType.RUN_START)])
    assert not status(instance).in_progress
    instance.store_events([step_start(run.run_id, "s"), planned(run.run_id, A, "a1")])
    assert status(instance).in_progress == {"a1"}
