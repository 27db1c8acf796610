"""Schedules and sensors in the API: on or off from stored state and the code's default, next
and latest tick, tick history in pages, start and stop stored as the CLI stores them."""

from __future__ import annotations

import pytest

import headwater as hw
from headwater.locations.in_process import InProcessLocation
from headwater.storage.instigators import InstigatorType, TickStatus, selector_id

from .conftest import all_job, make_client, numbers, total


@hw.schedule("0 6 * * *", job=all_job, execution_timezone="Europe/Oslo",
             default_status=hw.DefaultScheduleStatus.RUNNING)
def morning(context):
    return hw.RunRequest()


@hw.schedule("*/15 * * * *", job=all_job)
def quarterly(context):
    return hw.RunRequest()


@hw.sensor(job=all_job, minimum_interval_seconds=45)
def new_files(context):
    return hw.SkipReason("no new files")


SCHED_DEFS = hw.Definitions(assets=[numbers, total], jobs=[all_job],
                            schedules=[morning, quarterly], sensors=[new_files])


@pytest.fixture
def sched_client(instance):
    location = InProcessLocation("sched", lambda: SCHED_DEFS, instance, "module tests")
    with make_client(instance, [location]) as client:
        yield client


def add_tick(instance, name, itype, key, timestamp, status, **fields):
    from dataclasses import replace

    tick = instance.create_tick(selector_id("sched", name), name, itype, key, timestamp)
    return instance.update_tick(replace(tick, status=status, **fields))


def by_name(items):
    return {i["name"]: i for i in items}


def test_schedules_are_listed_with_status_cron_and_next_tick(sched_client, instance):
    import time

    items = by_name(sched_client.get("/api/v1/schedules").json()["items"])
    assert set(items) == {"morning", "quarterly"}
    m = items["morning"]
    assert (m["status"], m["default_status"]) == ("RUNNING", "RUNNING")  # default in code
    assert (m["location"], m["cron_schedule"], m["job_name"]) == \
        ("sched", ["0 6 * * *"], "all_job")
    assert m["execution_timezone"] == "Europe/Oslo" and m["latest_tick"] is None
    q = items["quarterly"]
    assert q["status"] == "STOPPED"
    assert time.time() < q["next_tick_time"] <= time.time() + 15 * 60
    assert q["next_tick_time"] % (15 * 60) == 0


def test_the_stored_state_wins_over_the_default_and_filters_apply(sched_client, instance):
    stopped = sched_client.post("/api/v1/schedules/sched/morning/stop")
    assert stopped.status_code == 200 and stopped.json()["status"] == "STOPPED"
    started = sched_client.post("/api/v1/schedules/sched/quarterly/start").json()
    assert started["status"] == "RUNNING"
    state = instance.get_instigator_state(selector_id("sched", "quarterly"))
    assert state.status.value == "RUNNING" and "start_timestamp" in state.extra  # as the CLI
    running = sched_client.get("/api/v1/schedules", params={"status": "RUNNING"}).json()
    assert [i["name"] for i in running["items"]] == ["quarterly"]
    assert sched_client.get("/api/v1/schedules", params={"location": "other"}).json() == \
        {"items": []}


def test_sensors_are_listed_started_and_stopped(sched_client, instance):
    [s] = sched_client.get("/api/v1/sensors").json()["items"]
    assert (s["name"], s["status"], s["minimum_interval_seconds"], s["job_names"]) == \
        ("new_files", "STOPPED", 45, ["all_job"])
    assert s["kind"] == "STANDARD" and s["cursor"] is None
    assert sched_client.post("/api/v1/sensors/sched/new_files/start").json()["status"] == \
        "RUNNING"
    assert by_name(sched_client.get("/api/v1/sensors").json()["items"])["new_files"][
        "status"] == "RUNNING"
    assert sched_client.post("/api/v1/sensors/sched/new_files/stop").json()["status"] == \
        "STOPPED"


def test_ticks_come_newest_first_in_pages_with_runs_skips_and_errors(sched_client, instance):
    sensor = InstigatorType.SENSOR
    add_tick(instance, "new_files", sensor, "a", 100.0, TickStatus.SKIPPED,
             skip_reason="no new files")
    add_tick(instance, "new_files", sensor, "b", 200.0, TickStatus.SUCCESS,
             run_ids=("r1", "r2"), run_keys=("k1", "k2"), cursor="c2")
    add_tick(instance, "new_files", sensor, "c", 200.0, TickStatus.FAILURE,
             error="ValueError: the bucket is gone")  # same time as the one before
    add_tick(instance, "new_files", sensor, "d", 300.0, TickStatus.SKIPPED)
    seen, cursor = [], None
    while True:
        page = sched_client.get("/api/v1/sensors/sched/new_files/ticks", params={
            "limit": 1, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        seen.extend(page.json()["items"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert [t["timestamp"] for t in seen] == [300.0, 200.0, 200.0, 100.0]
    assert [t["status"] for t in seen[1:3]] == ["FAILURE", "SUCCESS"]
    assert seen[1]["error"] == "ValueError: the bucket is gone"
    assert (seen[2]["run_ids"], seen[2]["cursor"]) == (["r1", "r2"], "c2")
    assert seen[3]["skip_reason"] == "no new files"
    failed = sched_client.get("/api/v1/sensors/sched/new_files/ticks",
                              params={"status": "FAILURE"}).json()["items"]
    assert [t["status"] for t in failed] == ["FAILURE"]
    [listed] = sched_client.get("/api/v1/sensors").json()["items"]
    assert listed["latest_tick"]["timestamp"] == 300.0


def test_unknown_locations_and_names_are_404_and_bad_queries_422(sched_client):
    for path in ("/api/v1/schedules/nowhere/morning/start",
                 "/api/v1/schedules/sched/evening/start",
                 "/api/v1/sensors/sched/morning/stop"):  # a schedule is not a sensor
        answer = sched_client.post(path)
        assert answer.status_code == 404, path
    missing = sched_client.get("/api/v1/schedules/sched/evening/ticks")
    assert missing.status_code == 404 and "evening" in missing.json()["error"]["message"]
    for params in ({"cursor": "yesterday"}, {"cursor": "nan:1"}, {"limit": 0},
                   {"status": "BOGUS"}):
        answer = sched_client.get("/api/v1/sensors/sched/new_files/ticks", params=params)
        assert answer.status_code == 422, params
    assert sched_client.get("/api/v1/schedules", params={"status": "ON"}).status_code == 422


def test_a_location_whose_code_does_not_load_is_skipped_and_refused(instance):
    def broken():
        raise ImportError("no module named 'pipelines'")

    bad = InProcessLocation("bad", broken, instance)
    with make_client(instance, [bad]) as client:
        assert client.get("/api/v1/schedules").json() == {"items": []}
        answer = client.post("/api/v1/schedules/bad/morning/start")
        assert answer.status_code == 409 and "bad" in answer.json()["error"]["message"]


def test_start_and_stop_are_refused_when_read_only(instance):
    location = InProcessLocation("sched", lambda: SCHED_DEFS, instance)
    with make_client(instance, [location], read_only=True) as client:
        for path in ("/api/v1/schedules/sched/quarterly/start",
                     "/api/v1/schedules/sched/morning/stop",
                     "/api/v1/sensors/sched/new_files/start",
                     "/api/v1/sensors/sched/new_files/stop"):
            assert client.post(path).status_code == 403, path
        assert client.get("/api/v1/schedules").status_code == 200
    assert instance.all_instigator_state() == []
