"""The code location: `headwater` (or `dagster`) loads `defs` from this module."""

import os
from pathlib import Path

import headwater as dg

from .assets import cleaned_conditions, no_negative_snow_depth, resort_assets, snow_summary
from .automation import conditions_job, incoming_reports, morning_conditions
from .history import daily_best_resort, daily_snow_report, season_totals
from .io_manager import DuckDBIOManager
from .resources import HttpConditionsResource, LocalConditionsResource, ResortConditionsResource


def conditions_resource() -> ResortConditionsResource:
    """The HTTP API when RESORT_API_URL is set, otherwise deterministic local data."""
    if os.getenv("RESORT_API_URL"):
        return HttpConditionsResource(
            base_url=dg.EnvVar("RESORT_API_URL"),
            api_key=dg.EnvVar("RESORT_API_KEY") if os.getenv("RESORT_API_KEY") else None,
        )
    return LocalConditionsResource()


def database_path() -> str:
    """resort_snow.duckdb under HEADWATER_HOME (or DAGSTER_HOME), else in the working directory."""
    home = os.getenv("HEADWATER_HOME") or os.getenv("DAGSTER_HOME") or "."
    return str(Path(home) / "resort_snow.duckdb")


defs = dg.Definitions(
    assets=[
        *resort_assets,
        cleaned_conditions,
        snow_summary,
        daily_snow_report,
        daily_best_resort,
        season_totals,
    ],
    asset_checks=[no_negative_snow_depth],
    jobs=[conditions_job],
    schedules=[morning_conditions],
    sensors=[incoming_reports],
    resources={
        "conditions": conditions_resource(),
        "io_manager": DuckDBIOManager(database=database_path()),
    },
)
