import importlib
import os

import pytest

from . import _helpers
from ._helpers import a, b

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.asset
def failing():
    raise ValueError("instance-boom")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def instance(home):
    inst = dg.DagsterInstance.get()
    yield inst
    inst.dispose()


def test_ephemeral_instance():
    inst = dg.DagsterInstance.ephemeral()
    assert inst.is_ephemeral is True
    assert inst.is_persistent is False
    assert list(inst.get_runs()) == []


def test_persistent_instance_under_home(instance, home):
    assert instance.is_persistent is True
    assert instance.is_ephemeral is False
    assert os.path.realpath(instance.root_directory) == os.path.realpath(str(home))


def test_get_run_by_id(instance):
    result = dg.materialize([a, b], instance=instance, tags={"k": "v"})
    run = instance.get_run_by_id(result.run_id)
    assert isinstance(run, dg.DagsterRun)
    assert run.run_id == result.run_id
    assert run.status == dg.DagsterRunStatus.SUCCESS
    assert run.job_name == "__ephemeral_asset_job__"
    assert run.tags["k"] == "v"
    assert run.is_finished and run.is_success and not run.is_failure


def test_get_run_by_id_unknown_returns_none(instance):
    assert instance.get_run_by_id("00000000-0000-0000-0000-000000000000") is None


def test_failed_run_status(instance):
    result = dg.materialize([failing], instance=instance, raise_on_error=False)
    run = instance.get_run_by_id(result.run_id)
    assert run.status == dg.DagsterRunStatus.FAILURE
    assert run.is_failure and run.is_finished


def test_runs_visible_from_a_new_instance_object(instance):
    result = dg.materialize([a], instance=instance)
    other = dg.DagsterInstance.get()
    try:
        assert other.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS
    finally:
        other.dispose()


def test_materialize_without_instance_uses_ephemeral(instance):
    # Surprising: even with DAGSTER_HOME set, materialize() without instance= does not persist.
    result = dg.materialize([a])
    assert instance.get_run_by_id(result.run_id) is None


def test_get_runs_newest_first_and_limit(instance):
    r1 = dg.materialize([a], instance=instance)
    r2 = dg.materialize([a], instance=instance)
    runs = instance.get_runs()
    assert [r.run_id for r in runs] == [r2.run_id, r1.run_id]
    assert [r.run_id for r in instance.get_runs(limit=1)] == [r2.run_id]
    assert instance.get_runs_count() == 2


def test_get_runs_with_runs_filter(instance):
    r1 = dg.materialize([a], instance=instance, tags={"team": "x"})
    r2 = dg.materialize([failing], instance=instance, raise_on_error=False)
    by_id = instance.get_runs(filters=dg.RunsFilter(run_ids=[r1.run_id]))
    assert [r.run_id for r in by_id] == [r1.run_id]
    by_status = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]))
    assert [r.run_id for r in by_status] == [r2.run_id]
    by_tag = instance.get_runs(filters=dg.RunsFilter(tags={"team": "x"}))
    assert [r.run_id for r in by_tag] == [r1.run_id]
    by_job = instance.get_runs(filters=dg.RunsFilter(job_name="__ephemeral_asset_job__"))
    assert len(by_job) == 2


def test_get_run_record_by_id(instance):
    result = dg.materialize([a], instance=instance)
    record = instance.get_run_record_by_id(result.run_id)
    assert record.dagster_run.run_id == result.run_id
    assert record.start_time is not None
    assert record.end_time is not None
    assert record.end_time >= record.start_time


# all_logs also holds the planned events, stored before the run starts
NOISE = _helpers.NOISE | {"ASSET_MATERIALIZATION_PLANNED"}


def test_all_logs_core_events(instance):
    result = dg.materialize([a], instance=instance)
    entries = instance.all_logs(result.run_id)
    types = [e.dagster_event.event_type_value for e in entries if e.dagster_event]
    assert [t for t in types if t not in NOISE] == [
        "PIPELINE_START",
        "STEP_START",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
        "PIPELINE_SUCCESS",
    ]
    assert all(e.run_id == result.run_id for e in entries)
    assert all(isinstance(e.timestamp, float) for e in entries)


