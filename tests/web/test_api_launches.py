"""Launches in the API: a job or an asset selection checked against the location's snapshot
(422 naming the unknown job, asset, op or partition), then queued for the daemon as the CLI
queues it (the queued run executes as asked); re-execution queued with its parent run."""

from __future__ import annotations

import os

import pytest

import headwater as hw
from headwater.definitions.tags import CODE_LOCATION_TAG
from headwater.locations.in_process import InProcessLocation
from headwater.storage.runs import RunStatus

from .conftest import make_client

colors = hw.StaticPartitionsDefinition(["red", "green", "blue"])
days = hw.DailyPartitionsDefinition(start_date="2024-01-01")


@hw.asset
def base():
    return 1


@hw.asset
def plus_one(base):
    return base + 1


@hw.asset(partitions_def=colors)
def paint(context):
    return context.partition_key


@hw.asset(partitions_def=days)
def weather(context):
    return context.partition_key


raw_files = hw.AssetSpec("raw_files")


@hw.op
def fetch():
    return 2


@hw.op
def flaky(n):
    if os.environ.get("HW_WEB_FLAKY") == "fail":
        raise ValueError("flaky op failed")
    return n * 2


@hw.job(executor_def=hw.in_process_executor)
def pipeline():
    flaky(fetch())


LAUNCH_DEFS = hw.Definitions(assets=[base, plus_one, paint, weather, raw_files],
                             jobs=[pipeline, hw.define_asset_job("paint_job", selection=[paint])])


@pytest.fixture
def loc(instance):
    return InProcessLocation("launch", lambda: LAUNCH_DEFS, instance, "module tests")


@pytest.fixture
def api(instance, loc):
    with make_client(instance, [loc]) as client:
        yield client


def launch(api, **body):
    return api.post("/api/v1/launches", json={"location": "launch", **body})


def execute(instance, loc, run_id):
    """What the daemon does with a queued run: its location runs it."""
    loc.launch_run(run_id)
    assert loc.wait_for_runs(timeout=60)
    return instance.get_run_by_id(run_id)


def test_an_asset_selection_is_queued_and_runs_as_asked(api, instance, loc):
    answer = launch(api, asset_selection=[["base"], ["plus_one"]], tags={"team": "snow"})
    assert answer.status_code == 201
    out = answer.json()
    assert out["status"] == "QUEUED" and out["asset_selection"] == [["base"], ["plus_one"]]
    run = instance.get_run_by_id(out["run_id"])
    assert run.status == RunStatus.QUEUED
    assert run.tags["team"] == "snow" and run.tags[CODE_LOCATION_TAG] == "launch"
    assert execute(instance, loc, run.run_id).status == RunStatus.SUCCESS
    assert instance.get_latest_materialization_event(hw.AssetKey("plus_one")) is not None


def test_a_selection_string_resolves_against_the_snapshot(api, instance):
    out = launch(api, asset_selection="*plus_one").json()
    assert out["asset_selection"] == [["base"], ["plus_one"]]
    bad = launch(api, asset_selection="nothing_here+")
    assert bad.status_code == 422 and "nothing_here" in bad.json()["error"]["message"]
    assert launch(api, asset_selection="(((").status_code == 422
    external_only = launch(api, asset_selection="raw_files")
    assert external_only.status_code == 422
    assert instance.get_runs_count() == 1


def test_a_partition_is_checked_and_carried_by_the_run(api, instance, loc):
    out = launch(api, asset_selection=[["paint"]], partition_key="green").json()
    assert out["partition_key"] == "green"
    run = execute(instance, loc, out["run_id"])
    assert run.status == RunStatus.SUCCESS and run.tags["dagster/partition"] == "green"
    day = launch(api, asset_selection=[["weather"]], partition_key="2024-02-29")
    assert day.status_code == 201
    ranged = launch(api, job_name="paint_job", partition_key="red...green")
    assert ranged.status_code == 201
    tags = instance.get_run_by_id(ranged.json()["run_id"]).tags
    assert (tags["dagster/asset_partition_range_start"],
            tags["dagster/asset_partition_range_end"]) == ("red", "green")


