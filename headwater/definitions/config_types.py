"""The legacy (pre-``Config`` class) config schema: ``Field``, ``Shape``, ``Permissive``,
``Selector``, ``Noneable``, ``Array``, ``Map``, ``Enum``, and the ``StringSource`` family.

A schema is a tree of ``ConfigType`` nodes. Each node checks a run-config value and turns it
into what the code sees (defaults filled in, ``{"env": NAME}`` read from the environment, enum
names mapped to their Python values), collecting one message per bad path instead of stopping
at the first. ``resolve_config_type`` turns Dagster's shorthand (``int``, ``{"n": int}``,
``[str]``, ``dict``, ``list``, ``Any``) into nodes; it runs once, when a definition is made,
so a bad schema is refused where it is written and a run does no schema work but the check.
"""

from __future__ import annotations

import copy
import enum as _enum
import os
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from headwater.definitions.errors import (
    InvalidConfigDefinitionError,
    InvalidConfigError,
    InvariantViolationError,
)


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
"""A value that was not given at all (as opposed to an explicit ``None``)."""


class ConfigType:
    """One node of a schema. ``process`` returns the value code sees, appending to ``errors``."""

    label = "Any"

    def process(self, value: Any, path: str, errors: list[str]) -> Any:
        return value

    def when_absent(self, path: str, errors: list[str]) -> Any:
        """The value of an absent optional field of this type; ``MISSING`` = required."""
        return MISSING

    def example(self) -> Any:
        return "..."

    def __repr__(self) -> str:
        return self.label


class AnyType(ConfigType):
    """Any value (``config_schema=Any``); still required unless a default is given."""


class ScalarType(ConfigType):
    def __init__(self, label: str, types: tuple[type, ...], example: Any, cast: Any = None):
        self.label, self._types, self._example, self._cast = label, types, example, cast

    def process(self, value: Any, path: str, errors: list[str]) -> Any:
        ok = isinstance(value, self._types) and not (
            isinstance(value, bool) and bool not in self._types and self.label != "Float")
        if not ok:
            if value is None:
                errors.append(f"{path}: must not be None; expected {self.label}")
            else:
                errors.append(f"{path}: {value!r} ({type(value).__name__}) is not a valid "
                              f"{self.label}")
            return value
        return self._cast(value) if self._cast else value

    def example(self) -> Any:
        return self._example


Int = ScalarType("Int", (int,), 0)
Float = ScalarType("Float", (int, float), 0.0, float)
String = ScalarType("String", (str,), "...")
Bool = ScalarType("Bool", (bool,), False)
_BY_PYTHON_TYPE: dict[Any, ConfigType] = {int: Int, float: Float, str: String, bool: Bool}


def _env_bool(raw: str) -> bool:
    return raw.lower() not in ("", "0", "false", "none")


class SourceType(ConfigType):
    """A scalar given inline or as ``{"env": "NAME"}``, read from the environment when the
    config is processed (when a run starts, or a test's context is built)."""

    def __init__(self, scalar: ScalarType, parse: Any):
        self.scalar, self._parse = scalar, parse
        self.label = f"{scalar.label}Source"

    def process(self, value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, Mapping):
            return self.scalar.process(value, path, errors)
        if set(value) != {"env"}:
            errors.append(f"{path}: expected a {self.scalar.label} or {{'env': NAME}}, got keys "
                          f"{sorted(map(str, value))}")
            return value
        name = value["env"]
        if not isinstance(name, str):
            errors.append(f"{path}.env: {name!r} ({type(name).__name__}) is not a valid String")
            return value
        raw = os.environ.get(name)
        if raw is None:
            errors.append(f"{path}: reads the environment variable {name!r}, which is not set; "
                          f"set {name} in the environment of the process that runs the code")
            return value
        try:
            return self._parse(raw)
        except ValueError:
            errors.append(f"{path}: the environment variable {name!r} cannot be read as a "
                          f"{self.scalar.label}")
            return value

    def example(self) -> Any:
        return self.scalar.example()


