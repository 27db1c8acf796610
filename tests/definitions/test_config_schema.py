"""Dagster's shorthand config schemas: every bad path is reported."""

from __future__ import annotations

from headwater.definitions.config_schema import validate_config


def test_valid_values():
    schema = {"n": int, "rate": float, "names": [str], "opts": {"on": bool}}
    value = {"n": 1, "rate": 2, "names": ["a"], "opts": {"on": True}}
    assert validate_config(schema, value, "ops.x.config") == []
    assert validate_config(None, {"anything": 1}, "p") == []


def test_every_bad_path_is_reported():
    schema = {"n": int, "names": [str], "opts": {"on": bool}}
    value = {"n": "x", "names": ["a", 2], "opts": {}, "extra": 1}
    errors = validate_config(schema, value, "ops.x.config")
    paths = sorted(e.split(":")[0] for e in errors)
    assert paths == ["ops.x.config.extra", "ops.x.config.n", "ops.x.config.names[1]",
                     "ops.x.config.opts.on"]


def test_missing_config_is_one_error_with_an_example():
    (error,) = validate_config({"n": int}, None, "ops.x.config")
    assert error.startswith("ops.x.config: missing required config") and "{'n': 0}" in error


def test_bool_is_not_an_int():
    assert validate_config(int, True, "p") != []