@pytest.mark.dagster_internals
def test_all_logs(instance):
    result = dg.materialize([a], instance=instance)
    entries = instance.all_logs(result.run_id)
    types = [e.dagster_event.event_type_value for e in entries if e.dagster_event]
    # Planned events are stored before the run starts and are not in result.all_events.
    assert types == [
        "ASSET_MATERIALIZATION_PLANNED",
        "PIPELINE_START",
        "ENGINE_EVENT",
        "RESOURCE_INIT_STARTED",
        "RESOURCE_INIT_SUCCESS",
        "LOGS_CAPTURED",
        "STEP_START",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
        "ENGINE_EVENT",
        "PIPELINE_SUCCESS",
    ]
    assert all(e.run_id == result.run_id for e in entries)
    assert all(isinstance(e.timestamp, float) for e in entries)


def test_all_logs_of_type(instance):
    result = dg.materialize([a, b], instance=instance)
    entries = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    assert [e.asset_materialization.asset_key for e in entries] == [
        dg.AssetKey("a"),
        dg.AssetKey("b"),
    ]


def test_get_latest_materialization_event(instance):
    dg.materialize([a], instance=instance)
    r2 = dg.materialize([a], instance=instance)
    entry = instance.get_latest_materialization_event(dg.AssetKey("a"))
    assert isinstance(entry, dg.EventLogEntry)
    assert entry.run_id == r2.run_id
    assert entry.asset_materialization.asset_key == dg.AssetKey("a")
    assert entry.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
    assert entry.step_key == "a"
    assert entry.job_name == "__ephemeral_asset_job__"


def test_get_latest_materialization_event_missing(instance):
    assert instance.get_latest_materialization_event(dg.AssetKey("never")) is None


def test_fetch_materializations(instance):
    r1 = dg.materialize([a], instance=instance)
    r2 = dg.materialize([a], instance=instance)
    res = instance.fetch_materializations(dg.AssetKey("a"), limit=10)
    assert isinstance(res, dg.EventRecordsResult)
    assert res.has_more is False
    assert isinstance(res.cursor, str)
    # Newest first by default.
    assert [r.run_id for r in res.records] == [r2.run_id, r1.run_id]
    rec = res.records[0]
    assert isinstance(rec, dg.EventLogRecord)
    assert rec.asset_key == dg.AssetKey("a")
    assert isinstance(rec.storage_id, int)
    assert isinstance(rec.timestamp, float)
    assert isinstance(rec.asset_materialization, dg.AssetMaterialization)
    assert rec.event_log_entry.run_id == r2.run_id


def test_fetch_materializations_limit_cursor_ascending(instance):
    r1 = dg.materialize([a], instance=instance)
    r2 = dg.materialize([a], instance=instance)
    first = instance.fetch_materializations(dg.AssetKey("a"), limit=1)
    assert [r.run_id for r in first.records] == [r2.run_id]
    assert first.has_more is True
    second = instance.fetch_materializations(dg.AssetKey("a"), limit=1, cursor=first.cursor)
    assert [r.run_id for r in second.records] == [r1.run_id]
    asc = instance.fetch_materializations(dg.AssetKey("a"), limit=10, ascending=True)
    assert [r.run_id for r in asc.records] == [r1.run_id, r2.run_id]


def test_fetch_materializations_with_records_filter(instance):
    dg.materialize([a, b], instance=instance)
    res = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("b")), limit=5
    )
    assert [r.asset_key for r in res.records] == [dg.AssetKey("b")]


def test_fetch_materializations_unknown_key(instance):
    assert instance.fetch_materializations(dg.AssetKey("never"), limit=5).records == []


def test_get_asset_keys_and_has_asset_key(instance):
    dg.materialize([a, b], instance=instance)
    assert set(instance.get_asset_keys()) == {dg.AssetKey("a"), dg.AssetKey("b")}
    assert instance.has_asset_key(dg.AssetKey("a")) is True
    assert instance.has_asset_key(dg.AssetKey("never")) is False


def test_wipe_assets(instance):
    dg.materialize([a, b], instance=instance)
    instance.wipe_assets([dg.AssetKey("a")])
    assert instance.get_latest_materialization_event(dg.AssetKey("a")) is None
    assert set(instance.get_asset_keys()) == {dg.AssetKey("b")}


def test_delete_run(instance):
    result = dg.materialize([a], instance=instance)
    instance.delete_run(result.run_id)
    assert instance.get_run_by_id(result.run_id) is None


def test_report_runless_asset_event(instance):
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key="ext", metadata={"x": 1}))
    entry = instance.get_latest_materialization_event(dg.AssetKey("ext"))
    assert entry.asset_materialization.metadata == {"x": dg.MetadataValue.int(1)}
    # Surprising: runless events have an empty-string run_id.
    assert entry.run_id == ""


