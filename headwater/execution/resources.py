"""Setting up a run's resources once, and tearing them down when it ends."""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from headwater.definitions.errors import (
    InvalidConfigError,
    InvalidDefinitionError,
    ResourceFunctionError,
    UnknownResourceError,
)
from headwater.definitions.io_manager import IOManagerDefinition
from headwater.definitions.resource_defs import ResourceDefinition

if TYPE_CHECKING:
    from headwater.execution.secrets import SecretMasker


def _configurable(value: Any) -> bool:
    """A ConfigurableResource? (Its module, and pydantic, load only if user code uses one.)"""
    module = sys.modules.get("headwater.definitions.resources")
    return module is not None and isinstance(value, module.ConfigurableResource)


class Resources:
    """Resource values by key, read as attributes: ``context.resources.warehouse``."""

    def __init__(self, values: Mapping[str, Any]):
        object.__setattr__(self, "_values", values if isinstance(values, dict) else dict(values))

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnknownResourceError(
            f"Unknown resource {name!r}: the resources available here are {sorted(values)}. "
            "Provide it in Definitions(resources=...) / materialize(resources=...), and declare it "
            "(required_resource_keys or a typed parameter).")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("resources are read-only")

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def __iter__(self):
        return iter(self._values.items())

    def __len__(self) -> int:
        return len(self._values)

    @property
    def original_resource_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def _asdict(self) -> dict[str, Any]:
        return dict(self._values)

    def __repr__(self) -> str:
        return f"Resources({sorted(self._values)})"


class InitResourceContext:
    """What a function resource receives: its config, the other resources, the instance."""

    def __init__(self, resource_config: Any, resources: Resources, instance: Any = None,
                 log: Any = None, run_id: str | None = None, dagster_run: Any = None):
        self.resource_config = resource_config
        self.resources = resources
        self.instance = instance
        self.log = log
        self.run_id = run_id
        self.dagster_run = dagster_run

    @property
    def log_manager(self) -> Any:
        return self.log


def build_init_resource_context(config: Any = None, resources: Mapping[str, Any] | None = None,
                                instance: Any = None) -> InitResourceContext:
    return InitResourceContext(config, Resources(resources or {}), instance)


def _configure(key: str, value: Any, run_config: Mapping[str, Any]) -> Any:
    if not _configurable(value):
        return value
    import pydantic

    from headwater.definitions.config import pydantic_errors

    entry = run_config.get(key)
    if entry is None:
        if value.is_partial:
            try:
                return type(value)(**{k: value.__dict__[k] for k in value.model_fields_set})
            except pydantic.ValidationError as e:
                raise InvalidConfigError(
                    f"Resource {key!r} is configured at launch, and this run's config does not "
                    "configure it", pydantic_errors(e, f"resources.{key}.config")) from None
        return value
    cfg = entry.get("config", entry) if isinstance(entry, Mapping) else entry
    if isinstance(cfg, Mapping):
        try:
            merged = {**{k: value.__dict__[k] for k in value.model_fields_set
                         if k in value.__dict__}, **cfg}
            return type(value)(**merged)
        except InvalidConfigError as e:
            raise InvalidConfigError(f"Invalid config for resource {key!r}",
                                     [f"resources.{key}.config: {m}" for m in e.errors]) from None
        except pydantic.ValidationError as e:
            raise InvalidConfigError(f"Invalid config for resource {key!r}",
                                     pydantic_errors(e, f"resources.{key}.config")) from None
    return value


def init_resources(resource_defs: Mapping[str, Any], required: set[str], stack: contextlib.ExitStack,
                   *, instance: Any = None, log: Any = None, run: Any = None,
                   run_config: Mapping[str, Any] | None = None) -> Resources:
    """Build every required resource (and the ones they need); teardown is on ``stack``."""
    values: dict[str, Any] = {}
    in_progress: set[str] = set()
    resources_config = dict((run_config or {}).get("resources") or {})
    container = Resources(values)

    def build(key: str) -> Any:
        if key in values:
            return values[key]
        if key not in resource_defs:
            raise InvalidDefinitionError(
                f"Resource {key!r} is required but was not provided; provided resources are "
                f"{sorted(resource_defs)}")
        if key in in_progress:
            raise InvalidDefinitionError(f"Resource {key!r} depends on itself")
        in_progress.add(key)
        raw = _configure(key, resource_defs[key], resources_config)
        try:
            values[key] = _build_one(key, raw, build, stack, container, instance, log, run,
                                     resources_config)
        except (InvalidConfigError, InvalidDefinitionError):
            raise
        except Exception as e:
            raise ResourceFunctionError(
                f"Resource {key!r} ({type(raw).__name__}) failed during set-up: "
                f"{type(e).__name__}: {e}") from e
        return values[key]

    for key in sorted(required):
        build(key)
    return container