StringSource = SourceType(String, str)
IntSource = SourceType(Int, lambda raw: int(raw.strip()))
BoolSource = SourceType(Bool, _env_bool)


class Field:
    """A config entry: its type, its default, whether it must be given, and what it means."""

    def __init__(self, config: Any, default_value: Any = MISSING, is_required: bool | None = None,
                 description: str | None = None):
        self.config_type = resolve_config_type(config)
        self.description = description
        self._default = default_value
        if default_value is not MISSING:
            if is_required:
                raise InvalidConfigDefinitionError(
                    f"Field({self.config_type!r}) is both required and has a default value; "
                    "give one or the other")
            errors: list[str] = []
            self.config_type.process(copy.deepcopy(default_value), "default_value", errors)
            if errors:
                raise InvalidConfigError(
                    f"Invalid default_value for Field({self.config_type!r}): it must match the "
                    "field's type", errors)
        if is_required is None:
            is_required = default_value is MISSING and self.config_type.when_absent(
                "", []) is MISSING
        self.is_required = bool(is_required)

    @property
    def default_provided(self) -> bool:
        return self._default is not MISSING

    @property
    def default_value(self) -> Any:
        if self._default is MISSING:
            raise InvariantViolationError(
                f"Field({self.config_type!r}) has no default value; check default_provided first")
        return self._default

    def process(self, value: Any, path: str, errors: list[str]) -> Any:
        """The field's value from ``value`` (``MISSING`` when the entry is absent)."""
        if value is not MISSING:
            return self.config_type.process(value, path, errors)
        if self._default is not MISSING:
            return self.config_type.process(copy.deepcopy(self._default), path, errors)
        if self.is_required:
            errors.append(f"{path}: missing required config entry; expected e.g. "
                          f"{self.config_type.example()!r}")
            return MISSING
        return self.config_type.when_absent(path, errors)

    def __repr__(self) -> str:
        default = "" if self._default is MISSING else f", default={self._default!r}"
        return f"Field({self.config_type!r}{default}, is_required={self.is_required})"


class Shape(ConfigType):
    """A dict with named fields; other keys are refused."""

    permissive = False

    def __init__(self, fields: Mapping[str, Any] | None = None, description: str | None = None):
        self.fields: dict[str, Field] = {
            str(k): _as_field(v, f":{k}") for k, v in dict(fields or {}).items()}
        self.description = description

    @property
    def label(self) -> str:  # type: ignore[override]
        inner = " ".join(f"{k}{'' if f.is_required else '?'}: {f.config_type!r}"
                         for k, f in self.fields.items())
        return "{ " + inner + (" ..." if self.permissive else "") + " }"

    def process(self, value: Any, path: str, errors: list[str]) -> Any:
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            errors.append(f"{path}: expected a dict with keys {sorted(self.fields)}, got "
                          f"{type(value).__name__}")
            return value
        out: dict[str, Any] = {}  # in the order given, then the defaults filled in
        for key, item in value.items():
            field = self.fields.get(key)
            if field is not None:
                out[key] = field.process(item, f"{path}.{key}", errors)
            elif self.permissive:
                out[key] = item
            else:
                errors.append(f"{path}.{key}: unexpected config entry; expected keys are "
                              f"{sorted(self.fields)}")
        for name, field in self.fields.items():
            if name not in value:
                result = field.process(MISSING, f"{path}.{name}", errors)
                if result is not MISSING:
                    out[name] = result
        return out

    def when_absent(self, path: str, errors: list[str]) -> Any:
        if any(f.is_required for f in self.fields.values()):
            return MISSING
        return self.process({}, path, errors)

    def example(self) -> Any:
        return {k: f.config_type.example() for k, f in self.fields.items() if f.is_required}


class Permissive(Shape):
    """A dict with named fields that also keeps any other keys it is given."""

    permissive = True


