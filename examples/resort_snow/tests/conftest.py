"""Shared fixtures for the resort_snow tests.

The example imports `headwater as dg`. With DG_IMPL=dagster the very same code runs on real
Dagster: `headwater` is aliased to `dagster` before anything imports it.
"""

import importlib
import os
import sys

if os.environ.get("DG_IMPL") == "dagster":
    sys.modules["headwater"] = importlib.import_module("dagster")

import pytest  # noqa: E402

from resort_snow.resources import ResortConditionsResource  # noqa: E402

# Hand-picked conditions: zermatt has the most new snow, niseko the deepest base.
FAKE_REPORTS = {
    "whistler": (180, 10, -6.5, 30, 37),
    "zermatt": (150, 40, -12.0, 40, 52),
    "chamonix": (120, 5, -3.0, 10, 14),
    "niseko": (310, 25, -9.0, 20, 24),
    "st_anton": (200, 0, -4.5, 80, 88),
    "jackson_hole": (95, 15, -15.0, 10, 13),
}


class FakeConditions(ResortConditionsResource):
    """A test double: fixed reports, optionally with one broken depth."""

    negative_depth_resort: str = ""

    def get_conditions(self, resort: str) -> dict:
        depth, new, temp, lifts_open, lifts_total = FAKE_REPORTS[resort]
        if resort == self.negative_depth_resort:
            depth = -depth
        return {
            "resort": resort,
            "date": "2025-02-01",
            "snow_depth_cm": depth,
            "new_snow_24h_cm": new,
            "temperature_c": temp,
            "lifts_open": lifts_open,
            "lifts_total": lifts_total,
        }


@pytest.fixture
def fake_conditions() -> FakeConditions:
    return FakeConditions()


@pytest.fixture
def broken_conditions() -> FakeConditions:
    """Reports a negative snow depth for niseko."""
    return FakeConditions(negative_depth_resort="niseko")
