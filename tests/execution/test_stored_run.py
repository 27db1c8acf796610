"""Runs stored first (queued) and executed later under the same run id."""

from __future__ import annotations

import pytest

import headwater as dg
import headwater.locations.reconstruct  # noqa: F401 - job pointers for workers, as a location has
from headwater.definitions.tags import CODE_LOCATION_TAG, PARTITION_NAME_TAG
from headwater.events.records import EventType
from headwater.execution.launch import LaunchRequest, request_from_run
from headwater.execution.stored_run import execute_stored_run, queue_run
from headwater.storage import RunStatus

from . import hwexec_stored as m


def _types(instance, run_id):
    return [e.dagster_event.event_type for e in instance.all_logs(run_id) if e.dagster_event]


def _failure_message(instance, run_id):
    (entry,) = instance.all_logs(run_id, of_type=EventType.RUN_FAILURE)
    return entry.dagster_event.message


def test_queued_run_keeps_everything_its_request_needs(instance):
    request = LaunchRequest(job_name="hws_ab_job", asset_selection=(dg.AssetKey("hws_b"),),
                            run_config={"ops": {}}, tags={"team": "data"},
                            partition_key=None)
    run = queue_run(instance, request, "loc")
    stored = instance.get_run_by_id(run.run_id)
    assert stored.status == RunStatus.QUEUED
    assert stored.tags == {"team": "data", CODE_LOCATION_TAG: "loc"}
    assert stored.asset_selection == {dg.AssetKey("hws_b")}
    rebuilt = request_from_run(stored)
    assert (rebuilt.job_name, rebuilt.asset_selection, rebuilt.run_config, rebuilt.run_id) == (
        "hws_ab_job", (dg.AssetKey("hws_b"),), {"ops": {}}, run.run_id)
    assert _types(instance, run.run_id) == [EventType.RUN_ENQUEUED]


def test_queue_run_twice_with_one_run_id_queues_once(instance):
    request = LaunchRequest(job_name="hws_ab_job", run_id="fixed-id")
    assert queue_run(instance, request, "loc").run_id == "fixed-id"
    assert queue_run(instance, request, "loc").run_id == "fixed-id"
    assert instance.get_runs_count() == 1


def test_stored_asset_run_executes_under_its_own_id(instance):
    run = queue_run(instance, LaunchRequest(asset_selection=(dg.AssetKey("hws_a"),
                                                             dg.AssetKey("hws_b"))), "loc")
    execute_stored_run(run.run_id, instance, m.hws_defs)
    assert instance.get_runs_count() == 1
    done = instance.get_run_by_id(run.run_id)
    assert done.status == RunStatus.SUCCESS
    types = _types(instance, run.run_id)
    assert types[:3] == [EventType.RUN_ENQUEUED, EventType.RUN_STARTING, EventType.RUN_START]
    assert types[-1] == EventType.RUN_SUCCESS
    assert types.count(EventType.ASSET_MATERIALIZATION) == 2
    assert instance.get_run_record_by_id(run.run_id).start_time is not None


def test_stored_job_run_with_partition(instance):
    run = queue_run(instance, LaunchRequest(job_name="hws_daily_job",
                                            partition_key="2024-01-03"), "loc")
    assert run.tags[PARTITION_NAME_TAG] == "2024-01-03"
    execute_stored_run(run.run_id, instance, m.hws_defs)
    assert instance.get_run_by_id(run.run_id).status == RunStatus.SUCCESS
    (mat,) = instance.all_logs(run.run_id, of_type=EventType.ASSET_MATERIALIZATION)
    assert mat.dagster_event.partition == "2024-01-03"


def test_stored_op_job_run_with_op_selection(instance):
    run = queue_run(instance, LaunchRequest(job_name="hws_op_job",
                                            op_selection=("hws_one", "hws_double")), "loc")
    execute_stored_run(run.run_id, instance, m.hws_defs)
    assert instance.get_run_by_id(run.run_id).status == RunStatus.SUCCESS
    started = {e.step_key for e in instance.all_logs(run.run_id, of_type=EventType.STEP_SUCCESS)}
    assert started == {"hws_one", "hws_double"}


