from unittest import mock

import headwater as dg
import pandas as pd

from resort_snow.assets import (
    RESORTS,
    build_resort_asset,
    cleaned_conditions,
    no_negative_snow_depth,
    snow_summary,
)
from resort_snow.resources import ResortConditionsResource


def raw_frames(conditions: ResortConditionsResource) -> dict[str, pd.DataFrame]:
    return {resort: pd.DataFrame([conditions.get_conditions(resort)]) for resort in RESORTS}


def test_factory_builds_one_raw_asset_per_resort():
    asset = build_resort_asset("zermatt")
    assert asset.key == dg.AssetKey(["raw", "zermatt"])
    assert asset.group_names_by_key[asset.key] == "raw"


def test_raw_asset_uses_the_conditions_resource(fake_conditions):
    asset = build_resort_asset("niseko")
    df = asset(dg.build_asset_context(), conditions=fake_conditions)
    assert df.to_dict("records") == [fake_conditions.get_conditions("niseko")]


def test_raw_asset_with_a_mocked_source(fake_conditions):
    report = fake_conditions.get_conditions("whistler")
    with mock.patch.object(
        type(fake_conditions), "get_conditions", return_value=report
    ) as get_conditions:
        asset = build_resort_asset("whistler")
        context = dg.build_asset_context(resources={"conditions": fake_conditions})
        df = asset(context)
    get_conditions.assert_called_once_with("whistler")
    assert df["snow_depth_cm"].tolist() == [180]


def test_cleaned_conditions_combines_and_types_all_resorts(fake_conditions):
    raw = raw_frames(fake_conditions)
    raw["chamonix"]["snow_depth_cm"] = "120"  # a string from a sloppy API still parses
    df = cleaned_conditions(**raw)

    assert len(df) == len(RESORTS)
    assert sorted(df["resort"]) == sorted(RESORTS)
    assert pd.api.types.is_numeric_dtype(df["snow_depth_cm"])
    assert df.set_index("resort").loc["niseko", "lifts_open_pct"] == round(100 * 20 / 24, 1)


def test_cleaned_conditions_drops_reports_without_depth(fake_conditions):
    raw = raw_frames(fake_conditions)
    raw["whistler"]["snow_depth_cm"] = None
    assert "whistler" not in set(cleaned_conditions(**raw)["resort"])


def test_snow_summary_ranks_by_new_snow(fake_conditions):
    cleaned = cleaned_conditions(**raw_frames(fake_conditions))
    output = snow_summary(cleaned)

    assert output.value["resort"].tolist()[:2] == ["zermatt", "niseko"]
    assert output.value["rank"].tolist() == list(range(1, len(RESORTS) + 1))
    assert output.metadata["best_resort"].value == "zermatt"
    assert output.metadata["avg_new_snow_24h_cm"].value == round((10 + 40 + 5 + 25 + 0 + 15) / 6, 1)
    assert "| rank | resort |" in output.metadata["preview"].value


def test_check_flags_negative_depth(fake_conditions):
    cleaned = cleaned_conditions(**raw_frames(fake_conditions))
    assert no_negative_snow_depth(cleaned).passed

    cleaned.loc[cleaned["resort"] == "chamonix", "snow_depth_cm"] = -5
    result = no_negative_snow_depth(cleaned)
    assert not result.passed
    assert result.metadata["negative_rows"].value == 1
