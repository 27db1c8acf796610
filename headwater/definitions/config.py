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

    def __str__(self) -> str:
        raise RuntimeError(
            f"EnvVar({self.env_var_name!r}) is resolved when a run starts; to read the variable "
            "now, call .get_value()")

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


def _frozen_setattr(self: pydantic.BaseModel, name: str, value: Any) -> None:
    if name.startswith("_"):
        pydantic.BaseModel.__setattr__(self, name, value)
        return
    from headwater.definitions.errors import InvalidInvocationError

    raise InvalidInvocationError(
        f"'{type(self).__name__}' is immutable: it cannot be changed after it is created "
        f"(tried to set {name!r}). Create a new one, or use .model_copy(update={{...}}).")


class Config(pydantic.BaseModel):
    """Base class of typed run config for assets and ops (a pydantic model).

    Unknown keyword arguments are ignored when constructing one in code, as in Dagster; run
    config given as a dict is checked for unknown fields.
    """

    model_config = pydantic.ConfigDict(extra="ignore", arbitrary_types_allowed=True)
    __setattr__ = _frozen_setattr


class PermissiveConfig(Config):
    """Config that accepts fields it does not declare."""

    model_config = pydantic.ConfigDict(extra="allow", arbitrary_types_allowed=True)


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


def _resource_entry(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return {"config": config_to_dict(value)}
    return value


def _op_entry(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return {"config": config_to_dict(value)}
    return value


def config_to_dict(value: pydantic.BaseModel) -> dict[str, Any]:
    """A config object as run config: unset optional fields dropped, enums by member name."""
    import enum

    def plain(v: Any) -> Any:
        if isinstance(v, enum.Enum):
            return v.name
        if isinstance(v, pydantic.BaseModel):
            return config_to_dict(v)
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v

    return {k: plain(getattr(value, k)) for k in type(value).model_fields
            if getattr(value, k, None) is not None}


def coerce_config_input(cls: type[pydantic.BaseModel], raw: Any, path: str) -> tuple[dict[str, Any], list[str]]:
    """Check a run-config dict against a config class: unknown fields are errors, enum fields
    take member names (as Dagster's run config does)."""
    import enum

    if not isinstance(raw, dict):
        return {}, [f"{path}: expected a dict of fields, got {type(raw).__name__}"]
    errors = []
    fields = cls.model_fields
    allow_extra = cls.model_config.get("extra") == "allow"
    out = dict(raw)
    for name, value in raw.items():
        field = fields.get(name)
        if field is None:
            if not allow_extra:
                errors.append(f"{path}.{name}: unknown field; {cls.__name__} has fields "
                              f"{sorted(fields)}")
            continue
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, enum.Enum) and isinstance(value, str):
            if value in ann.__members__:
                out[name] = ann[value]
            else:
                errors.append(f"{path}.{name}: {value!r} is not one of {sorted(ann.__members__)}")
    return out, errors


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
