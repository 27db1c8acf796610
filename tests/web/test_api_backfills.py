"""Backfills in the API: launched for the daemon with the plan of their runs (as the CLI
launches them), listed with a status filter in cursor pages, progress counted from their
runs, canceled."""

from __future__ import annotations

import pytest

import headwater as hw
from headwater.definitions.tags import BACKFILL_ID_TAG, CODE_LOCATION_TAG, PARTITION_NAME_TAG
from headwater.locations.in_process import InProcessLocation
from headwater.storage.backfills import BulkActionStatus, PartitionBackfill
from headwater.storage.runs import RunStatus

from .conftest import make_client

days = hw.DailyPartitionsDefinition(start_date="2024-01-01")


@hw.asset(partitions_def=days)
def readings(context):
    return context.partition_key


@hw.asset(partitions_def=days)
def cleaned(readings):
    return readings


@hw.asset(partitions_def=days, backfill_policy=hw.BackfillPolicy.multi_run(3))
def batched(context):
    return 1


@hw.asset
def summary():
    return 0


@hw.op
def hello():
    return 1


@hw.job
def op_only():
    hello()


BF_DEFS = hw.Definitions(assets=[readings, cleaned, batched, summary],
                         jobs=[op_only, hw.define_asset_job("daily_job", [readings, cleaned],
                                                            partitions_def=days)])


@pytest.fixture
def loc(instance):
    return InProcessLocation("bf", lambda: BF_DEFS, instance, "module tests")


@pytest.fixture
def api(instance, loc):
    with make_client(instance, [loc]) as client:
        yield client


def launch(api, **body):
    return api.post("/api/v1/backfills", json={"location": "bf", **body})


def test_a_backfill_is_stored_for_the_daemon_with_the_plan_of_its_runs(api, instance):
    answer = launch(api, asset_selection=[["readings"], ["cleaned"]],
                    partition_range={"start": "2024-01-01", "end": "2024-01-05"},
                    title="January", tags={"team": "snow"})
    assert answer.status_code == 201, answer.text
    out = answer.json()
    assert out["status"] == "REQUESTED" and out["title"] == "January"
    assert (out["partition_count"], out["first_partition"], out["last_partition"]) == \
        (5, "2024-01-01", "2024-01-05")
    assert out["location"] == "bf" and out["max_partitions_per_run"] == 1
    assert out["progress"] == {"requested": 5, "succeeded": 0, "failed": 0, "in_progress": 0,
                               "pending": 5, "later_stage_runs": 0,
                               "later_stage_succeeded": 0, "later_stage_failed": 0}
    stored = instance.get_backfill(out["backfill_id"])
    assert stored.plan is not None and stored.plan.run_count == 5  # the daemon carries it out
    assert stored.tags == {"team": "snow", CODE_LOCATION_TAG: "bf"}


def test_partitions_come_as_keys_a_range_or_all_with_a_policy(api, instance):
    keys = launch(api, asset_selection="readings", partition_keys=["2024-01-03", "2024-01-01"],
                  policy="single-run").json()
    assert keys["partition_count"] == 2 and keys["max_partitions_per_run"] is None
    by_policy = launch(api, asset_selection=[["batched"]], all_partitions=True).json()
    assert by_policy["max_partitions_per_run"] == 3  # the asset's BackfillPolicy
    job = launch(api, job_name="daily_job", partition_keys=["2024-01-02"],
                 policy="multi-run:7").json()
    assert job["asset_selection"] == [["readings"], ["cleaned"]]
    assert job["max_partitions_per_run"] == 7


def record_run(instance, backfill_id, status, partition=None, stage=None):
    tags = {BACKFILL_ID_TAG: backfill_id}
    if partition is not None:
        tags[PARTITION_NAME_TAG] = partition
    if stage is not None:
        tags["headwater/backfill_stage"] = stage
    return instance.create_run("__ASSET_JOB", tags=tags, status=status).run_id


def test_progress_counts_partitions_by_their_latest_run(api, instance):
    backfill_id = launch(api, asset_selection="readings",
                         partition_range={"start": "2024-01-01", "end": "2024-01-06"}).json()[
        "backfill_id"]
    record_run(instance, backfill_id, RunStatus.FAILURE, "2024-01-01")
    record_run(instance, backfill_id, RunStatus.SUCCESS, "2024-01-01")  # retried: succeeded
    record_run(instance, backfill_id, RunStatus.SUCCESS, "2024-01-02")
    record_run(instance, backfill_id, RunStatus.FAILURE, "2024-01-03")
    record_run(instance, backfill_id, RunStatus.STARTED, "2024-01-04")
    record_run(instance, backfill_id, RunStatus.SUCCESS, None, stage="1")
    detail = api.get(f"/api/v1/backfills/{backfill_id}").json()
    p = detail["progress"]
    assert (p["requested"], p["succeeded"], p["failed"], p["in_progress"], p["pending"]) == \
        (6, 2, 1, 1, 2)
    assert (p["later_stage_runs"], p["later_stage_succeeded"]) == (1, 1)
    assert detail["run_count"] == 6
    assert [r["partition_key"] for r in detail["runs"][:2]] == ["2024-01-01", "2024-01-01"]
    assert detail["runs"][0]["status"] == "FAILURE"


