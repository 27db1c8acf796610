import io
import json
from unittest import mock

from resort_snow.resources import HttpConditionsResource, LocalConditionsResource

EXPECTED_KEYS = {
    "resort",
    "date",
    "snow_depth_cm",
    "new_snow_24h_cm",
    "temperature_c",
    "lifts_open",
    "lifts_total",
}


def test_local_conditions_are_deterministic_and_plausible():
    local = LocalConditionsResource()
    report = local.get_conditions("zermatt")

    assert report == LocalConditionsResource().get_conditions("zermatt")
    assert report != local.get_conditions("whistler")
    assert set(report) == EXPECTED_KEYS
    assert report["date"] == "2025-01-15"
    assert 40 <= report["snow_depth_cm"] <= 320
    assert 0 <= report["lifts_open"] <= report["lifts_total"]


def test_local_conditions_change_with_the_date():
    first = LocalConditionsResource(date="2025-01-15").get_conditions("niseko")
    second = LocalConditionsResource(date="2025-01-16").get_conditions("niseko")
    assert first["date"] != second["date"]
    assert first != second


def test_http_conditions_calls_the_api_with_the_key():
    body = {"date": "2025-02-01", "snow_depth_cm": 150, "new_snow_24h_cm": 12}
    with mock.patch("urllib.request.urlopen") as urlopen:
        urlopen.return_value.__enter__.return_value = io.BytesIO(json.dumps(body).encode())
        api = HttpConditionsResource(base_url="https://snow.example/api/", api_key="secret")
        report = api.get_conditions("st anton")

    request = urlopen.call_args.args[0]
    assert request.full_url == "https://snow.example/api/resorts/st%20anton/conditions"
    assert request.get_header("Authorization") == "Bearer secret"
    assert report == {"resort": "st anton", **body}
