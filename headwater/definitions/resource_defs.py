"""Resources that need no pydantic: ``ResourceDefinition`` (``@resource``), ``ResourceParam``.

``ConfigurableResource`` lives in ``resources.py``; that module (and pydantic) loads only when
a user's code uses it, which is also the only way an annotation can name one.
"""

from __future__ import annotations

import copy
import sys
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Generic, TypeVar

from headwater.definitions.config_schema import apply_schema
from headwater.definitions.config_types import Field, legacy_config_field, process_config

T = TypeVar("T")


class _ResourceParamMarker:
    pass


RESOURCE_PARAM_MARKER = _ResourceParamMarker()

if typing.TYPE_CHECKING:
    ResourceParam = Annotated[T, "resource"]
else:
    class ResourceParam(Generic[T]):
        """Marks an asset/op parameter as a resource: ``client: ResourceParam[Client]``."""

        def __class_getitem__(cls, item):
            return Annotated[item, RESOURCE_PARAM_MARKER]


class ResourceDefinition:
    """A resource built by a function (``@resource``) or wrapping a plain value."""

    def __init__(self, resource_fn: Callable[..., Any], config_schema: Any = None,
                 description: str | None = None, required_resource_keys: set[str] | None = None,
                 fixed_config: Any = None):
        self.fixed_config = fixed_config
        self.resource_fn = resource_fn
        self.config_schema = config_schema
        # the legacy schema, resolved once; a configured copy keeps the schema its fixed config
        # is checked against (and takes no run config of its own)
        self.config_field = legacy_config_field(config_schema)
        self.configured_field: Field | None = None
        self.description = description
        self.required_resource_keys = set(required_resource_keys or ())

    @staticmethod
    def hardcoded_resource(value: Any, description: str | None = None) -> ResourceDefinition:
        return ResourceDefinition(lambda _ctx: value, description=description)

    @staticmethod
    def none_resource(description: str | None = None) -> ResourceDefinition:
        return ResourceDefinition.hardcoded_resource(None, description)

    @staticmethod
    def mock_resource(description: str | None = None) -> ResourceDefinition:
        from unittest import mock

        return ResourceDefinition.hardcoded_resource(mock.MagicMock(), description)

    @staticmethod
    def string_resource(description: str | None = None) -> ResourceDefinition:
        return ResourceDefinition(lambda ctx: ctx.resource_config, config_schema=str,
                                  description=description)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args and self.config_field is not None and hasattr(args[0], "resource_config"):
            # called directly with build_init_resource_context(config=...): checked, defaults in
            context = copy.copy(args[0])
            context.resource_config = apply_schema(self.config_field, context.resource_config,
                                                   "config", "resource")
            args = (context, *args[1:])
        return self.resource_fn(*args, **kwargs)

    def configured(self, config: Any, name: str | None = None) -> ResourceDefinition:
        """The same resource with its config fixed."""
        out = type(self)(self.resource_fn, None, self.description, self.required_resource_keys,
                         fixed_config=config)
        out.configured_field = self.config_field or self.configured_field
        return out

    def resolve_config(self, entry: Any, path: str, errors: list[str]) -> Any:
        """The config this resource's function receives, from its run-config entry
        (``{"config": ...}``, or ``None``) or else its configured value: checked against its
        schema, defaults filled in, ``{"env": NAME}`` read. Problems go to ``errors``."""
        if isinstance(entry, Mapping) and "config" in entry:
            value, field = entry["config"], self.config_field
        else:
            value = self.fixed_config
            field = self.configured_field if value is not None else self.config_field
        if field is None:
            return value
        result, problems = process_config(field, value, path)
        errors.extend(problems)
        return result


def resource(config_schema: Any = None, description: str | None = None,
             required_resource_keys: set[str] | None = None) -> Any:
    """Decorator: a function (optionally a generator) that builds a resource."""
    if callable(config_schema) and not isinstance(config_schema, type) and not isinstance(config_schema, dict):
        return ResourceDefinition(config_schema)

    def wrap(fn: Callable[..., Any]) -> ResourceDefinition:
        return ResourceDefinition(fn, config_schema, description, required_resource_keys)

    return wrap


ResourceDependency = Annotated[T, "resource_dependency"]


def is_resource_annotation(annotation: Any) -> bool:
    """True when a parameter's annotation marks it as a resource."""
    if annotation is None:
        return False
    if typing.get_origin(annotation) is Annotated:
        meta = typing.get_args(annotation)[1:]
        return any(m is RESOURCE_PARAM_MARKER or m == "resource" for m in meta)
    if not isinstance(annotation, type):
        return False
    if issubclass(annotation, ResourceDefinition):
        return True
    configurable = sys.modules.get("headwater.definitions.resources")
    return configurable is not None and issubclass(annotation, configurable.ConfigurableResource)