class Selector(ConfigType):
    """A dict with exactly one of its fields: ``{"csv": {...}}`` or ``{"parquet": {...}}``."""

    def __init__(self, fields: Mapping[str, Any], description: str | None = None):
        self.fields: dict[str, Field] = {
            str(k): _as_field(v, f":{k}") for k, v in dict(fields).items()}
        self.description = description

    @property
    def label(self) -> str:  # type: ignore[override]
        return "one of { " + " | ".join(self.fields) + " }"

    def process(self, value: Any, path: str, errors: list[str]) -> Any:
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            errors.append(f"{path}: expected a dict with one of the keys {sorted(self.fields)}, "
                          f"got {type(value).__name__}")
            return value
        unknown = [k for k in value if k not in self.fields]
        if unknown:
            for key in unknown:
                errors.append(f"{path}.{key}: unexpected config entry; expected one of "
                              f"{sorted(self.fields)}")
            return value
        if len(value) > 1:
            errors.append(f"{path}: give exactly one of {sorted(self.fields)}; got "
                          f"{sorted(value)}")
            return value
        if not value:
            only = next(iter(self.fields.items())) if len(self.fields) == 1 else None
            if only is None or only[1].is_required:
                errors.append(f"{path}: give exactly one of {sorted(self.fields)}")
                return value
            result = only[1].process(MISSING, f"{path}.{only[0]}", errors)
            return {} if result is MISSING else {only[0]: result}
        ((key, item),) = value.items()
        return {key: self.fields[key].process(item, f"{path}.{key}", errors)}

    def when_absent(self, path: str, errors: list[str]) -> Any:
        if len(self.fields) != 1 or next(iter(self.fields.values())).is_required:
            return MISSING
        return self.process({}, path, errors)

    def example(self) -> Any:
        key, field = next(iter(self.fields.items()))
        return {key: field.config_type.example()}


class Noneable(ConfigType):
    """The inner type, or ``None``; an absent field of this type is ``None``."""

    def __init__(self, inner_type: Any):
        self.inner_type = resolve_config_type(inner_type)
        self.label = f"{self.inner_type!r}?"

    def process(self, value: Any, path: str, errors: list[str]) -> Any:
        return None if value is None else self.inner_type.process(value, path, errors)

    def when_absent(self, path: str, errors: list[str]) -> Any:
        return None

    def example(self) -> Any:
        return self.inner_type.example()


