"""Code-reference metadata survives the JSON form snapshots and events use."""

from headwater.definitions.code_references import (
    CodeReferencesMetadataValue,
    LocalFileCodeReference,
    UrlCodeReference,
)
from headwater.definitions.metadata import metadata_from_json, metadata_to_json


def test_code_references_round_trip_through_json():
    value = CodeReferencesMetadataValue(code_references=[
        LocalFileCodeReference(file_path="/p/a.py", line_number=4),
        UrlCodeReference(url="https://github.com/o/r/tree/main/a.py#L4", label="source"),
    ])
    back = metadata_from_json(metadata_to_json({"dagster/code_references": value}))
    assert back == {"dagster/code_references": value}
    assert repr(back["dagster/code_references"]).startswith("CodeReferencesMetadataValue(")
