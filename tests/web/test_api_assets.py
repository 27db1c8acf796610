"""The assets API: catalog pages and filters, one asset with its lineage neighbourhood, its
materializations with metadata, its partition status as ranges."""

from __future__ import annotations

import pytest

import headwater as hw
from headwater.locations.in_process import InProcessLocation

from .conftest import make_client

days = hw.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-11")


@hw.asset(group_name="raw", kinds={"duckdb"}, description="Snow depth per resort",
          code_version="v2", metadata={"team": "snow",
                                       "docs": hw.MetadataValue.url("https://docs.test")})
def snow_depth():
    return 1


@hw.asset(group_name="marts", key_prefix=["marts"])
def snow_report(snow_depth):
    return hw.Output(2, metadata={"rows": 2, "source": hw.MetadataValue.url("https://x.test")})


@hw.asset(partitions_def=days, group_name="raw")
def daily_snow(context):
    if context.partition_key == "2024-01-05":
        raise ValueError("no data that day")
    return 1


DEFS = hw.Definitions(assets=[snow_depth, snow_report, daily_snow])


@pytest.fixture
def client(instance):
    location = InProcessLocation("resorts", lambda: DEFS, instance)
    with make_client(instance, [location]) as c:
        yield c


def test_the_catalog_lists_every_asset_by_key_with_filters_and_pages(client, instance):
    hw.materialize([snow_depth, snow_report], instance=instance)
    page = client.get("/api/v1/assets").json()
    assert [a["key_string"] for a in page["items"]] == ["daily_snow", "marts/snow_report",
                                                        "snow_depth"]
    assert page["total"] == 3 and page["next_cursor"] is None
    depth = page["items"][2]
    assert (depth["group"], depth["kinds"], depth["location"]) == ("raw", ["duckdb"],
                                                                   "resorts")
    assert depth["latest_materialization"]["run_id"]
    assert page["items"][0]["latest_materialization"] is None
    assert page["items"][0]["partitions"]["kind"] == "time_window"
    raw = client.get("/api/v1/assets", params={"group": "raw"}).json()["items"]
    assert [a["key_string"] for a in raw] == ["daily_snow", "snow_depth"]
    found = client.get("/api/v1/assets", params={"search": "REPORT"}).json()["items"]
    assert [a["key_string"] for a in found] == ["marts/snow_report"]
    first = client.get("/api/v1/assets", params={"limit": 2}).json()
    rest = client.get("/api/v1/assets", params={"limit": 2, "cursor": first["next_cursor"]})
    assert [a["key_string"] for a in first["items"] + rest.json()["items"]] == [
        "daily_snow", "marts/snow_report", "snow_depth"]


def test_one_asset_has_its_neighbours_and_materializations_with_metadata(client, instance):
    hw.materialize([snow_depth, snow_report], instance=instance)
    detail = client.get("/api/v1/assets/marts/snow_report").json()
    assert detail["upstream"] == ["snow_depth"] and detail["downstream"] == []
    assert client.get("/api/v1/assets/snow_depth").json()["downstream"] == [
        "marts/snow_report"]
    [mat] = client.get("/api/v1/assets/marts/snow_report/materializations").json()["items"]
    assert mat["metadata"]["rows"] == ["int", 2]
    assert mat["metadata"]["source"][0] == "url"


def test_one_asset_has_its_definition_code_version_and_metadata(client):
    depth = client.get("/api/v1/assets/snow_depth").json()
    assert depth["code_version"] == "v2"
    assert depth["metadata"]["team"] == ["text", "snow"]
    assert depth["metadata"]["docs"][0] == "url"
    report = client.get("/api/v1/assets/marts/snow_report").json()
    assert (report["code_version"], report["metadata"]) == (None, {})


def test_partition_status_comes_as_ranges(client, instance):
    for day in ("2024-01-01", "2024-01-02", "2024-01-05", "2024-01-08"):
        hw.materialize([daily_snow], instance=instance, partition_key=day,
                       raise_on_error=False)
    status = client.get("/api/v1/assets/daily_snow/partitions").json()
    assert status["total"] == 10
    assert status["counts"] == {"MATERIALIZED": 3, "MISSING": 6, "FAILED": 1}
    assert [(r["start"], r["end"], r["status"]) for r in status["ranges"]] == [
        ("2024-01-01", "2024-01-02", "MATERIALIZED"), ("2024-01-03", "2024-01-04", "MISSING"),
        ("2024-01-05", "2024-01-05", "FAILED"), ("2024-01-06", "2024-01-07", "MISSING"),
        ("2024-01-08", "2024-01-08", "MATERIALIZED"), ("2024-01-09", "2024-01-10", "MISSING")]
    assert status["statuses"] == "MM--F--M--" and not status["ranges_truncated"]
    capped = client.get("/api/v1/assets/daily_snow/partitions?max_ranges=2").json()
    assert len(capped["ranges"]) == 2 and capped["ranges_truncated"]
    assert capped["statuses"] == status["statuses"]


def test_partition_keys_come_newest_first_with_their_status_searched_and_paged(client,
                                                                             instance):
    for day in ("2024-01-09", "2024-01-05"):
        hw.materialize([daily_snow], instance=instance, partition_key=day,
                       raise_on_error=False)
    page = client.get("/api/v1/assets/daily_snow/partition_keys", params={"limit": 3}).json()
    assert [(p["key"], p["index"], p["status"]) for p in page["items"]] == [
        ("2024-01-10", 9, "-"), ("2024-01-09", 8, "M"), ("2024-01-08", 7, "-")]
    assert page["total"] == 10 and page["next_cursor"] == 3
    rest = client.get("/api/v1/assets/daily_snow/partition_keys",
                      params={"limit": 1000, "cursor": 3}).json()
    assert len(rest["items"]) == 7 and rest["next_cursor"] is None
    assert [p["status"] for p in rest["items"] if p["key"] == "2024-01-05"] == ["F"]
    oldest = client.get("/api/v1/assets/daily_snow/partition_keys",
                        params={"newest_first": "false", "limit": 1}).json()
    assert [p["key"] for p in oldest["items"]] == ["2024-01-01"]
    found = client.get("/api/v1/assets/daily_snow/partition_keys",
                       params={"search": "01-0"}).json()
    assert found["total"] == 9 and found["items"][0]["key"] == "2024-01-09"
    none = client.get("/api/v1/assets/daily_snow/partition_keys",
                      params={"search": "1999"}).json()
    assert none == {"items": [], "next_cursor": None, "total": 0}


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/assets/nope", 404),
    ("/api/v1/assets/nope/materializations", 404),
    ("/api/v1/assets/snow_depth/partitions", 422),
    ("/api/v1/assets/snow_depth/partition_keys", 422),
    ("/api/v1/assets/nope/partition_keys", 404),
    ("/api/v1/assets/daily_snow/partition_keys?limit=0", 422),
    ("/api/v1/assets/daily_snow/partition_keys?cursor=-1", 422),
    ("/api/v1/assets?limit=0", 422),
    ("/api/v1/assets/snow_depth/materializations?limit=x", 422),
])
def test_bad_asset_requests_are_4xx(client, url, status):
    answer = client.get(url)
    assert answer.status_code == status and answer.json()["error"]["message"]
