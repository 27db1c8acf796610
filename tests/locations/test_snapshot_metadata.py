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
