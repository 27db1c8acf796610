"""A job's config schema in its snapshot (what the launchpad and the web read) for the legacy
schema types: defaults, descriptions, optional fields, selectors, environment sources."""

from __future__ import annotations

import json

import headwater as hw
from headwater.locations.job_info import job_config_schema, scaffold


@hw.op(config_schema={
    "rows": hw.Field(int, default_value=10, description="how many rows"),
    "mode": hw.Selector({"full": {}, "since": str}),
    "tag": hw.Noneable(str),
    "host": hw.StringSource,
    "names": hw.Array(str),
    "level": hw.Enum("Level", [hw.EnumValue("LOW"), hw.EnumValue("HIGH")]),
    "extra": hw.Permissive({"k": hw.Field(int, is_required=False)}),
})
def extract(context):
    return context.op_config


@hw.op(config_schema=hw.Field(int, default_value=3))
def count(context):
    return context.op_config


@hw.job
def etl():
    extract()
    count()


def _ops(schema):
    return schema["fields"]["ops"]["type"]["fields"]


def test_legacy_schema_nodes():
    schema = job_config_schema(etl)
    json.dumps(schema)  # plain JSON
    config = _ops(schema)["extract"]["type"]["fields"]["config"]["type"]
    fields = config["fields"]
    assert fields["rows"] == {"type": {"kind": "int"}, "required": False, "default": 10,
                              "description": "how many rows"}
    assert fields["mode"]["type"]["selector"] is True and fields["mode"]["required"] is True
    assert fields["tag"] == {"type": {"kind": "optional", "of": {"kind": "string"}},
                             "required": False}
    assert fields["host"]["type"] == {"kind": "string"} and fields["host"]["required"]
    assert fields["names"]["type"] == {"kind": "list", "of": {"kind": "string"}}
    assert fields["level"]["type"] == {"kind": "enum", "values": ["LOW", "HIGH"]}
    assert fields["extra"]["type"]["permissive"] is True and not fields["extra"]["required"]


def test_a_whole_config_with_a_default_is_optional():
    entry = _ops(job_config_schema(etl))["count"]
    assert entry["required"] is False
    assert entry["type"]["fields"]["config"]["type"] == {"kind": "optional", "of": {"kind": "int"}}
    assert "ops" in scaffold(job_config_schema(etl))