def test_a_job_that_no_longer_exists_fails_the_run_with_the_reason(instance):
    run = queue_run(instance, LaunchRequest(job_name="hws_gone_job"), "loc")
    execute_stored_run(run.run_id, instance, m.hws_defs)
    assert instance.get_run_by_id(run.run_id).status == RunStatus.FAILURE
    message = _failure_message(instance, run.run_id)
    assert "'hws_gone_job'" in message and "hws_op_job" in message
    assert "Traceback" not in message


def test_an_unknown_partition_fails_the_run_with_the_reason(instance):
    run = queue_run(instance, LaunchRequest(job_name="hws_daily_job",
                                            partition_key="1999-01-01"), "loc")
    execute_stored_run(run.run_id, instance, m.hws_defs)
    assert instance.get_run_by_id(run.run_id).status == RunStatus.FAILURE
    assert "1999-01-01" in _failure_message(instance, run.run_id)


def test_an_asset_that_no_longer_exists_fails_the_run(instance):
    run = queue_run(instance, LaunchRequest(asset_selection=(dg.AssetKey("hws_removed"),)),
                    "loc")
    execute_stored_run(run.run_id, instance, m.hws_defs)
    assert instance.get_run_by_id(run.run_id).status == RunStatus.FAILURE
    assert "hws_removed" in _failure_message(instance, run.run_id)


def test_bad_run_config_fails_the_run_naming_the_path(instance):
    run = queue_run(instance, LaunchRequest(asset_selection=(dg.AssetKey("hws_configured"),),
                                            run_config={"ops": {"hws_configured": {
                                                "config": {"factor": "x"}}}}), "loc")
    execute_stored_run(run.run_id, instance, m.hws_defs)
    assert instance.get_run_by_id(run.run_id).status == RunStatus.FAILURE
    assert "factor" in _failure_message(instance, run.run_id)


def test_a_run_canceled_before_it_started_is_not_executed(instance):
    run = queue_run(instance, LaunchRequest(asset_selection=(dg.AssetKey("hws_a"),)), "loc")
    instance.report_run_canceled(run.run_id, "canceled while queued")
    execute_stored_run(run.run_id, instance, m.hws_defs)
    assert instance.get_run_by_id(run.run_id).status == RunStatus.CANCELED
    assert EventType.RUN_START not in _types(instance, run.run_id)


def test_a_run_taken_as_starting_then_canceled_is_not_executed(instance):
    from headwater.execution.stored_run import mark_starting

    run = queue_run(instance, LaunchRequest(asset_selection=(dg.AssetKey("hws_a"),)), "loc")
    mark_starting(instance, instance.get_run_by_id(run.run_id))
    from headwater.execution.cancel import request_cancel

    assert request_cancel(instance, run.run_id) == RunStatus.CANCELING
    execute_stored_run(run.run_id, instance, m.hws_defs)
    assert instance.get_run_by_id(run.run_id).status == RunStatus.CANCELED
    assert EventType.STEP_START not in _types(instance, run.run_id)


def test_a_finished_run_is_left_alone(instance):
    run = queue_run(instance, LaunchRequest(asset_selection=(dg.AssetKey("hws_a"),)), "loc")
    execute_stored_run(run.run_id, instance, m.hws_defs)
    count = len(instance.all_logs(run.run_id))
    execute_stored_run(run.run_id, instance, m.hws_defs)
    assert len(instance.all_logs(run.run_id)) == count


def test_queued_reexecution_from_failure(instance, monkeypatch):
    monkeypatch.setenv("HWS_FLAKY", "fail")
    first = queue_run(instance, LaunchRequest(job_name="hws_op_job"), "loc")
    execute_stored_run(first.run_id, instance, m.hws_defs)
    assert instance.get_run_by_id(first.run_id).status == RunStatus.FAILURE
    monkeypatch.setenv("HWS_FLAKY", "ok")
    retry = queue_run(instance, LaunchRequest(job_name="hws_op_job", parent_run_id=first.run_id,
                                              from_failure=True), "loc")
    execute_stored_run(retry.run_id, instance, m.hws_defs)
    done = instance.get_run_by_id(retry.run_id)
    assert done.status == RunStatus.SUCCESS and done.parent_run_id == first.run_id
    ran = {e.step_key for e in instance.all_logs(retry.run_id, of_type=EventType.STEP_SUCCESS)}
    assert ran == {"hws_flaky"}


def test_unknown_run_id_raises(instance):
    with pytest.raises(dg.RunNotFoundError if hasattr(dg, "RunNotFoundError") else Exception):
        execute_stored_run("no-such-run", instance, m.hws_defs)
