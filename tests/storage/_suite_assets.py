"""Asset index behaviour, written once; test_backends.py binds it to each database."""

from __future__ import annotations

import pytest

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.results import AssetCheckKey
from headwater.storage import AssetRecordsFilter

from ._events import check_evaluation, materialization, observation, step_start

A, B, C = AssetKey("a"), AssetKey(["group", "b"]), AssetKey(["group", "c"])


def _materialize(instance, *keys, partition=None, ts=None):
    run = instance.create_run("j")
    instance.store_events([step_start(run.run_id, "s")]
                          + [materialization(run.run_id, k, partition, ts=ts) for k in keys])
    return run.run_id


class AssetStorageSuite:
    """Needs an ``instance`` fixture."""

    def test_latest_materialization_across_runs(self, instance):
        assert instance.get_latest_materialization_event(A) is None
        _materialize(instance, A, B)
        second = _materialize(instance, A)
        latest = instance.get_latest_materialization_event(A)
        assert latest.run_id == second and latest.asset_materialization.asset_key == A
        events = instance.get_latest_materialization_events([A, B, C])
        assert events[A].run_id == second
        assert events[B].asset_materialization.asset_key == B
        assert events[C] is None
        records = instance.get_latest_materialization_records([A])
        assert records[A].storage_id > 0 and records[A].asset_key == A

    def test_fetch_materializations_order_limit_cursor(self, instance):
        runs = [_materialize(instance, A, ts=1000.0 + i) for i in range(4)]
        _materialize(instance, B)
        result = instance.fetch_materializations(A, limit=3)
        assert [r.run_id for r in result.records] == runs[::-1][:3]
        assert result.has_more
        rest = instance.fetch_materializations(A, limit=3, cursor=result.cursor)
        assert [r.run_id for r in rest.records] == [runs[0]] and not rest.has_more
        up = instance.fetch_materializations(A, limit=10, ascending=True)
        assert [r.run_id for r in up.records] == runs
        ids = [r.storage_id for r in up.records]
        bounded = instance.fetch_materializations(
            AssetRecordsFilter(A, after_storage_id=ids[0], before_storage_id=ids[3]), limit=10)
        assert [r.storage_id for r in bounded.records] == [ids[2], ids[1]]
        timed = instance.fetch_materializations(
            AssetRecordsFilter(A, after_timestamp=1000.5, before_timestamp=1003.0), limit=10)
        assert [r.run_id for r in timed.records] == [runs[2], runs[1]]
        assert up.records[1].timestamp == 1001.0

    def test_latest_materialization_ids(self, instance):
        _materialize(instance, A, B)
        _materialize(instance, A)
        latest = instance.get_latest_materialization_records([A, B])
        never = AssetKey("never")
        assert instance.latest_materialization_ids([A, B, never]) == {
            A: latest[A].storage_id, B: latest[B].storage_id}
        many = [AssetKey(f"k{i}") for i in range(1500)] + [A]  # past 1,000: one pass
        assert instance.latest_materialization_ids(many) == {A: latest[A].storage_id}
        instance.wipe_assets([B])
        assert instance.latest_materialization_ids([A, B]) == {A: latest[A].storage_id}

    def test_observations(self, instance):
        run = instance.create_run("j")
        instance.store_events([observation(run.run_id, C)])
        assert instance.has_asset_key(C)
        assert instance.get_latest_materialization_event(C) is None
        result = instance.fetch_observations(C, limit=5)
        assert len(result.records) == 1
        assert result.records[0].event_log_entry.asset_observation.asset_key == C
        assert instance.fetch_materializations(C, limit=5).records == []

    def test_asset_keys(self, instance):
        _materialize(instance, A, B, C)
        _materialize(instance, AssetKey(["grouped", "x"]))
        assert set(instance.get_asset_keys()) == {A, B, C, AssetKey(["grouped", "x"])}
        assert set(instance.get_asset_keys(prefix=["group"])) == {B, C}
        first = instance.get_asset_keys(limit=2)
        rest = instance.get_asset_keys(cursor=first[-1].to_string())
        assert len(first) == 2 and set(first + rest) == set(instance.get_asset_keys())
        assert instance.has_asset_key(B) and not instance.has_asset_key(AssetKey("zzz"))

    def test_partitions(self, instance):
        _materialize(instance, A, partition="2024-01-01")
        second = _materialize(instance, A, partition="2024-01-02")
        third = _materialize(instance, A, partition="2024-01-01")
        assert instance.get_materialized_partitions(A) == {"2024-01-01", "2024-01-02"}
        assert instance.get_materialized_partitions(B) == set()
        by_partition = instance.get_latest_storage_id_by_partition(A)
        latest = instance.fetch_materializations(A, limit=1).records[0]
        assert by_partition["2024-01-01"] == latest.storage_id and latest.run_id == third
        assert latest.partition_key == "2024-01-01"
        only = instance.fetch_materializations(
            AssetRecordsFilter(A, asset_partitions=["2024-01-02"]), limit=10)
        assert [r.run_id for r in only.records] == [second]
        assert instance.get_materialized_partitions(
            A, after_cursor=by_partition["2024-01-02"]) == {"2024-01-01"}

    def test_check_evaluations(self, instance):
        key = AssetCheckKey(A, "not_empty")
        other = AssetCheckKey(A, "fresh")
        run1, run2 = instance.create_run("j"), instance.create_run("j")
        instance.store_events([check_evaluation(run1.run_id, A, "not_empty", False),
                               check_evaluation(run1.run_id, A, "fresh", True)])
        instance.store_events([check_evaluation(run2.run_id, A, "not_empty", True)])
        latest = instance.get_latest_asset_check_evaluations([key, other,
                                                              AssetCheckKey(B, "nope")])
        assert set(latest) == {key, other}
        assert latest[key].run_id == run2.run_id and latest[key].passed is True
        assert latest[other].passed is True
        assert latest[key].event.asset_check_evaluation.check_name == "not_empty"
        history = instance.get_asset_check_execution_history(key, limit=10)
        assert [h.run_id for h in history] == [run2.run_id, run1.run_id]
        assert [h.passed for h in history] == [True, False]

    def test_wipe_assets(self, instance):
        run_id = _materialize(instance, A, B, partition="p")
        instance.store_events([check_evaluation(run_id, A, "c", True)])
        instance.wipe_assets([A])
        assert not instance.has_asset_key(A) and instance.has_asset_key(B)
        assert instance.get_latest_materialization_event(A) is None
        assert instance.fetch_materializations(A, limit=5).records == []
        assert instance.get_materialized_partitions(A) == set()
        assert instance.get_latest_asset_check_evaluations([AssetCheckKey(A, "c")]) == {}
        assert len(instance.all_logs(run_id)) == 4  # the run's log is kept
        again = _materialize(instance, A)
        assert instance.get_latest_materialization_event(A).run_id == again

    def test_delete_run_reindexes(self, instance):
        first = _materialize(instance, A, partition="p")
        second = _materialize(instance, A, partition="p")
        only_b = _materialize(instance, B)
        instance.delete_run(second)
        assert instance.get_latest_materialization_event(A).run_id == first
        assert instance.get_materialized_partitions(A) == {"p"}
        assert instance.get_latest_storage_id_by_partition(A)["p"] == \
            instance.fetch_materializations(A, limit=1).records[0].storage_id
        instance.delete_run(only_b)
        assert not instance.has_asset_key(B)
        instance.delete_run(first)
        assert instance.get_materialized_partitions(A) == set()
        assert instance.get_asset_keys() == []

    def test_asset_records(self, instance):
        assert instance.get_asset_records() == []
        first = _materialize(instance, A, B)
        second = _materialize(instance, A)
        run = instance.create_run("j")
        instance.store_events([observation(run.run_id, C)])
        records = instance.get_asset_records()
        assert [r.asset_entry.asset_key for r in records] == [A, B, C]
        a = records[0].asset_entry
        assert a.last_run_id == second and a.last_materialization.run_id == second
        assert a.last_materialization_storage_id == records[0].storage_id
        assert a.last_observation is None
        c = records[2].asset_entry
        assert c.last_materialization is None and c.last_observation.run_id == run.run_id
        only = instance.get_asset_records([B, AssetKey("unknown")])
        assert [r.asset_entry.asset_key for r in only] == [B]
        assert only[0].asset_entry.last_run_id == first
        instance.wipe_assets([A])
        assert [r.asset_entry.asset_key for r in instance.get_asset_records()] == [B, C]

    def test_get_event_records(self, instance):
        from headwater.events import EventType
        from headwater.storage import EventRecordsFilter

        first = _materialize(instance, A, partition="p1")
        second = _materialize(instance, A, B, partition="p2")
        mats = instance.get_event_records(EventRecordsFilter(EventType.ASSET_MATERIALIZATION))
        assert [r.run_id for r in mats] == [second, second, first]
        only_a = instance.get_event_records(
            EventRecordsFilter(EventType.ASSET_MATERIALIZATION, asset_key=A), limit=1)
        assert [(r.run_id, r.partition_key) for r in only_a] == [(second, "p2")]
        p1 = instance.get_event_records(EventRecordsFilter(
            EventType.ASSET_MATERIALIZATION, asset_key=A, asset_partitions=["p1"]))
        assert [r.run_id for r in p1] == [first]
        after = instance.get_event_records(EventRecordsFilter(
            EventType.ASSET_MATERIALIZATION, after_cursor=p1[0].storage_id), ascending=True)
        assert [r.asset_key for r in after] == [A, B]
        starts = instance.get_event_records(EventRecordsFilter(EventType.STEP_START))
        assert {r.run_id for r in starts} == {first, second}
        with pytest.raises(Exception, match="give asset_key too"):
            EventRecordsFilter(EventType.ASSET_MATERIALIZATION, asset_partitions=["p1"])
