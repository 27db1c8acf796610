"""Code locations in the API: status, the load error with the user's frames, reload."""

from __future__ import annotations

from headwater.locations.in_process import InProcessLocation

from .conftest import DEFS, make_client


def broken_loader():
    raise ImportError("no module named 'snowflake_helpers'")


def test_locations_are_listed_with_their_status_and_load_errors(instance, location):
    bad = InProcessLocation("broken_loc", broken_loader, instance, "file broken.py")
    with make_client(instance, [location, bad]) as client:
        items = {i["name"]: i for i in client.get("/api/v1/code_locations").json()["items"]}
    good = items["web_tests"]
    assert good["status"] == "LOADED" and good["error"] is None
    assert (good["asset_count"], good["job_count"]) == (3, 2)  # all_job, the implicit one
    failed = items["broken_loc"]
    assert failed["status"] == "FAILED" and failed["asset_count"] == 0
    assert "snowflake_helpers" in failed["error"]["message"]


def test_a_location_is_reloaded_on_request(instance):
    loads = []

    def loader():
        loads.append(1)
        return DEFS

    location = InProcessLocation("counting", loader, instance)
    with make_client(instance, [location]) as client:
        assert client.get("/api/v1/code_locations").json()["items"][0]["status"] == "LOADED"
        answer = client.post("/api/v1/code_locations/counting/reload")
        assert answer.status_code == 200 and answer.json()["status"] == "LOADED"
        assert len(loads) == 2
        missing = client.post("/api/v1/code_locations/nope/reload")
        assert missing.status_code == 404 and "nope" in missing.json()["error"]["message"]