def test_backfills_are_listed_newest_first_by_status_in_pages(api, instance):
    ids = [launch(api, asset_selection="readings", partition_keys=[f"2024-01-0{i}"]).json()[
        "backfill_id"] for i in (1, 2, 3)]
    instance.add_backfill(PartitionBackfill("donedone", status=BulkActionStatus.COMPLETED_SUCCESS,
                                            partition_keys=["x"]))
    first = api.get("/api/v1/backfills", params={"limit": 2}).json()
    assert [b["backfill_id"] for b in first["items"]] == ["donedone", ids[2]]
    rest = api.get("/api/v1/backfills", params={"limit": 2,
                                                "cursor": first["next_cursor"]}).json()
    assert [b["backfill_id"] for b in rest["items"]] == [ids[1], ids[0]]
    assert rest["next_cursor"] is None
    requested = api.get("/api/v1/backfills", params={"status": "REQUESTED"}).json()["items"]
    assert [b["backfill_id"] for b in requested] == ids[::-1]
    both = api.get("/api/v1/backfills?status=REQUESTED&status=COMPLETED_SUCCESS").json()
    assert len(both["items"]) == 4


def test_a_backfill_is_canceled_with_its_queued_runs(api, instance):
    backfill_id = launch(api, asset_selection="readings", partition_keys=["2024-01-01"]).json()[
        "backfill_id"]
    queued = record_run(instance, backfill_id, RunStatus.QUEUED, "2024-01-01")
    answer = api.post(f"/api/v1/backfills/{backfill_id}/cancel")
    assert answer.status_code == 200 and answer.json()["status"] == "CANCELED"
    assert instance.get_run_by_id(queued).status == RunStatus.CANCELED
    again = api.post(f"/api/v1/backfills/{backfill_id}/cancel")
    assert again.status_code == 409 and "CANCELED" in again.json()["error"]["message"]
    assert api.post("/api/v1/backfills/nope/cancel").status_code == 404


@pytest.mark.parametrize(("body", "named"), [
    ({"asset_selection": [["nope"]], "all_partitions": True}, "nope"),
    ({"asset_selection": "nope+", "all_partitions": True}, "nope"),
    ({"asset_selection": "(((", "all_partitions": True}, "((("),
    ({"asset_selection": [["summary"]], "all_partitions": True}, "partitioned"),
    ({"asset_selection": [["readings"]], "partition_keys": ["someday"]}, "someday"),
    ({"asset_selection": [["readings"]], "partition_range": {"start": "2024-01-05",
                                                             "end": "2023-01-01"}}, "2023"),
    ({"asset_selection": [["readings"]]}, "partition"),
    ({"asset_selection": [["readings"]], "all_partitions": True,
      "partition_keys": ["2024-01-01"]}, "exactly one"),
    ({"asset_selection": [["readings"]], "all_partitions": True, "policy": "fast"}, "fast"),
    ({"asset_selection": [["readings"]], "all_partitions": True, "policy": "multi-run:0"},
     "multi-run:0"),
    ({"job_name": "op_only", "all_partitions": True}, "op job"),
    ({"job_name": "nope", "all_partitions": True}, "nope"),
    ({"all_partitions": True}, "asset_selection or job_name"),
    ({"location": "elsewhere", "asset_selection": "readings", "all_partitions": True},
     "elsewhere"),
])
def test_bad_launches_are_422_naming_the_problem(api, instance, body, named):
    answer = launch(api, **body)
    assert answer.status_code == 422, answer.text
    assert named in answer.json()["error"]["message"]
    assert instance.get_backfills() == []


@pytest.mark.parametrize("query", [{"cursor": "nope"}, {"status": "DONE"}, {"limit": 0},
                                   {"limit": 201}, {"page": 2}])
def test_bad_list_queries_are_422(api, query):
    assert api.get("/api/v1/backfills", params=query).status_code == 422


def test_an_unknown_backfill_is_404(api):
    answer = api.get("/api/v1/backfills/nope")
    assert answer.status_code == 404 and "nope" in answer.json()["error"]["message"]


def test_a_location_without_definitions_here_is_409(instance, loc):
    class CodeServerLike:  # serves snapshots only, as a RemoteLocation does
        name = "bf"

        def snapshot(self):
            return loc.snapshot()

    with make_client(instance, [CodeServerLike()]) as client:
        answer = launch(client, asset_selection="readings", all_partitions=True)
    assert answer.status_code == 409 and "backfill launch" in answer.json()["error"]["message"]


def test_launch_and_cancel_are_refused_when_read_only(instance, loc):
    instance.add_backfill(PartitionBackfill("running1", partition_keys=["2024-01-01"]))
    with make_client(instance, [loc], read_only=True) as client:
        assert launch(client, asset_selection="readings", all_partitions=True).status_code == 403
        assert client.post("/api/v1/backfills/running1/cancel").status_code == 403
        assert client.get("/api/v1/backfills/running1").status_code == 200
    assert [b.backfill_id for b in instance.get_backfills()] == ["running1"]
    assert instance.get_backfill("running1").status == BulkActionStatus.REQUESTED
