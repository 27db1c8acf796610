"""Assets: one raw table per resort, a cleaned table of all of them, and a ranked summary."""

import headwater as dg
import pandas as pd

from .resources import ResortConditionsResource

RESORTS = ["whistler", "zermatt", "chamonix", "niseko", "st_anton", "jackson_hole"]

COLUMNS = [
    "resort",
    "date",
    "snow_depth_cm",
    "new_snow_24h_cm",
    "temperature_c",
    "lifts_open",
    "lifts_total",
]


def build_resort_asset(resort: str) -> dg.AssetsDefinition:
    """Asset factory: today's raw conditions for one resort, stored as raw.<resort>."""

    @dg.asset(
        key=["raw", resort],
        group_name="raw",
        description=f"Today's snow report for {resort}, as returned by the conditions source.",
    )
    def raw_conditions(
        context: dg.AssetExecutionContext, conditions: ResortConditionsResource
    ) -> pd.DataFrame:
        record = conditions.get_conditions(resort)
        context.log.info(f"{resort}: {record['snow_depth_cm']} cm base")
        return pd.DataFrame([record])

    return raw_conditions


resort_assets = [build_resort_asset(resort) for resort in RESORTS]


@dg.asset(
    ins={resort: dg.AssetIn(key=["raw", resort]) for resort in RESORTS},
    group_name="conditions",
)
def cleaned_conditions(**raw: pd.DataFrame) -> pd.DataFrame:
    """All resorts in one table: typed columns, missing reports dropped, lift share added."""
    df = pd.concat([frame.reindex(columns=COLUMNS) for frame in raw.values()], ignore_index=True)
    numeric = COLUMNS[2:]
    df[numeric] = df[numeric].apply(pd.to_numeric, errors="coerce")
    df = df.dropna(subset=["snow_depth_cm", "lifts_total"]).drop_duplicates("resort")
    df["date"] = pd.to_datetime(df["date"]).dt.date.astype(str)
    df["lifts_open_pct"] = (100 * df["lifts_open"] / df["lifts_total"]).round(1)
    return df.sort_values("resort").reset_index(drop=True)


@dg.asset_check(asset=cleaned_conditions, description="Snow depth is never negative.")
def no_negative_snow_depth(cleaned_conditions: pd.DataFrame) -> dg.AssetCheckResult:
    negative = cleaned_conditions[cleaned_conditions["snow_depth_cm"] < 0]
    return dg.AssetCheckResult(
        passed=negative.empty,
        metadata={"negative_rows": len(negative), "resorts": ", ".join(negative["resort"])},
    )


@dg.asset(group_name="conditions")
def snow_summary(cleaned_conditions: pd.DataFrame) -> dg.Output[pd.DataFrame]:
    """Resorts ranked by fresh snow, then base depth; the best one and averages as metadata."""
    summary = (
        cleaned_conditions[
            ["resort", "new_snow_24h_cm", "snow_depth_cm", "temperature_c", "lifts_open_pct"]
        ]
        .sort_values(["new_snow_24h_cm", "snow_depth_cm"], ascending=False)
        .reset_index(drop=True)
    )
    summary.insert(0, "rank", range(1, len(summary) + 1))
    return dg.Output(
        summary,
        metadata={
            "best_resort": str(summary["resort"].iloc[0]),
            "avg_snow_depth_cm": round(float(summary["snow_depth_cm"].mean()), 1),
            "avg_new_snow_24h_cm": round(float(summary["new_snow_24h_cm"].mean()), 1),
            "preview": dg.MetadataValue.md(_markdown_table(summary)),
        },
    )


def _markdown_table(df: pd.DataFrame) -> str:
    rows = [list(df.columns), ["---"] * len(df.columns), *df.astype(str).values.tolist()]
    return "\n".join("| " + " | ".join(map(str, row)) + " |" for row in rows)
