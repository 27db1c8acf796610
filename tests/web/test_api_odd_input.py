"""No input is answered with a 5xx: assorted odd bodies, queries and path values against the
schedules, sensors, backfills, launches, re-execution and concurrency endpoints (until the
schemathesis run covers every endpoint in CI)."""

from __future__ import annotations

import itertools

import pytest

from .conftest import make_client
from .test_api_backfills import BF_DEFS

ODD_VALUES = [None, 0, -1, 10**30, 1.5, "", " ", "x" * 3000, "../..", "\u0000",
              "2024-01-01", "a...b", "...", [], [[]], [[""]], [["a", None]], {}, {"a": {}},
              True, ["readings"], [["readings"]], "*", "(((", "group:", "RUNNING"]
BODY_FIELDS = {
    "/api/v1/launches": ["location", "job_name", "asset_selection", "op_selection",
                         "partition_key", "run_config", "tags"],
    "/api/v1/backfills": ["location", "job_name", "asset_selection", "partition_keys",
                          "partition_range", "all_partitions", "policy", "title", "tags"],
    "/api/v1/concurrency/pools/p": ["limit"],
    "/api/v1/runs/r1/reexecute": ["strategy", "step_keys", "location", "tags"],
}
BODYLESS = ["/api/v1/backfills/b1/cancel", "/api/v1/schedules/bf/x/start",
            "/api/v1/sensors/bf/x/stop"]
READS = ["/api/v1/schedules", "/api/v1/sensors", "/api/v1/backfills",
         "/api/v1/concurrency/pools", "/api/v1/schedules/bf/x/ticks",
         "/api/v1/sensors/bf/x/ticks", "/api/v1/backfills/b1"]
QUERY_NAMES = ["status", "cursor", "limit", "location", "x"]
QUERY_VALUES = ["", "0", "-5", "1e9", "nan", "RUNNING", "a:b", "1:2", "inf:3", "%00", ",,,"]


@pytest.fixture
def api(instance):
    from headwater.locations.in_process import InProcessLocation

    location = InProcessLocation("bf", lambda: BF_DEFS, instance)
    with make_client(instance, [location]) as client:
        yield client


def test_odd_bodies_are_never_a_server_error(api):
    for path, fields in BODY_FIELDS.items():
        for field, value in itertools.product(fields, ODD_VALUES):
            for body in ({field: value},
                         {"location": "bf", "asset_selection": "readings",
                          "partition_keys": ["2024-01-01"], field: value}):
                answer = api.post(path, json=body)
                assert answer.status_code < 500, (path, body, answer.text)
    for path in [*BODY_FIELDS, *BODYLESS]:
        for raw in (b"", b"[]", b"null", b"\xff\xfe", b'"text"', b"{" * 50, b'{"a": 1}'):
            answer = api.post(path, content=raw)
            assert answer.status_code < 500, (path, raw, answer.text)


def test_odd_queries_are_never_a_server_error(api):
    for path in READS:
        for name, value in itertools.product(QUERY_NAMES, QUERY_VALUES):
            answer = api.get(path, params={name: value})
            assert answer.status_code < 500, (path, name, value, answer.text)


def test_the_new_endpoints_are_in_the_openapi_document(api):
    paths = api.get("/api/openapi.json").json()["paths"]
    expected = {
        "/api/v1/schedules": "get", "/api/v1/sensors": "get",
        "/api/v1/schedules/{location}/{name}/ticks": "get",
        "/api/v1/sensors/{location}/{name}/start": "post",
        "/api/v1/schedules/{location}/{name}/stop": "post",
        "/api/v1/backfills": "post", "/api/v1/backfills/{backfill_id}": "get",
        "/api/v1/backfills/{backfill_id}/cancel": "post", "/api/v1/launches": "post",
        "/api/v1/runs/{run_id}/reexecute": "post", "/api/v1/concurrency/pools": "get",
        "/api/v1/concurrency/pools/{key}": "post"}
    for path, method in expected.items():
        assert method in paths[path], path
    launch = paths["/api/v1/launches"]["post"]
    assert "201" in launch["responses"]
    assert launch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/LaunchBody")
