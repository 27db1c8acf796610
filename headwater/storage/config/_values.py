"""Building blocks of the instance configuration.

* ``ConfigModel``: a frozen pydantic model that refuses unknown keys with a close-match
  suggestion and treats a key left empty in YAML (``key:``) as absent.
* ``EnvStr``/``EnvInt``/``EnvBool``/``EnvSecret``: scalars that may be written ``{env: VAR}``
  (Dagster's ``StringSource``/``IntSource``), read from the environment when the file is read.
* ``read_yaml``: the file as a mapping, duplicate keys refused, errors with line and column.
* ``config_error``: a pydantic ``ValidationError`` as one message naming the file and each bad
  key path (``storage.postgres.postgres_db.port: expected an integer, got 'abc'``).
"""

from __future__ import annotations

import difflib
import os
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, SecretStr, Strict, ValidationError
from pydantic import model_validator as _model_validator
from pydantic_core import PydanticCustomError

from headwater.storage.config import InstanceConfigError

# ----------------------------------------------------------------------------- the base model


def suggestion(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class ConfigModel(BaseModel):
    """A section of the file: frozen, every key known, empty keys (``key:``) treated as absent."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @classmethod
    def prepare(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Hook run on the raw mapping before the fields are validated."""
        return data

    @_model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data  # pydantic reports "expected a mapping"
        data = cls.prepare({k: v for k, v in data.items() if v is not None})
        known = [f.alias or name for name, f in cls.model_fields.items()]
        for key in data:
            if key not in known:
                allowed = ", ".join(known) if known else "nothing"
                raise PydanticCustomError(
                    "unknown_key", "unknown key{hint} (allowed here: {allowed})",
                    {"key": str(key), "hint": suggestion(key, known), "allowed": allowed})
        return data


# ---------------------------------------------------------------------- {env: VAR} scalars

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_KIND_NAMES = {str: "a string", int: "an integer", bool: "true or false"}


def is_core_module(module: str) -> bool:
    """A module of Dagster's core package (``dagster.core...``, ``dagster._core...``)."""
    return module == "dagster" or module.startswith(("dagster.core.", "dagster._core."))


def env_resolver(kind: type) -> Any:
    """``{env: VAR}`` -> the variable's value as ``kind``; anything else unchanged."""

    def resolve(value: Any) -> Any:
        if not (isinstance(value, dict) and "env" in value and len(value) == 1):
            return value
        var = value["env"]
        if not isinstance(var, str) or not var:
            raise PydanticCustomError("env_name", "`env:` must name an environment variable")
        raw = os.environ.get(var)
        if raw is None:
            raise PydanticCustomError(
                "env_missing", "environment variable {var} is not set; set it or write the "
                "value in the file", {"var": var})
        if kind is str:
            return raw
        text = raw.strip().lower()
        try:
            if kind is bool:
                if text in _TRUE or text in _FALSE:
                    return text in _TRUE
                raise ValueError(text)
            return int(text)
        except ValueError:
            raise PydanticCustomError(
                "env_value", "environment variable {var} does not hold {kind}",
                {"var": var, "kind": _KIND_NAMES[kind]}) from None

    return resolve


EnvStr = Annotated[str, Strict(), BeforeValidator(env_resolver(str))]
EnvInt = Annotated[int, Strict(), BeforeValidator(env_resolver(int))]
EnvBool = Annotated[bool, Strict(), BeforeValidator(env_resolver(bool))]
EnvSecret = Annotated[SecretStr, BeforeValidator(env_resolver(str))]


def _strict_secret(value: Any) -> Any:
    if isinstance(value, (int, float, bool)):
        raise PydanticCustomError("string_type", "expected a string")
    return value


Secret = Annotated[EnvSecret, BeforeValidator(_strict_secret)]

# --------------------------------------------------------------------------------- reading


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key written twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is written twice (first on line "
                    f"{seen[key].line + 1}); keep one", key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str) -> dict[str, Any]:
    """The file's top-level mapping ({} for an empty file)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=_UniqueKeyLoader)  # noqa: S506 -- a SafeLoader
    except OSError as exc:
        raise InstanceConfigError(
            f"Cannot read the instance configuration {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise InstanceConfigError(
            f"The instance configuration {path} is not UTF-8 text.") from None
    except yaml.YAMLError as exc:
        raise InstanceConfigError(
            f"The instance configuration {path} is not valid YAML: {_yaml_problem(exc)}. "
            "Fix the file (or remove it to use the defaults).") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InstanceConfigError(
            f"The instance configuration {path} must be a mapping of sections (storage:, "
            f"run_coordinator:, ...), not {_kind(data)}.")
    return data


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc)
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{problem}{where}"


# ---------------------------------------------------------------------------------- errors

_SECRET_WORDS = ("password", "secret", "token", "postgres_url", "credential")

_EXPECTED = {
    "int_type": "expected an integer", "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "bool_type": "expected true or false", "bool_parsing": "expected true or false",
    "string_type": "expected a string", "float_type": "expected a number",
    "model_type": "expected a mapping (indented `key: value` lines)",
    "model_attributes_type": "expected a mapping (indented `key: value` lines)",
    "dict_type": "expected a mapping (indented `key: value` lines)",
    "list_type": "expected a list (`- item` lines)",
    "missing": "is required",
}


def key_path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return "a value"


def _shown(path: str, value: Any) -> str:
    if isinstance(value, (dict, list)) or value is None:
        return _kind(value)
    if any(word in path.lower() for word in _SECRET_WORDS):
        return "a value (not shown)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe(error: dict[str, Any], prefix: tuple[Any, ...] = ()) -> str:
    """One pydantic error as ``key.path: what was expected, got what``."""
    loc = prefix + tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if "at" in ctx:
        loc += tuple(ctx["at"].split("."))
    if kind == "unknown_key":
        return f"{key_path(loc + (ctx['key'],))}: {error['msg']}"
    if kind == "nested":
        return "\n".join(describe(e, loc) for e in ctx["errors"])
    path = key_path(loc)
    if kind in _EXPECTED:
        message = _EXPECTED[kind]
        if kind != "missing":
            value = error.get("input")
            message += f", got {_shown(path, value)}"
            if kind == "string_type" and isinstance(value, (int, float, bool)):
                message += " (quote it in YAML to make it a string)"
        return f"{path}: {message}"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        word = "at least" if kind == "greater_than_equal" else "more than"
        return f"{path}: expected {word} {bound}, got {_shown(path, error.get('input'))}"
    message = error["msg"]
    for noise in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(noise)
    if kind == "literal_error":
        message = message.replace("Input should be", "expected")
        message += f", got {_shown(path, error.get('input'))}"
    return f"{path}: {message}"


def config_error(exc: ValidationError, source: str) -> InstanceConfigError:
    lines = [describe(dict(e)) for e in exc.errors(include_url=False)]
    body = "\n".join(f"  {line}" for text in lines for line in text.split("\n"))
    return InstanceConfigError(f"Invalid instance configuration in {source}:\n{body}")


def nested(model: type[ConfigModel], data: Any, prefix: tuple[Any, ...]) -> Any:
    """Validate ``data`` as ``model`` from inside a validator, keeping the inner key paths."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{**e, "loc": prefix + tuple(e["loc"])} for e in exc.errors(include_url=False)]
        raise PydanticCustomError("nested", "invalid", {"errors": errors}) from None