@pytest.mark.parametrize(("body", "field", "named"), [
    ({"job_name": "nope"}, "body.job_name", "nope"),
    ({"asset_selection": [["base"], ["missing"]]}, "body.asset_selection", "missing"),
    ({"asset_selection": [["raw_files"]]}, "body.asset_selection", "raw_files"),
    ({"asset_selection": [["paint"]], "partition_key": "purple"}, "body.partition_key",
     "purple"),
    ({"asset_selection": [["weather"]], "partition_key": "2023-12-31"}, "body.partition_key",
     "2023-12-31"),
    ({"asset_selection": [["paint"]]}, "body.partition_key", "partitioned"),
    ({"asset_selection": [["base"]], "partition_key": "red"}, "body.partition_key",
     "not partitioned"),
    ({"asset_selection": [["paint"], ["weather"]], "partition_key": "red"},
     "body.asset_selection", "different partitions"),
    ({"job_name": "pipeline", "op_selection": ["fetch", "nope"]}, "body.op_selection", "nope"),
    ({"job_name": "paint_job", "op_selection": ["paint"], "partition_key": "red"},
     "body.op_selection", "asset job"),
    ({"asset_selection": [["base"]], "op_selection": ["x"]}, "body.op_selection", "job"),
    ({"job_name": "pipeline", "run_config": {"opz": {}}}, "body.run_config", "opz"),
    ({"job_name": "pipeline", "run_config": {"ops": []}}, "body.run_config.ops", "object"),
    ({}, "body", "job_name or asset_selection"),
    ({"job_name": "pipeline", "asset_selection": [["base"]]}, "body",
     "job_name or asset_selection"),
    ({"location": "elsewhere", "job_name": "pipeline"}, "body.location", "elsewhere"),
])
def test_bad_launches_are_422_naming_the_problem(api, instance, body, field, named):
    answer = launch(api, **body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert named in error["message"]
    assert error["fields"][0]["loc"] == field
    assert instance.get_runs_count() == 0


@pytest.mark.parametrize("body", [
    {"job_name": "pipeline", "tags": {"a": 1}}, {"job_name": 3}, {"asset_selection": [[]]},
    {"asset_selection": [[""]]}, {"job_name": "pipeline", "run_config": []},
    {"job_name": "pipeline", "partition": "x"}, {"location": ""},
])
def test_malformed_bodies_are_422(api, body):
    assert launch(api, **body).status_code == 422


def test_run_config_is_stored_as_given_and_never_resolved(api, instance, monkeypatch):
    monkeypatch.setenv("HW_WEB_SECRET", "hunter2-do-not-show")
    config = {"resources": {"warehouse": {"config": {"password": {"env": "HW_WEB_SECRET"}}}}}
    answer = launch(api, job_name="pipeline", run_config=config)
    assert answer.status_code == 201 and "hunter2" not in answer.text
    run_id = answer.json()["run_id"]
    assert instance.get_run_by_id(run_id).run_config == config
    assert "hunter2" not in api.get(f"/api/v1/runs/{run_id}").text


def test_a_location_whose_code_does_not_load_is_409(instance):
    def broken():
        raise ImportError("no module named 'pipelines'")

    with make_client(instance, [InProcessLocation("launch", broken, instance)]) as client:
        answer = launch(client, job_name="pipeline")
    assert answer.status_code == 409 and "launch" in answer.json()["error"]["message"]


def test_launching_is_refused_when_read_only(instance, loc):
    with make_client(instance, [loc], read_only=True) as client:
        assert launch(client, job_name="pipeline").status_code == 403
    assert instance.get_runs_count() == 0


# ------------------------------------------------------------------------- re-execution

@pytest.fixture
def failed_run(api, instance, loc, monkeypatch):
    monkeypatch.setenv("HW_WEB_FLAKY", "fail")
    run_id = launch(api, job_name="pipeline").json()["run_id"]
    assert execute(instance, loc, run_id).status == RunStatus.FAILURE
    monkeypatch.setenv("HW_WEB_FLAKY", "ok")
    return run_id


def reexecute(api, run_id, **body):
    return api.post(f"/api/v1/runs/{run_id}/reexecute", json=body)


def steps_run(instance, run_id):
    from headwater.events.records import EventType

    return {e.step_key for e in instance.all_logs(run_id, of_type=EventType.STEP_START)}


def test_from_failure_queues_a_child_that_runs_only_the_failed_steps(api, instance, loc,
                                                                     failed_run):
    answer = reexecute(api, failed_run, strategy="FROM_FAILURE")
    assert answer.status_code == 201
    child = instance.get_run_by_id(answer.json()["run_id"])
    assert child.status == RunStatus.QUEUED and child.parent_run_id == failed_run
    assert child.tags[CODE_LOCATION_TAG] == "launch"
    assert execute(instance, loc, child.run_id).status == RunStatus.SUCCESS
    assert steps_run(instance, child.run_id) == {"flaky"}
    parent = api.get(f"/api/v1/runs/{child.run_id}").json()
    assert (parent["parent_run_id"], parent["root_run_id"]) == (failed_run, failed_run)


def test_selected_steps_and_all_steps_of_a_run_that_succeeded(api, instance, loc, failed_run):
    selected = reexecute(api, failed_run, strategy="SELECTED", step_keys=["fetch", "flaky"])
    assert selected.status_code == 201
    ok_id = selected.json()["run_id"]
    assert execute(instance, loc, ok_id).status == RunStatus.SUCCESS
    assert steps_run(instance, ok_id) == {"fetch", "flaky"}
    again = reexecute(api, ok_id, strategy="ALL_STEPS")
    assert again.status_code == 201
    run = execute(instance, loc, again.json()["run_id"])
    assert run.status == RunStatus.SUCCESS and run.root_run_id == failed_run
    assert steps_run(instance, run.run_id) == {"fetch", "flaky"}


def test_reexecution_problems_are_4xx(api, instance, loc, failed_run):
    assert reexecute(api, "no-such-run", strategy="FROM_FAILURE").status_code == 404
    for body in ({"strategy": "SELECTED"}, {"strategy": "SELECTED", "step_keys": []},
                 {"strategy": "FROM_FAILURE", "step_keys": ["flaky"]},
                 {"strategy": "SOME"}, {}, {"strategy": "SELECTED", "step_keys": ["nope"]},
                 {"strategy": "FROM_FAILURE", "location": "elsewhere"}):
        assert reexecute(api, failed_run, **body).status_code == 422, body
    all_of_failed = reexecute(api, failed_run, strategy="ALL_STEPS")
    assert all_of_failed.status_code == 409 and "FROM_FAILURE" in all_of_failed.text
    queued = launch(api, job_name="pipeline").json()["run_id"]
    assert reexecute(api, queued, strategy="FROM_FAILURE").status_code == 409
    ok = execute(instance, loc, queued)
    assert reexecute(api, ok.run_id, strategy="FROM_FAILURE").status_code == 409
    assert instance.get_runs_count() == 2


def test_a_run_of_materialize_is_not_reexecuted(api, instance):
    run_id = hw.materialize([base], instance=instance).run_id
    answer = reexecute(api, run_id, strategy="FROM_FAILURE")
    assert answer.status_code == 409 and "launches" in answer.json()["error"]["message"]


def test_reexecution_is_refused_when_read_only(instance, loc, failed_run):
    with make_client(instance, [loc], read_only=True) as client:
        assert reexecute(client, failed_run, strategy="FROM_FAILURE").status_code == 403
    assert instance.get_runs_count() == 1


@hw.asset
def fragile():
    if os.environ.get("HW_WEB_FLAKY") == "fail":
        raise ValueError("fragile failed")
    return 1


SUBSET_DEFS = hw.Definitions(assets=[base, plus_one, fragile])


def test_from_failure_of_a_subset_run_runs_only_its_failed_assets(instance, monkeypatch):
    loc = InProcessLocation("launch", lambda: SUBSET_DEFS, instance)
    with make_client(instance, [loc]) as api:
        monkeypatch.setenv("HW_WEB_FLAKY", "fail")
        run_id = launch(api, asset_selection=[["base"], ["fragile"]]).json()["run_id"]
        assert execute(instance, loc, run_id).status == RunStatus.FAILURE
        monkeypatch.setenv("HW_WEB_FLAKY", "ok")
        child = reexecute(api, run_id, strategy="FROM_FAILURE").json()["run_id"]
        assert execute(instance, loc, child).status == RunStatus.SUCCESS
        assert steps_run(instance, child) == {"fragile"}  # not plus_one: it was not selected
        assert instance.get_run_by_id(child).asset_selection == {hw.AssetKey("base"),
                                                                 hw.AssetKey("fragile")}