class Array(ConfigType):
    """A list whose items are each of ``inner_type``."""

    def __init__(self, inner_type: Any):
        self.inner_type = resolve_config_type(inner_type)
        self.label = f"[{self.inner_type!r}]"

    def process(self, value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, got {type(value).__name__}")
            return value
        return [self.inner_type.process(v, f"{path}[{i}]", errors) for i, v in enumerate(value)]

    def example(self) -> Any:
        return [self.inner_type.example()]


class Map(ConfigType):
    """A dict from keys of a scalar type to values of ``inner_type``."""

    def __init__(self, key_type: Any, inner_type: Any, key_label_name: str | None = None):
        key = resolve_config_type(key_type)
        if not isinstance(key, ScalarType):
            raise InvalidConfigDefinitionError(
                f"Map keys must be a scalar type (str, int, float, bool), got {key_type!r}")
        self.key_type, self.inner_type = key, resolve_config_type(inner_type)
        self.key_label_name = key_label_name
        self.label = f"{{ [{key!r}]: {self.inner_type!r} }}"

    def process(self, value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, Mapping):
            errors.append(f"{path}: expected a dict, got {type(value).__name__}")
            return value
        return {self.key_type.process(k, f"{path}[{k!r}] (key)", errors):
                self.inner_type.process(v, f"{path}[{k!r}]", errors) for k, v in value.items()}

    def example(self) -> Any:
        return {self.key_type.example(): self.inner_type.example()}


class EnumValue:
    """One member of an ``Enum``: its name in config, and the value code receives."""

    def __init__(self, config_value: str, python_value: Any = None,
                 description: str | None = None):
        self.config_value = config_value
        self.python_value = config_value if python_value is None else python_value
        self.description = description

    def __repr__(self) -> str:
        return f"EnumValue({self.config_value!r})"


class Enum(ConfigType):
    """One of a fixed set of names; code receives the member's Python value."""

    def __init__(self, name: str, enum_values: Sequence[EnumValue]):
        self.given_name = self.label = name
        self.enum_values = list(enum_values)
        self._by_name = {v.config_value: v.python_value for v in self.enum_values}

    @classmethod
    def from_python_enum(cls, enum_type: type[_enum.Enum]) -> Enum:
        return cls(enum_type.__name__, [EnumValue(m.name, m) for m in enum_type])

    def process(self, value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, str):
            errors.append(f"{path}: a value of enum {self.label} must be a string, one of "
                          f"{list(self._by_name)}")
            return value
        if value not in self._by_name:
            errors.append(f"{path}: {value!r} is not one of {list(self._by_name)} (enum "
                          f"{self.label})")
            return value
        return self._by_name[value]

    def example(self) -> Any:
        return next(iter(self._by_name), "...")


def _as_field(value: Any, where: str) -> Field:
    return value if isinstance(value, Field) else Field(_resolve(value, where))


def resolve_config_type(schema: Any) -> ConfigType:
    """A schema (a node, a ``Field``'s type, or Dagster's shorthand) as a node; a schema that
    cannot be one raises ``InvalidConfigDefinitionError`` naming the bad part."""
    return _resolve(schema, "")


def _resolve(schema: Any, where: str) -> ConfigType:
    if isinstance(schema, ConfigType):
        return schema
    if schema is Any or schema is object:
        return AnyType()
    if isinstance(schema, type) and schema in _BY_PYTHON_TYPE:
        return _BY_PYTHON_TYPE[schema]
    if schema is dict:
        return Permissive()
    if schema is list:
        return Array(Any)
    if isinstance(schema, type) and issubclass(schema, _enum.Enum):
        return Enum.from_python_enum(schema)
    if isinstance(schema, Mapping):
        return Shape({k: _as_field(v, f"{where}:{k}") for k, v in schema.items()})
    if isinstance(schema, list) and len(schema) == 1 and not isinstance(schema[0], Field):
        return Array(_resolve(schema[0], f"{where}[0]"))
    origin = typing.get_origin(schema)
    if origin is list and len(typing.get_args(schema)) == 1:
        return Array(_resolve(typing.get_args(schema)[0], f"{where}[0]"))
    raise InvalidConfigDefinitionError(
        f"Config schema {schema!r}{f' (at {where})' if where else ''} is not a config type. Use a "
        "Field, a Python type (int, float, str, bool, list, dict), a dict of fields "
        "({'n': int}), a one-item list ([int]), or Shape, Permissive, Selector, Noneable, Array, "
        "Map, Enum, StringSource, IntSource, BoolSource, Any.")


def config_field(schema: Any) -> Field | None:
    """A definition's ``config_schema`` as the field its whole config is (``None``: no schema,
    any config accepted as given)."""
    if schema is None:
        return None
    return schema if isinstance(schema, Field) else Field(schema)


def process_config(field: Field, value: Any, path: str) -> tuple[Any, list[str]]:
    """``value`` (``None`` when no config was given) checked against ``field``: the value code
    sees (defaults filled in, environment variables read) and one message per bad path."""
    errors: list[str] = []
    result = field.process(MISSING if value is None else value, path, errors)
    return (None if result is MISSING else result), errors


def legacy_config_field(schema: Any) -> Field | None:
    """``config_field`` for a definition's ``config_schema=``; ``None`` also for a ``Config``
    class given there (a pydantic model checks itself)."""
    if schema is None or (isinstance(schema, type) and hasattr(schema, "model_fields")):
        return None
    return config_field(schema)
