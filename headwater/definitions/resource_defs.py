"""Resources that need no pydantic: ``ResourceDefinition`` (``@resource``), ``ResourceParam``.

``ConfigurableResource`` lives in ``resources.py``; that module (and pydantic) loads only when
a user's code uses it, which is also the only way an annotation can name one.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

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
        return self.resource_fn(*args, **kwargs)

    def configured(self, config: Any, name: str | None = None) -> ResourceDefinition:
        """The same resource with its config fixed."""
        return type(self)(self.resource_fn, None, self.description, self.required_resource_keys,
                          fixed_config=config)


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
