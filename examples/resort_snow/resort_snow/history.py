"""The season so far: one snow report per day (a daily-partitioned asset), the best resort of
each day, and season totals over every day.

Re-run one day when the source had a hiccup:
    headwater asset materialize --select daily_snow_report --partition 2025-01-07
Backfill the season after changing the logic:
    headwater backfill launch --select "group:season" --partitions 2024-12-01...2025-03-31
"""

import headwater as dg
import pandas as pd

from .assets import RESORTS
from .resources import ResortConditionsResource

season_days = dg.DailyPartitionsDefinition(start_date="2024-12-01", end_date="2025-04-01")


@dg.asset(
    partitions_def=season_days,
    group_name="season",
    metadata={"partition_expr": "date"},
)
def daily_snow_report(
    context: dg.AssetExecutionContext, conditions: ResortConditionsResource
) -> pd.DataFrame:
    """Every resort's snow report for the partition's day (or each day of a range)."""
    rows = [
        conditions.get_conditions_on(resort, day)
        for day in context.partition_keys
        for resort in RESORTS
    ]
    return pd.DataFrame(rows)


@dg.asset(
    partitions_def=season_days,
    group_name="season",
    metadata={"partition_expr": "date"},
)
def daily_best_resort(daily_snow_report: pd.DataFrame) -> pd.DataFrame:
    """The resort with the most new snow on each day (ties: the deeper base)."""
    ranked = daily_snow_report.sort_values(
        ["date", "new_snow_24h_cm", "snow_depth_cm"], ascending=[True, False, False]
    )
    best = ranked.groupby("date", as_index=False).first()
    return best[["date", "resort", "new_snow_24h_cm", "snow_depth_cm"]]


@dg.asset(group_name="season")
def season_totals(daily_snow_report: pd.DataFrame) -> pd.DataFrame:
    """New snow per resort over every day reported so far, most first."""
    totals = (
        daily_snow_report.groupby("resort", as_index=False)
        .agg(days=("date", "nunique"), new_snow_cm=("new_snow_24h_cm", "sum"))
        .sort_values("new_snow_cm", ascending=False)
        .reset_index(drop=True)
    )
    return totals
