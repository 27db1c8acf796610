"""The OpenAPI document: every endpoint, its parameters and schemas resolvable, served as
JSON; the UI's routes fall back to the UI's page."""

from __future__ import annotations

import re


def test_every_endpoint_is_documented_with_resolvable_schemas(client):
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    paths = doc["paths"]
    for path in ("/api/v1/runs", "/api/v1/runs/{run_id}", "/api/v1/runs/{run_id}/events",
                 "/api/v1/runs/{run_id}/events/stream", "/api/v1/runs/{run_id}/cancel",
                 "/api/v1/code_locations", "/api/v1/code_locations/{name}/reload"):
        assert path in paths
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', client.get(
        "/api/openapi.json").text))
    assert refs and refs <= set(doc["components"]["schemas"])
    list_runs = paths["/api/v1/runs"]["get"]
    params = {p["name"]: p for p in list_runs["parameters"]}
    assert params["limit"]["schema"]["maximum"] == 1000
    assert params["status"]["explode"] is True
    assert len({op["operationId"] for item in paths.values() for op in item.values()}) == sum(
        len(item) for item in paths.values())


def test_ui_routes_get_the_ui_page_and_api_routes_json(client):
    page = client.get("/runs/some-run")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert client.get("/api/v1/unknown").headers["content-type"] == "application/json"
