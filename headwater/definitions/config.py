"""Typed config: ``Config`` classes (pydantic), ``RunConfig`` and ``EnvVar``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pydantic

from headwater.definitions.errors import InvalidConfigError


class EnvVar(str):
    """A config value read from an environment variable at run time.

    Its string value is the variable's *name*, so printing a config never shows the secret.
    """

    def __new__(cls, env_var_name: str):
        return str.__new__(cls, env_var_name)

    @property
    def env_var_name(self) -> str:
        return str.__str__(self)

    @property
    def name(self) -> str:
        return self.env_var_name

    def __repr__(self) -> str:
        return f"EnvVar({self.env_var_name!r})"

    def get_value(self, default: str | None = None) -> str | None:
        return os.environ.get(self.env_var_name, default)

    @classmethod
    def int(cls, name: str) -> IntEnvVar:
        return IntEnvVar(name)

    def resolve(self, where: str) -> Any:
        value = os.environ.get(self.env_var_name)
        if value is None:
            raise InvalidConfigError(
                f"{where} reads the environment variable {self.env_var_name!r}, which is not set. "
                f"Set {self.env_var_name} in the environment of the process that runs the code.")
        return value


class IntEnvVar(EnvVar):
    def resolve(self, where: str) -> Any:
        raw = super().resolve(where)
        try:
            return int(raw)
        except ValueError:
            raise InvalidConfigError(
                f"{where} reads the environment variable {self.env_var_name!r}, whose value is "
                "not an integer.") from None


class Config(pydantic.BaseModel):
    """Base class of typed run config for assets and ops (a pydantic model)."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class PermissiveConfig(Config):
    """Config that accepts fields it does not declare."""

    model_config = pydantic.ConfigDict(extra="allow", frozen=True, arbitrary_types_allowed=True)


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
            out["ops"] = {k: _op_entry(v) for k, v in self.ops.items()}
        if self.resources:
            out["resources"] = {k: _op_entry(v) for k, v in self.resources.items()}
        if self.loggers:
            out["loggers"] = self.loggers
        if self.execution:
            out["execution"] = self.execution
        return out

    def __repr__(self) -> str:
        return f"RunConfig(ops={self.ops!r}, resources={self.resources!r})"


def _op_entry(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return {"config": value.model_dump()}
    return value


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
            out["ops"] = {k: _op_entry(v) for k, v in dict(out["ops"]).items()}
        return out
    raise InvalidConfigError(f"run_config must be a RunConfig or a dict, got {type(run_config).__name__}")


def pydantic_errors(err: pydantic.ValidationError, prefix: str) -> list[str]:
    """Every error of a pydantic validation, as 'path: message' lines."""
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e.get("loc", ()))
        path = f"{prefix}.{loc}" if loc else prefix
        lines.append(f"{path}: {e.get('msg')}")
    return lines
