"""Validating a run's config for every step at once, before anything runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from headwater.definitions.errors import InvalidConfigError
from headwater.definitions.run_config import normalize_run_config
from headwater.execution.plan import ExecutionPlan


def resolve_op_configs(plan: ExecutionPlan, run_config: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (config value per step key, normalized run config); raise listing every bad path."""
    cfg = normalize_run_config(run_config)
    ops_cfg: Mapping[str, Any] = cfg.get("ops") or {}
    errors: list[str] = []
    known = {s.template_key.split(".")[0] for s in plan.steps}
    for name in ops_cfg:
        if name not in known:
            errors.append(f"ops.{name}: there is no asset or op named {name!r} in this run "
                          f"(steps: {sorted(known)[:20]})")
    values: dict[str, Any] = {}
    for step in plan.steps:
        op = step.op
        key = step.template_key
        entry = _entry(ops_cfg, key)
        raw = entry.get("config") if isinstance(entry, Mapping) else None
        if isinstance(entry, Mapping) and "config" not in entry and entry and not (
                set(entry) <= {"inputs", "ops", "outputs"}):
            errors.append(f"ops.{key}: expected {{'config': {{...}}}}, got keys {sorted(entry)}")
            continue
        cls = op.config_cls
        if cls is None:
            field = getattr(op, "config_field", None)
            if field is not None:  # a legacy schema: Field, Shape, {"n": int}, ...
                from headwater.definitions.config_types import process_config

                raw, bad = process_config(field, raw, f"ops.{key}.config")
                errors.extend(bad)
            if raw is not None:
                values[key] = raw
            continue
        # a config class exists, so pydantic and the config module are already loaded
        import pydantic

        from headwater.definitions.config import Config, coerce_config_input, pydantic_errors

        if isinstance(raw, Config):
            values[key] = raw
            continue
        raw, bad = coerce_config_input(cls, raw or {}, f"ops.{key}.config")
        errors.extend(bad)  # and go on: every bad path of this config is reported at once
        reported = tuple(line.split(":", 1)[0] for line in bad)
        try:
            values[key] = cls(**raw)
        except pydantic.ValidationError as e:
            errors.extend(line for line in pydantic_errors(e, f"ops.{key}.config")
                          if not line.split(":", 1)[0].startswith(reported or ("\0",)))
        except TypeError as e:
            errors.append(f"ops.{key}.config: {e}")
    if errors:
        raise InvalidConfigError(
            f"Run config has {len(errors)} error(s) (fix each path listed):", errors)
    return values, cfg


def _entry(ops_cfg: Mapping[str, Any], handle: str) -> Any:
    """Config of the op at ``outer.inner``: ``{"outer": {"ops": {"inner": {...}}}}``."""
    parts = handle.split(".")
    entry: Any = ops_cfg.get(parts[0])
    for part in parts[1:]:
        if not isinstance(entry, Mapping):
            return None
        entry = (entry.get("ops") or {}).get(part)
    return entry
