"""The runs API over a real instance: list with filters and cursor pages, one run, its event
log in pages and live (Server-Sent Events), cancel; bad input answered 4xx with the field."""

from __future__ import annotations

import orjson
import pytest

import headwater as hw
from headwater.storage.runs import RunStatus

from .conftest import all_job, broken, make_client, numbers, total


def materialize(instance, assets, **kwargs):
    return hw.materialize(assets, instance=instance, raise_on_error=False, **kwargs).run_id


@pytest.fixture
def runs(instance):
    """Three runs, oldest first: success, failure, success (tagged)."""
    return [materialize(instance, [numbers, total]),
            materialize(instance, [broken]),
            materialize(instance, [numbers], tags={"team": "snow"})]


def test_runs_are_listed_newest_first_a_page_at_a_time(client, runs):
    first = client.get("/api/v1/runs", params={"limit": 2}).json()
    assert [r["run_id"] for r in first["items"]] == [runs[2], runs[1]]
    assert first["next_cursor"] == runs[1]
    rest = client.get("/api/v1/runs", params={"limit": 2, "cursor": first["next_cursor"]})
    assert [r["run_id"] for r in rest.json()["items"]] == [runs[0]]
    assert rest.json()["next_cursor"] is None


def test_runs_are_filtered_by_status_and_tag(client, runs):
    failed = client.get("/api/v1/runs?status=FAILURE").json()["items"]
    assert [(r["run_id"], r["status"]) for r in failed] == [(runs[1], "FAILURE")]
    both = client.get("/api/v1/runs?status=FAILURE&status=SUCCESS").json()["items"]
    assert len(both) == 3
    tagged = client.get("/api/v1/runs", params={"tag": "team=snow"}).json()["items"]
    assert [r["run_id"] for r in tagged] == [runs[2]] and tagged[0]["tags"]["team"] == "snow"


def test_one_run_has_its_status_times_and_selection(client, runs):
    run = client.get(f"/api/v1/runs/{runs[0]}").json()
    assert run["status"] == "SUCCESS" and run["end_time"] >= run["start_time"]
    assert run["asset_selection"] == [["numbers"], ["total"]]


def test_the_event_log_comes_in_pages_by_storage_id(client, runs):
    everything = client.get(f"/api/v1/runs/{runs[0]}/events", params={"limit": 5000}).json()
    types = [e["event_type"] for e in everything["items"]]
    assert types[0] == "ASSET_MATERIALIZATION_PLANNED" and types[-1] == "PIPELINE_SUCCESS"
    assert not everything["has_more"]
    pages, cursor = [], None
    while True:
        page = client.get(f"/api/v1/runs/{runs[0]}/events",
                          params={"limit": 4, **({"cursor": cursor} if cursor else {})}).json()
        pages.extend(page["items"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert [e["storage_id"] for e in pages] == [e["storage_id"] for e in everything["items"]]


def test_a_failed_step_carries_the_users_error(client, runs):
    failures = client.get(f"/api/v1/runs/{runs[1]}/events",
                          params={"event_type": "STEP_FAILURE"}).json()["items"]
    [failure] = failures
    assert failure["step_key"] == "broken" and failure["level"] == "ERROR"
    user_error = failure["error"]["cause"]  # under the step's error, as in Dagster
    assert user_error["cls_name"] == "ValueError"
    assert "the source is down" in user_error["message"]
    assert any("raise ValueError" in line for line in user_error["stack"])


def test_the_live_stream_sends_the_log_and_ends_with_the_run(client, runs):
    with client.stream("GET", f"/api/v1/runs/{runs[0]}/events/stream") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = b"".join(response.iter_bytes()).decode()
    messages = [m for m in text.split("\n\n") if m.startswith("event:")]
    assert messages[-1].startswith("event: end")
    streamed = [e for m in messages[:-1]
                for e in orjson.loads(m.split("data: ", 1)[1])]
    assert streamed[-1]["event_type"] == "PIPELINE_SUCCESS"
    assert len(streamed) == len(client.get(f"/api/v1/runs/{runs[0]}/events").json()["items"])


def test_the_stream_resumes_after_the_last_event_id(client, runs):
    events = client.get(f"/api/v1/runs/{runs[0]}/events").json()["items"]
    with client.stream("GET", f"/api/v1/runs/{runs[0]}/events/stream",
                       headers={"Last-Event-ID": str(events[-2]["storage_id"])}) as response:
        text = b"".join(response.iter_bytes()).decode()
    data = [m.split("data: ", 1)[1] for m in text.split("\n\n") if m.startswith("event: events")]
    assert [e["storage_id"] for d in data for e in orjson.loads(d)] == [
        events[-1]["storage_id"]]


def test_a_queued_run_is_canceled(client, instance):
    from headwater.execution.launch import LaunchRequest
    from headwater.execution.stored_run import queue_run

    run = queue_run(instance, LaunchRequest(job_name=all_job.name), "web_tests")
    answer = client.post(f"/api/v1/runs/{run.run_id}/cancel")
    assert answer.status_code == 200 and answer.json()["status"] == "CANCELED"
    assert instance.get_run_by_id(run.run_id).status == RunStatus.CANCELED


@pytest.mark.parametrize(("url", "status", "field"), [
    ("/api/v1/runs?limit=0", 422, "query.limit"),
    ("/api/v1/runs?limit=many", 422, "query.limit"),
    ("/api/v1/runs?status=DONE", 422, "query.status.0"),
    ("/api/v1/runs?tag=nokey", 422, None),
    ("/api/v1/runs?cursor=not-a-run", 422, None),
    ("/api/v1/runs?sort=name", 422, None),
    ("/api/v1/runs/not-a-run", 404, None),
    ("/api/v1/runs/not-a-run/events", 404, None),
    ("/api/v1/runs/x/events?cursor=-1", 422, "query.cursor"),
    ("/api/v1/nothing-here", 404, None),
])
def test_bad_requests_get_a_4xx_naming_the_problem(client, runs, url, status, field):
    answer = client.get(url)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["message"]
    if field is not None:
        assert error["fields"][0]["loc"] == field


def test_a_read_only_server_refuses_writes(instance, runs):
    with make_client(instance, read_only=True) as client:
        answer = client.post(f"/api/v1/runs/{runs[0]}/cancel")
        assert answer.status_code == 403 and "read-only" in answer.json()["error"]["message"]
        assert client.get("/api/v1/runs").status_code == 200


@hw.asset
def chatty():
    print("reading the lift sensors")
    import sys

    print("one sensor is offline", file=sys.stderr)
    return 1


def test_a_steps_stdout_and_stderr_are_read_from_an_offset(client, instance):
    run_id = materialize(instance, [chatty])
    assert client.get(f"/api/v1/runs/{run_id}/compute_logs").json() == {"step_keys": ["chatty"]}
    out = client.get(f"/api/v1/runs/{run_id}/compute_logs/read",
                     params={"step_key": "chatty"}).json()
    assert out["data"] == "reading the lift sensors\n" and not out["more"]
    err = client.get(f"/api/v1/runs/{run_id}/compute_logs/read",
                     params={"step_key": "chatty", "io": "stderr", "offset": 4}).json()
    assert err["data"] == "sensor is offline\n" and err["next_offset"] == 22
    nothing = client.get(f"/api/v1/runs/{run_id}/compute_logs/read",
                         params={"step_key": "quiet"}).json()
    assert nothing["data"] == "" and nothing["next_offset"] == 0
    assert client.get("/api/v1/runs/nope/compute_logs").status_code == 404
