"""An asset's checks in the API: each check of the snapshot with its latest evaluation
(passed, failed, warned; severity, metadata, run, partition), and one check's history in
cursor pages."""

from __future__ import annotations

import pytest

import headwater as hw
from headwater.locations.in_process import InProcessLocation

from .conftest import make_client

# What the checks report, set by each test before it materializes.
STATE = {"rows": 3, "fresh": True}
letters = hw.StaticPartitionsDefinition(["a", "b"])


@hw.asset
def orders():
    return STATE["rows"]


@hw.asset_check(asset=orders, description="orders are never empty")
def has_rows(orders):
    return hw.AssetCheckResult(passed=orders > 0, metadata={"rows": orders})


@hw.asset_check(asset=orders)
def is_fresh():
    return hw.AssetCheckResult(passed=STATE["fresh"], severity=hw.AssetCheckSeverity.WARN)


@hw.asset
def unchecked():
    return 1


@hw.asset(partitions_def=letters)
def lettered(context):
    return context.partition_key


@hw.asset_check(asset=lettered)
def lettered_ok():
    return hw.AssetCheckResult(passed=True)


DEFS = hw.Definitions(assets=[orders, unchecked, lettered],
                      asset_checks=[has_rows, is_fresh, lettered_ok])


@pytest.fixture
def client(instance):
    STATE.update(rows=3, fresh=True)
    location = InProcessLocation("checked", lambda: DEFS, instance)
    with make_client(instance, [location]) as c:
        yield c


def run(instance, rows: int, fresh: bool) -> str:
    STATE.update(rows=rows, fresh=fresh)
    return hw.materialize([orders, has_rows, is_fresh], instance=instance,
                          raise_on_error=False).run_id


def test_each_check_comes_with_its_latest_evaluation(client, instance):
    assert client.get("/api/v1/assets/orders/checks").json()["items"] == [
        {"name": "has_rows", "description": "orders are never empty", "latest": None},
        {"name": "is_fresh", "description": None, "latest": None}]
    run(instance, 3, True)
    last = run(instance, 0, False)
    items = {c["name"]: c["latest"] for c in
             client.get("/api/v1/assets/orders/checks").json()["items"]}
    rows, fresh = items["has_rows"], items["is_fresh"]
    assert (rows["outcome"], rows["passed"], rows["severity"]) == ("FAILED", False, "ERROR")
    assert rows["metadata"] == {"rows": ["int", 0]} and rows["run_id"] == last
    assert rows["partition"] is None and rows["timestamp"] > 0
    assert (fresh["outcome"], fresh["severity"]) == ("WARNED", "WARN")
    assert client.get("/api/v1/assets/unchecked/checks").json() == {"items": []}


def test_a_checks_history_comes_newest_first_in_pages(client, instance):
    runs = [run(instance, rows, True) for rows in (1, 0, 2)]
    path = "/api/v1/assets/orders/checks/has_rows/evaluations"
    first = client.get(path, params={"limit": 2}).json()
    assert [e["run_id"] for e in first["items"]] == runs[:0:-1]
    assert [e["outcome"] for e in first["items"]] == ["PASSED", "FAILED"]
    rest = client.get(path, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [e["run_id"] for e in rest["items"]] == [runs[0]] and rest["next_cursor"] is None


def test_an_evaluation_names_its_runs_partition(client, instance):
    hw.materialize([lettered, lettered_ok], instance=instance, partition_key="b")
    [check] = client.get("/api/v1/assets/lettered/checks").json()["items"]
    assert check["latest"]["partition"] == "b" and check["latest"]["outcome"] == "PASSED"


@pytest.mark.parametrize("path, status", [
    ("/api/v1/assets/nope/checks", 404),
    ("/api/v1/assets/orders/checks/nope/evaluations", 404),
    ("/api/v1/assets/orders/checks/has_rows/evaluations?cursor=x", 422),
    ("/api/v1/assets/orders/checks/has_rows/evaluations?cursor=99999999999999999999999", 422),
    ("/api/v1/assets/orders/checks/has_rows/evaluations?limit=0", 422),
])
def test_unknown_checks_and_bad_cursors_are_4xx(client, path, status):
    answer = client.get(path)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["message"]
