"""``RunConfig`` and the plain-dict form of run config. No pydantic needed to use them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from headwater.definitions.errors import InvalidConfigError


def _is_model(value: Any) -> bool:
    return hasattr(type(value), "model_fields") and hasattr(value, "model_dump")


class RunConfig:
    """Run config: per-op (or per-asset) config and per-resource config."""

    def __init__(self, ops: Mapping[str, Any] | None = None, resources: Mapping[str, Any] | None = None,
                 loggers: Mapping[str, Any] | None = None, execution: Mapping[str, Any] | None = None):
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})
        self.loggers = dict(loggers or {})
        self.execution = dict(execution or {})

    def to_config_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.ops:
            out["ops"] = {k: _config_entry(v) for k, v in self.ops.items()}
        if self.resources:
            out["resources"] = {k: _config_entry(v) for k, v in self.resources.items()}
        if self.loggers:
            out["loggers"] = self.loggers
        if self.execution:
            out["execution"] = self.execution
        return out

    def __repr__(self) -> str:
        return f"RunConfig(ops={self.ops!r}, resources={self.resources!r})"


def _config_entry(value: Any) -> Any:
    """An op's or resource's run config entry: a config object becomes ``{"config": ...}``."""
    if _is_model(value):
        return {"config": config_to_dict(value)}
    return value


def config_to_dict(value: Any) -> dict[str, Any]:
    """A config object as run config: unset optional fields dropped, enums by member name."""
    import enum

    def plain(v: Any) -> Any:
        if isinstance(v, enum.Enum):
            return v.name
        if _is_model(v):
            return config_to_dict(v)
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v

    return {k: plain(getattr(value, k)) for k in type(value).model_fields
            if getattr(value, k, None) is not None}


def normalize_run_config(run_config: Any) -> dict[str, Any]:
    """RunConfig or a plain dict -> the plain dict form ``{"ops": {name: {"config": ...}}}``."""
    if run_config is None:
        return {}
    if isinstance(run_config, RunConfig):
        return run_config.to_config_dict()
    if isinstance(run_config, Mapping):
        out = dict(run_config)
        if "solids" in out and "ops" not in out:
            out["ops"] = out.pop("solids")
        if "ops" in out:
            out["ops"] = {k: _config_entry(v) for k, v in dict(out["ops"]).items()}
        return out
    raise InvalidConfigError(f"run_config must be a RunConfig or a dict, got {type(run_config).__name__}")
