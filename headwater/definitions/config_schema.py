"""Dagster's shorthand config schemas (``config_schema={"n": int, "names": [str]}``), checked
against a config value, every bad path reported.

A schema is a Python scalar type (``int``, ``float``, ``str``, ``bool``), a dict of field
schemas (every field required, no other keys), a one-element list (a list of that), or
``None``/``Any``/``dict`` (anything goes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_SCALARS = {int: "Int", float: "Float", str: "String", bool: "Bool"}


def _scalar_ok(schema: type, value: Any) -> bool:
    if schema is bool:
        return isinstance(value, bool)
    if schema is float:  # an int is a fine Float in config
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if schema is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, schema)


def _example(schema: Any) -> Any:
    if isinstance(schema, Mapping):
        return {k: _example(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_example(schema[0])] if schema else []
    return {int: 0, float: 0.0, str: "...", bool: False}.get(schema, "...")


def validate_config(schema: Any, value: Any, path: str) -> list[str]:
    """Every way ``value`` does not match ``schema``, one line per bad path."""
    if schema is None or schema is Any or schema is dict or schema is object:
        return []
    if isinstance(schema, type) and schema in _SCALARS:
        if value is None:
            return [f"{path}: missing required config value; expected {_SCALARS[schema]}, e.g. "
                    f"{_example(schema)!r}"]
        if not _scalar_ok(schema, value):
            return [f"{path}: {value!r} ({type(value).__name__}) is not a valid "
                    f"{_SCALARS[schema]}"]
        return []
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        inner = schema[0] if schema else None
        return [e for i, item in enumerate(value) for e in validate_config(inner, item, f"{path}[{i}]")]
    if isinstance(schema, Mapping):
        if value is None:
            return [f"{path}: missing required config; expected e.g. {_example(schema)!r}"]
        if not isinstance(value, Mapping):
            return [f"{path}: expected a dict with keys {sorted(schema)}, got "
                    f"{type(value).__name__}"]
        errors = [f"{path}.{k}: unexpected config entry; expected keys are {sorted(schema)}"
                  for k in value if k not in schema]
        for k, sub in schema.items():
            errors += validate_config(sub, value.get(k), f"{path}.{k}")
        return errors
    return []  # a schema form this checker does not know: accepted as is
