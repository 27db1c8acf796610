"""The asset graph endpoint: every asset and edge with a layout, the ETag answering 304,
groups collapsed on request (and past a few thousand assets), statuses aligned with nodes."""

from __future__ import annotations

import pytest

import headwater as hw
from headwater.locations.in_process import InProcessLocation

from .conftest import make_client


@hw.asset(group_name="raw")
def lifts():
    return 1


@hw.asset(group_name="raw")
def slopes():
    return 1


@hw.asset(group_name="marts")
def report(lifts, slopes):
    return 1


DEFS = hw.Definitions(assets=[lifts, slopes, report])


@pytest.fixture
def client(instance):
    with make_client(instance, [InProcessLocation("ski", lambda: DEFS, instance)]) as c:
        yield c


def test_the_graph_comes_with_a_layout_left_to_right(client):
    answer = client.get("/api/v1/asset_graph")
    graph = answer.json()
    layout = graph["layout"]
    assert layout["node_ids"] == ["lifts", "report", "slopes"] and not graph["collapsed"]
    edges = set(zip(layout["edge_sources"], layout["edge_targets"], strict=True))
    assert edges == {(0, 1), (2, 1)}
    x = dict(zip(layout["node_ids"], layout["x"], strict=True))
    assert x["lifts"] < x["report"] and x["slopes"] < x["report"]
    assert graph["locations"] == ["ski", "ski", "ski"]
    etag = answer.headers["etag"]
    again = client.get("/api/v1/asset_graph", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_groups_collapse_into_nodes_with_counted_edges(client):
    graph = client.get("/api/v1/asset_graph", params={"collapse": "all"}).json()
    assert graph["collapsed"]
    layout = graph["layout"]
    nodes = dict(zip(layout["node_ids"], graph["node_sizes"], strict=True))
    assert nodes == {"raw": 2, "marts": 1}
    assert graph["edge_counts"] == [2]
    expanded = client.get("/api/v1/asset_graph",
                          params={"collapse": "all", "expand": "raw"}).json()
    assert sorted(expanded["layout"]["node_ids"]) == ["lifts", "marts", "slopes"]


@hw.asset(name="report")
def failing_report(lifts, slopes):
    raise ValueError("no snow")


def test_statuses_are_aligned_with_the_assets(client, instance):
    hw.materialize([lifts], instance=instance)
    status = client.get("/api/v1/asset_graph/status").json()
    assert status == {"node_ids": ["lifts", "report", "slopes"], "statuses": "M--",
                      "group_counts": {"raw": {"M": 1, "F": 0, "R": 0, "-": 1},
                                       "marts": {"M": 0, "F": 0, "R": 0, "-": 1}}}
    hw.materialize([lifts, slopes, failing_report], instance=instance, raise_on_error=False)
    status = client.get("/api/v1/asset_graph/status").json()
    assert status["statuses"] == "MFM"
    assert status["group_counts"]["raw"] == {"M": 2, "F": 0, "R": 0, "-": 0}
    assert status["group_counts"]["marts"] == {"M": 0, "F": 1, "R": 0, "-": 0}


def test_an_asset_whose_run_is_in_progress_is_running(client, instance):
    from headwater.execution.launch import LaunchRequest
    from headwater.execution.stored_run import queue_run

    run = queue_run(instance, LaunchRequest(asset_selection=(hw.AssetKey("slopes"),)), "ski")
    from headwater.events.records import AssetPlannedData, Event, EventLogEntry, EventType

    instance.store_events([EventLogEntry(
        run.run_id, 1.0, 10, "", None, run.job_name,
        Event(EventType.ASSET_MATERIALIZATION_PLANNED, run.job_name, None, None, "planned",
              AssetPlannedData(hw.AssetKey("slopes"))))])
    assert client.get("/api/v1/asset_graph/status").json()["statuses"] == "--R"


def test_a_bad_collapse_value_is_a_422(client):
    answer = client.get("/api/v1/asset_graph", params={"collapse": "some"})
    assert answer.status_code == 422 and answer.json()["error"]["fields"][0]["loc"] == (
        "query.collapse")
