"""Typed config: ``Config`` classes (pydantic) and ``EnvVar``. ``RunConfig`` is in run_config.py."""

from __future__ import annotations

import os
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


def pydantic_errors(err: pydantic.ValidationError, prefix: str) -> list[str]:
    """Every error of a pydantic validation, as 'path: message' lines."""
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e.get("loc", ()))
        path = f"{prefix}.{loc}" if loc else prefix
        lines.append(f"{path}: {e.get('msg')}")
    return lines


from headwater.definitions.run_config import (  # noqa: E402,F401 - re-exported
    RunConfig,
    config_to_dict,
    normalize_run_config,
)
