"""A snapshot carries each asset's code version and definition metadata (as the event log
encodes metadata), and never fails over a metadata value it does not know."""

from __future__ import annotations

import json

import headwater as dg
from headwater.locations import LocationSnapshot
from headwater.locations.in_process import InProcessLocation


class Opaque:
    def __repr__(self) -> str:
        return "Opaque()"


@dg.asset(code_version="v2", metadata={
    "note": "exported nightly", "rows": 3, "docs": dg.MetadataValue.url("https://example.com"),
    "odd": Opaque()})
def described() -> int:
    return 1


@dg.asset
def plain() -> int:
    return 1


def test_code_version_and_metadata_in_the_snapshot():
    snap = InProcessLocation.from_definitions("here", dg.Definitions(assets=[described, plain]),
                                              None).snapshot()
    assets = {a.key: a for a in snap.assets}
    assert assets[("described",)].code_version == "v2"
    assert json.loads(assets[("described",)].metadata_json) == {
        "note": ["text", "exported nightly"], "rows": ["int", 3],
        "docs": ["url", "https://example.com"], "odd": ["text", "Opaque()"]}
    assert assets[("plain",)].code_version is None
    assert assets[("plain",)].metadata_json is None
    assert LocationSnapshot.from_json(snap.to_json()) == snap


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="counted",
                                         description="the count is positive")])
def counted():
    yield dg.Output(1)
    yield dg.AssetCheckResult(check_name="positive", passed=True)


@dg.asset_check(asset=counted, description="the count is small")
def small(counted):
    return dg.AssetCheckResult(passed=counted < 10)


@dg.asset_check(asset=counted)
def undescribed(counted):
    return dg.AssetCheckResult(passed=True)


def test_check_descriptions_in_the_snapshot_and_older_snapshots_still_load():
    defs = dg.Definitions(assets=[counted], asset_checks=[small, undescribed])
    snap = InProcessLocation.from_definitions("here", defs, None).snapshot()
    [asset] = snap.assets
    assert asset.check_names == ("positive", "small", "undescribed")
    assert asset.check_descriptions == (("positive", "the count is positive"),
                                        ("small", "the count is small"))
    assert LocationSnapshot.from_json(snap.to_json()) == snap
    older = snap.to_json()
    del older["assets"][0]["check_descriptions"]
    assert LocationSnapshot.from_json(older).assets[0].check_descriptions == ()
