"""The daily-partitioned season assets: one day, a range of days in one run, season totals."""

import duckdb
import headwater as dg

from resort_snow.assets import RESORTS
from resort_snow.history import daily_best_resort, daily_snow_report, season_totals
from resort_snow.io_manager import DuckDBIOManager
from resort_snow.resources import LocalConditionsResource

RANGE = {
    "dagster/asset_partition_range_start": "2025-01-01",
    "dagster/asset_partition_range_end": "2025-01-03",
}


def resources(database):
    return {
        "conditions": LocalConditionsResource(),
        "io_manager": DuckDBIOManager(database=database),
    }


def rows(database, sql):
    with duckdb.connect(database, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_one_day_then_a_range(tmp_path):
    database = str(tmp_path / "season.duckdb")
    instance = dg.DagsterInstance.ephemeral()
    one = dg.materialize(
        [daily_snow_report, daily_best_resort],
        partition_key="2025-01-02",
        resources=resources(database),
        instance=instance,
    )
    assert one.success
    assert rows(database, "SELECT count(*) FROM main.daily_snow_report") == [(len(RESORTS),)]

    # A range in one run replaces 2025-01-02 and adds the two days around it.
    ranged = dg.materialize(
        [daily_snow_report, daily_best_resort],
        tags=RANGE,
        resources=resources(database),
        instance=instance,
    )
    assert ranged.success
    assert rows(database, "SELECT count(*) FROM main.daily_snow_report") == [(3 * len(RESORTS),)]
    assert rows(database, "SELECT date FROM main.daily_best_resort ORDER BY date") == [
        ("2025-01-01",),
        ("2025-01-02",),
        ("2025-01-03",),
    ]
    assert instance.get_materialized_partitions(dg.AssetKey("daily_best_resort")) == {
        "2025-01-01",
        "2025-01-02",
        "2025-01-03",
    }


def test_best_resort_of_a_day(tmp_path):
    day = "2025-02-14"
    reports = [LocalConditionsResource().get_conditions_on(r, day) for r in RESORTS]
    expected = max(reports, key=lambda r: (r["new_snow_24h_cm"], r["snow_depth_cm"]))["resort"]
    database = str(tmp_path / "season.duckdb")
    dg.materialize(
        [daily_snow_report, daily_best_resort],
        partition_key=day,
        resources=resources(database),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert rows(database, "SELECT resort FROM main.daily_best_resort") == [(expected,)]


def test_season_totals_read_every_stored_day(tmp_path):
    database = str(tmp_path / "season.duckdb")
    instance = dg.DagsterInstance.ephemeral()
    dg.materialize(
        [daily_snow_report], tags=RANGE, resources=resources(database), instance=instance
    )
    result = dg.materialize(
        [daily_snow_report.to_source_asset(), season_totals],
        resources=resources(database),
        instance=instance,
    )
    totals = result.output_for_node("season_totals")
    assert sorted(totals["resort"]) == sorted(RESORTS)
    assert set(totals["days"]) == {3}