def test_default_io_manager_persists_under_home(instance, home):
    dg.materialize([a], instance=instance)
    # With a persistent instance, a later run can load `a` stored by an earlier run.
    result = dg.materialize([a, b], selection=[b], instance=instance)
    assert result.output_for_node("b") == 2
    assert (home / "storage" / "a").exists()


def test_instance_for_test():
    with dg.instance_for_test() as inst:
        result = dg.materialize([a], instance=inst)
        assert inst.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS


def test_run_status_values():
    assert {s.value for s in dg.DagsterRunStatus} == {
        "QUEUED",
        "NOT_STARTED",
        "MANAGED",
        "STARTING",
        "STARTED",
        "SUSPENDED",
        "SUCCESS",
        "FAILURE",
        "CANCELING",
        "CANCELED",
    }
    assert dg.DagsterRunStatus.SUCCESS.value == "SUCCESS"
    assert dg.DagsterRunStatus("FAILURE") == dg.DagsterRunStatus.FAILURE


def test_fetch_run_status_changes(instance):
    ok = dg.materialize([a], instance=instance)
    bad = dg.materialize([failing], instance=instance, raise_on_error=False)
    started = instance.fetch_run_status_changes(dg.DagsterEventType.RUN_START, limit=10)
    assert [r.run_id for r in started.records] == [bad.run_id, ok.run_id]
    failed = instance.fetch_run_status_changes(
        dg.RunStatusChangeRecordsFilter(event_type=dg.DagsterEventType.RUN_FAILURE), limit=10)
    assert [r.run_id for r in failed.records] == [bad.run_id]
    first = instance.fetch_run_status_changes(dg.DagsterEventType.RUN_SUCCESS, limit=1)
    assert [r.run_id for r in first.records] == [ok.run_id]


def test_get_asset_records(instance):
    first = dg.materialize([a, b], instance=instance)
    second = dg.materialize([a], instance=instance)
    records = instance.get_asset_records([dg.AssetKey("a"), dg.AssetKey("b")])
    by_key = {r.asset_entry.asset_key: r.asset_entry for r in records}
    assert set(by_key) == {dg.AssetKey("a"), dg.AssetKey("b")}
    assert by_key[dg.AssetKey("a")].last_materialization.run_id == second.run_id
    assert by_key[dg.AssetKey("b")].last_materialization.run_id == first.run_id
    assert by_key[dg.AssetKey("a")].last_materialization_storage_id > \
        by_key[dg.AssetKey("b")].last_materialization_storage_id
    assert {r.asset_entry.asset_key for r in instance.get_asset_records()} == set(by_key)


def test_run_tags(instance):
    dg.materialize([a], instance=instance, tags={"team": "data"})
    dg.materialize([a], instance=instance, tags={"team": "ml"})
    tags = dict(instance.get_run_tags(tag_keys=["team"]))
    assert tags == {"team": {"data", "ml"}}
    assert "team" in instance.get_run_tag_keys()


def test_get_event_records(instance):
    first = dg.materialize([a, b], instance=instance)
    second = dg.materialize([a], instance=instance)
    records = instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_MATERIALIZATION,
                              asset_key=dg.AssetKey("a")), limit=10)
    assert [r.run_id for r in records] == [second.run_id, first.run_id]
    assert isinstance(records[0], dg.EventLogRecord)
    assert records[0].asset_materialization.asset_key == dg.AssetKey("a")
    after = instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_MATERIALIZATION,
                              after_cursor=records[1].storage_id), ascending=True)
    assert [r.run_id for r in after] == [first.run_id, second.run_id]  # b of the first run, a


def test_get_run_records_order_by(instance):
    one = dg.materialize([a], instance=instance)
    two = dg.materialize([a], instance=instance)
    records = instance.get_run_records(order_by="create_timestamp", ascending=True)
    assert [r.dagster_run.run_id for r in records] == [one.run_id, two.run_id]
    newest = instance.get_run_records(limit=1)
    assert [r.dagster_run.run_id for r in newest] == [two.run_id]


def test_failures_are_logged_at_error_level_and_the_rest_at_debug(instance):
    import logging

    result = dg.materialize([failing], instance=instance, raise_on_error=False)
    levels = {e.dagster_event.event_type_value: e.level
              for e in instance.all_logs(result.run_id) if e.dagster_event is not None}
    assert levels["STEP_FAILURE"] == logging.ERROR
    assert levels["PIPELINE_FAILURE"] == logging.ERROR
    assert levels["STEP_START"] == logging.DEBUG
