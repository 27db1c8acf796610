"""The legacy config schema's nodes: processing, defaults, and schemas refused when written."""

from __future__ import annotations

import pytest

from headwater.definitions.config import Config
from headwater.definitions.config_types import (
    Array,
    Field,
    Map,
    Permissive,
    Selector,
    Shape,
    StringSource,
    config_field,
    legacy_config_field,
    process_config,
)
from headwater.definitions.errors import InvalidConfigDefinitionError


def _process(schema, value):
    return process_config(config_field(schema), value, "ops.x.config")


def test_given_keys_keep_their_order_and_defaults_follow():
    value, errors = _process(Permissive({"a": int, "b": Field(int, default_value=2)}),
                             {"z": 1, "a": 0})
    assert errors == [] and list(value) == ["z", "a", "b"]


def test_every_bad_path_is_named():
    schema = {"m": Map(str, int), "xs": Array(int), "s": Selector({"a": int, "b": int})}
    _, errors = _process(schema, {"m": {"k": "v"}, "xs": [1, "2"], "s": {"a": 1, "b": 2}})
    assert sorted(e.split(":")[0] for e in errors) == [
        "ops.x.config.m['k']", "ops.x.config.s", "ops.x.config.xs[1]"]


def test_an_unset_variable_names_the_variable_not_a_value(monkeypatch):
    monkeypatch.delenv("HW_UNSET_VAR", raising=False)
    _, errors = _process({"s": StringSource}, {"s": {"env": "HW_UNSET_VAR"}})
    assert errors and "HW_UNSET_VAR" in errors[0]


def test_a_config_class_given_as_config_schema_is_left_to_pydantic():
    class C(Config):
        n: int = 1

    assert legacy_config_field(C) is None and legacy_config_field(None) is None


def test_a_bad_schema_names_where_it_is_wrong():
    with pytest.raises(InvalidConfigDefinitionError, match=":outer:inner"):
        Shape({"outer": {"inner": object()}})
    with pytest.raises(InvalidConfigDefinitionError):
        Map(Array(int), int)
