"""The Python client against a real web server on 127.0.0.1: runs page by page, a run's events
(stored and live), compute logs, assets, code locations, and the server's errors raised."""

from __future__ import annotations

import pytest

import headwater as hw
from headwater.client import ApiError, HeadwaterClient
from headwater.locations.in_process import InProcessLocation
from headwater.web.context import WebContext
from headwater.web.server import WebServer


@hw.asset(group_name="raw")
def snowfall():
    print("measured 12 cm")
    return 12


@hw.asset
def broken():
    raise ValueError("gauge offline")


@pytest.fixture
def server(tmp_path):
    with hw.Instance.local(tmp_path / "home") as instance:
        location = InProcessLocation(
            "mountain", lambda: hw.Definitions(assets=[snowfall, broken]), instance)
        web = WebServer(WebContext(instance, lambda: [location]), port=0).start()
        try:
            yield instance, web
        finally:
            web.stop()


def test_runs_events_and_logs_through_the_client(server):
    instance, web = server
    ok = [hw.materialize([snowfall], instance=instance).run_id for _ in range(3)]
    failed = hw.materialize([broken], instance=instance, raise_on_error=False).run_id
    client = HeadwaterClient(web.url)
    assert [r["run_id"] for r in client.runs(page_size=2)] == [failed, *reversed(ok)]
    assert [r["run_id"] for r in client.runs(status=["FAILURE"])] == [failed]
    assert client.run(ok[0])["status"] == "SUCCESS"
    stored = list(client.run_events(ok[0], page_size=3))
    assert stored[-1]["event_type"] == "PIPELINE_SUCCESS"
    assert [e["storage_id"] for e in client.follow_run_events(ok[0])] == [
        e["storage_id"] for e in stored]
    assert client.compute_log(ok[0], "snowfall") == "measured 12 cm\n"
    failure = next(client.run_events(failed, event_type=["STEP_FAILURE"]))
    assert "gauge offline" in failure["error"]["cause"]["message"]


def test_assets_locations_and_errors_through_the_client(server):
    instance, web = server
    hw.materialize([snowfall], instance=instance)
    client = HeadwaterClient(web.url)
    assert [a["key_string"] for a in client.assets()] == ["broken", "snowfall"]
    assert client.asset(["snowfall"])["latest_materialization"] is not None
    assert [loc["status"] for loc in client.code_locations()] == ["LOADED"]
    assert client.server_info() == {"read_only": False, "version": hw.__version__}
    assert client.asset_graph()["layout"]["node_ids"] == ["broken", "snowfall"]
    with pytest.raises(ApiError) as error:
        client.asset("nope")
    assert error.value.status == 404 and "nope" in error.value.message
    with pytest.raises(ApiError) as error:
        list(client.runs(page_size=0))
    assert error.value.status == 422 and error.value.fields[0]["loc"] == "query.limit"


days = hw.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")


@hw.asset(partitions_def=days)
def daily_depth():
    return 1


depth_job = hw.define_asset_job("depth_job", selection=[snowfall])


@hw.sensor(job=depth_job, minimum_interval_seconds=30)
def new_reports():
    return hw.SkipReason("nothing new")


def test_launches_sensors_backfills_and_pools_through_the_client(tmp_path):
    defs = hw.Definitions(assets=[snowfall, daily_depth], jobs=[depth_job], sensors=[new_reports])
    with hw.Instance.local(tmp_path / "home") as instance:
        location = InProcessLocation("mountain", lambda: defs, instance)
        web = WebServer(WebContext(instance, lambda: [location]), port=0).start()
        try:
            client = HeadwaterClient(web.url)
            queued = client.launch("mountain", job_name="depth_job", tags={"who": "client"})
            run = client.run(queued["run_id"])
            assert (run["status"], run["tags"]["who"]) == ("QUEUED", "client")
            with pytest.raises(ApiError) as error:
                client.launch("mountain", job_name="no_such_job")
            assert error.value.status == 422 and "no_such_job" in error.value.message
            assert [j["name"] for j in client.jobs()] == ["depth_job"]
            assert [op["name"] for op in client.job("mountain", "depth_job")["ops"]] == ["snowfall"]
            checked = client.validate_run_config("mountain", "depth_job", {"ops": {"x": {}}})
            assert not checked["valid"] and checked["problems"][0]["path"] == "ops.x"
            [sensor] = client.sensors()
            assert (sensor["name"], sensor["status"]) == ("new_reports", "STOPPED")
            assert client.set_running("sensors", "mountain", "new_reports", True)
            assert client.sensors()[0]["status"] == "RUNNING"
            assert [(p["key"], p["status"]) for p in client.asset_partition_keys(
                "daily_depth", page_size=2)] == [("2024-01-03", "-"), ("2024-01-02", "-"),
                                                 ("2024-01-01", "-")]
            backfill = client.launch_backfill("mountain", asset_selection=[["daily_depth"]],
                                              all_partitions=True)
            assert [b["backfill_id"] for b in client.backfills()] == [backfill["backfill_id"]]
            assert client.cancel_backfill(backfill["backfill_id"])["backfill_id"] == backfill[
                "backfill_id"]
            client.set_pool_limit("warehouse", 2)
            assert [(p["key"], p["limit"]) for p in client.pools()["items"]] == [
                ("warehouse", 2)]
        finally:
            web.stop()


@hw.asset_check(asset=snowfall)
def not_negative(snowfall):
    return hw.AssetCheckResult(passed=snowfall >= 0, metadata={"cm": snowfall})


def test_checks_metadata_series_and_partition_keys_through_the_client(tmp_path):
    with hw.Instance.local(tmp_path / "home") as instance:
        defs = hw.Definitions(assets=[snowfall, daily_depth], asset_checks=[not_negative])
        location = InProcessLocation("mountain", lambda: defs, instance)
        web = WebServer(WebContext(instance, lambda: [location]), port=0).start()
        try:
            runs = [hw.materialize([snowfall, not_negative], instance=instance).run_id
                    for _ in range(3)]
            client = HeadwaterClient(web.url)
            [check] = client.asset_checks("snowfall")
            assert check["name"] == "not_negative" and check["latest"]["run_id"] == runs[-1]
            history = list(client.check_evaluations("snowfall", "not_negative", page_size=2))
            assert [e["run_id"] for e in history] == runs[::-1]
            assert all(e["outcome"] == "PASSED" for e in history)
            assert client.metadata_series("snowfall")["timestamps"] != []
            assert [p["key"] for p in client.asset_partition_keys(
                "daily_depth", newest_first=False, page_size=2)] == [
                "2024-01-01", "2024-01-02", "2024-01-03"]
        finally:
            web.stop()
