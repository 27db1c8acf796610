"""Checking config against a legacy config schema (``config_schema={"n": int}``, ``Field``,
``Shape``...; the types are in ``config_types.py``): every bad path reported at once."""

from __future__ import annotations

from typing import Any

from headwater.definitions.config_types import Field, config_field, process_config

__all__ = ["apply_schema", "config_field", "process_config", "validate_config"]


def validate_config(schema: Any, value: Any, path: str) -> list[str]:
    """Every way ``value`` (``None``: not given) does not match ``schema``, one line per path."""
    field = schema if isinstance(schema, Field) or schema is None else config_field(schema)
    if field is None:
        return []
    return process_config(field, value, path)[1]


def apply_schema(field: Field | None, value: Any, path: str, what: str) -> Any:
    """``value`` as the code sees it (defaults filled in, environment variables read), or
    ``InvalidConfigError`` naming ``what`` (an op, a resource) and every bad path."""
    if field is None:
        return value
    result, errors = process_config(field, value, path)
    if errors:
        from headwater.definitions.errors import InvalidConfigError

        raise InvalidConfigError(f"Invalid config for {what} (fix each path listed):", errors)
    return result