def _build_one(key: str, raw: Any, build: Any, stack: contextlib.ExitStack, container: Resources,
               instance: Any, log: Any, run: Any, resources_config: Mapping[str, Any]) -> Any:
    run_id = getattr(run, "run_id", None)
    if _configurable(raw):
        resolved = raw.with_resolved_env(key)
        return _enter_configurable(resolved, stack, instance, log, run_id, run)
    if isinstance(raw, (ResourceDefinition, IOManagerDefinition)):
        for dep in sorted(raw.required_resource_keys):
            build(dep)
        cfg = _function_resource_config(key, raw, resources_config)
        ctx = InitResourceContext(cfg, container, instance, log, run_id, run)
        fn = raw.resource_fn
        result = fn(ctx) if _takes_arg(fn) else fn()
        if inspect.isgenerator(result):
            return stack.enter_context(contextlib.contextmanager(lambda: result)())
        if isinstance(result, contextlib.AbstractContextManager) and not hasattr(result, "handle_output"):
            return stack.enter_context(result)
        return result
    return raw  # a plain object is its own resource


def _enter_configurable(res: Any, stack: contextlib.ExitStack, instance: Any,
                        log: Any, run_id: str | None, run: Any) -> Any:
    ctx = InitResourceContext(res, Resources({}), instance, log, run_id, run)
    for name in type(res).model_fields:
        nested = res.__dict__.get(name)
        if _configurable(nested):
            _enter_configurable(nested, stack, instance, log, run_id, run)
    value = stack.enter_context(res.yield_for_execution(ctx))
    if value is res or value is None:
        return res.create_resource(ctx)
    return value


def _function_resource_config(key: str, raw: Any, resources_config: Mapping[str, Any]) -> Any:
    """A ``@resource``'s config, checked against its schema (``InvalidConfigError`` if bad)."""
    errors: list[str] = []
    cfg = raw.resolve_config(resources_config.get(key), f"resources.{key}.config", errors)
    if errors:
        raise InvalidConfigError(f"Invalid config for resource {key!r}", errors)
    return cfg


def _takes_arg(fn: Any) -> bool:
    try:
        return len(inspect.signature(fn).parameters) > 0
    except (TypeError, ValueError):
        return True


def check_resource_config(resource_defs: Mapping[str, Any], required: set[str],
                          run_config: Mapping[str, Any]) -> list[str]:
    """Every problem with the required resources' config and environment variables, found
    before a run starts (the run then sets them up for real)."""
    resources_config = dict((run_config or {}).get("resources") or {})
    errors: list[str] = []
    for key in sorted(required):
        if key not in resource_defs:
            continue
        raw = resource_defs[key]
        try:
            if isinstance(raw, (ResourceDefinition, IOManagerDefinition)):
                _function_resource_config(key, raw, resources_config)
                continue
            value = _configure(key, raw, resources_config)
            if _configurable(value):
                value.with_resolved_env(key)
        except InvalidConfigError as e:
            errors.extend(e.errors or [str(e)])
    return errors


def run_masker(resource_defs: Mapping[str, Any], required: set[str],
               run_config: Mapping[str, Any] | None) -> SecretMasker | None:
    """The run's secret masker (``secrets.py``): None when its resources read no environment
    variable, the common case, which then pays nothing (not even the masker's import)."""
    values = resource_secrets(resource_defs, required, run_config)
    if not values:
        return None
    from headwater.execution.secrets import SecretMasker

    return SecretMasker.build(values)


def resource_secrets(resource_defs: Mapping[str, Any], required: set[str],
                     run_config: Mapping[str, Any] | None) -> list[Any]:
    """The values the run's resources read from environment variables (``EnvVar`` fields, of
    nested resources too): each variable's text and the value it resolved to. Resources that
    do not resolve (bad config) are left out: the run reports them and does not start.
    ``@resource`` config read from ``{"env": NAME}`` (``StringSource`` fields) counts too."""
    resources_config = dict((run_config or {}).get("resources") or {})
    found: list[Any] = []
    for key, entry in resources_config.items():
        if isinstance(resource_defs.get(key), ResourceDefinition):
            _legacy_env_values(entry, found)
    if sys.modules.get("headwater.definitions.resources") is None:
        return found  # no ConfigurableResource was ever made: no EnvVar field anywhere
    seen: set[str] = set()
    todo = sorted(required)
    while todo:
        key = todo.pop()
        if key in seen or key not in resource_defs:
            continue
        seen.add(key)
        raw = resource_defs[key]
        if isinstance(raw, (ResourceDefinition, IOManagerDefinition)):
            todo.extend(raw.required_resource_keys)  # set up with it: maybe configurable
            continue
        try:
            value = _configure(key, raw, resources_config)
            if _configurable(value):
                _env_values(value.with_resolved_env(key), found)
        except InvalidConfigError:
            continue
    return found


def _legacy_env_values(value: Any, found: list[Any]) -> None:
    """The values of the variables a legacy config names as ``{"env": NAME}``."""
    if isinstance(value, Mapping):
        name = value.get("env") if len(value) == 1 else None
        if isinstance(name, str):
            if os.environ.get(name) is not None:
                found.append(os.environ[name])
            return
        for item in value.values():
            _legacy_env_values(item, found)
    elif isinstance(value, list):
        for item in value:
            _legacy_env_values(item, found)


def _env_values(res: Any, found: list[Any]) -> None:
    for name, var in res._env_fields.items():
        found.append(os.environ.get(var.env_var_name))
        found.append(res.__dict__.get(name))
    for name in type(res).model_fields:
        nested = res.__dict__.get(name)
        if _configurable(nested):
            _env_values(nested, found)
