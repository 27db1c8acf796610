"""Numeric metadata over time (the asset page's plots) and a partitioned asset's partition
keys in pages (the backfill form's pickers)."""

from __future__ import annotations

import pytest

import headwater as hw
from headwater.locations.in_process import InProcessLocation

from .conftest import make_client

ROWS: list[object] = []
months = hw.MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2025-01-01")


@hw.asset
def loads(context):
    rows = ROWS.pop(0)
    metadata = {"note": "text is not plotted", "ok": True}
    if rows is not None:
        metadata["row_count"] = rows
    if isinstance(rows, int) and rows > 1:
        metadata["ratio"] = rows / 4
    context.add_output_metadata(metadata)
    return rows


@hw.asset(partitions_def=months)
def monthly(context):
    context.add_output_metadata({"row_count": int(context.partition_key[5:7])})
    return 1


DEFS = hw.Definitions(assets=[loads, monthly])


@pytest.fixture
def client(instance):
    location = InProcessLocation("metrics", lambda: DEFS, instance)
    with make_client(instance, [location]) as c:
        yield c


def materialize_rows(instance, *rows):
    ROWS[:] = list(rows)
    for _ in rows:
        hw.materialize([loads], instance=instance)


def test_each_numeric_entry_is_a_column_over_the_materializations_oldest_first(client,
                                                                               instance):
    materialize_rows(instance, 1, None, 8, float("nan"))
    out = client.get("/api/v1/assets/loads/metadata_series").json()
    assert out["total_shown"] == 4 and out["truncated"] is False
    assert out["timestamps"] == sorted(out["timestamps"]) and len(out["run_ids"]) == 4
    assert out["partitions"] == [None] * 4
    series = {s["key"]: s for s in out["series"]}
    assert sorted(series) == ["ratio", "row_count"]  # text, bools and NaN are not numbers
    assert series["row_count"]["values"] == [1, None, 8, None]
    assert series["row_count"]["kind"] == "int"  # its plotted values are all ints
    assert series["ratio"] == {"key": "ratio", "kind": "float",
                               "values": [None, None, 2.0, None]}


def test_the_series_is_capped_to_the_latest_materializations(client, instance):
    materialize_rows(instance, 1, 2, 3, 4, 5)
    out = client.get("/api/v1/assets/loads/metadata_series", params={"limit": 3}).json()
    assert out["truncated"] is True and out["total_shown"] == 3
    assert {s["key"]: s["values"] for s in out["series"]}["row_count"] == [3, 4, 5]


def test_a_partitioned_assets_series_names_partitions_and_filters_by_one(client, instance):
    for month in ("2024-03-01", "2024-05-01"):
        hw.materialize([monthly], instance=instance, partition_key=month)
    out = client.get("/api/v1/assets/monthly/metadata_series").json()
    assert out["partitions"] == ["2024-03-01", "2024-05-01"]
    assert out["series"][0]["values"] == [3, 5] and out["series"][0]["kind"] == "int"
    one = client.get("/api/v1/assets/monthly/metadata_series",
                     params={"partition": "2024-05-01"}).json()
    assert one["series"][0]["values"] == [5]


def test_partition_keys_come_in_order_in_pages(client):
    first = client.get("/api/v1/assets/monthly/partition_keys",
                       params={"limit": 5, "newest_first": "false"}).json()
    assert first["total"] == 12 and first["next_cursor"] == 5
    assert [p["key"] for p in first["items"]] == [f"2024-{m:02d}-01" for m in range(1, 6)]
    last = client.get("/api/v1/assets/monthly/partition_keys", params={"limit": 1}).json()
    assert [p["key"] for p in last["items"]] == ["2024-12-01"] and last["next_cursor"] == 1


@pytest.mark.parametrize("path, status", [
    ("/api/v1/assets/nope/metadata_series", 404),
    ("/api/v1/assets/loads/metadata_series?limit=0", 422),
    ("/api/v1/assets/loads/partition_keys", 422),
    ("/api/v1/assets/monthly/partition_keys?cursor=-1", 422),
    ("/api/v1/assets/monthly/partition_keys?cursor=%C2%B2", 422),
])
def test_bad_requests_are_4xx(client, path, status):
    answer = client.get(path)
    assert answer.status_code == status, answer.text
