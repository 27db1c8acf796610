"""Resources: ``ConfigurableResource`` (pydantic), function resources, ``ResourceParam``."""

from __future__ import annotations

import contextlib
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, Generic, TypeVar

import pydantic

from headwater.definitions.config import EnvVar, _frozen_setattr

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


class ConfigurableResource(pydantic.BaseModel):
    """A resource whose fields are its config (a frozen pydantic model).

    Fields may hold an ``EnvVar``, resolved when a run sets the resource up.
    Override ``setup_for_execution``/``teardown_after_execution`` (or ``yield_for_execution``)
    for set-up and clean-up around a run.
    """

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True,
                                       ignored_types=(ResourceDefinition,))
    _env_fields: dict[str, EnvVar] = pydantic.PrivateAttr(default_factory=dict)
    _partial: bool = pydantic.PrivateAttr(default=False)
    __setattr__ = _frozen_setattr

    def __init__(self, **data: Any):
        env = {k: v for k, v in data.items() if isinstance(v, EnvVar)}
        if env:
            data = dict(data)
            for name, var in env.items():
                field = type(self).model_fields.get(name)
                if field is not None and not _accepts_str(field.annotation):
                    value = var.get_value()
                    data[name] = value if value is not None else field.get_default()
        super().__init__(**data)
        if env:
            self._env_fields.update(env)
            for name, var in env.items():
                if isinstance(self.__dict__.get(name), str):
                    self.__dict__[name] = var  # shows the variable's name, never its value

    # --- lifecycle hooks, overridden by users ---
    def setup_for_execution(self, context: Any) -> None:
        pass

    def teardown_after_execution(self, context: Any) -> None:
        pass

    @contextlib.contextmanager
    def yield_for_execution(self, context: Any) -> Iterator[Any]:
        self.setup_for_execution(context)
        try:
            yield self
        finally:
            self.teardown_after_execution(context)

    def get_resource_context(self) -> Any:
        return getattr(self, "_context", None)

    def get_resource_definition(self) -> ConfigurableResource:
        return self

    # --- internal: what a run calls ---
    def with_resolved_env(self, key: str) -> ConfigurableResource:
        """A copy whose EnvVar fields hold the variables' values, and nested resources too."""
        update: dict[str, Any] = {}
        for name, var in self._env_fields.items():
            update[name] = var.resolve(f"Resource {key!r} field {name!r}")
        for name in type(self).model_fields:
            value = self.__dict__.get(name)
            if isinstance(value, ConfigurableResource):
                update.setdefault(name, value.with_resolved_env(f"{key}.{name}"))
        if not update:
            return self
        return self.model_copy(update=update)

    @classmethod
    def configure_at_launch(cls, **kwargs: Any) -> Any:
        """A resource whose config is given in each run's config (``resources.<key>.config``)."""
        partial = cls.model_construct(**kwargs)
        partial._partial = True
        return partial

    @property
    def is_partial(self) -> bool:
        return self._partial

    def create_resource(self, context: Any) -> Any:
        """The value code receives; a ConfigurableResource is its own value."""
        return self

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{k}={(v if isinstance(v, EnvVar) else self.__dict__.get(k))!r}"
            for k, v in ((k, self._env_fields.get(k, self.__dict__.get(k))) for k in type(self).model_fields)
        )
        return f"{type(self).__name__}({fields})"

    def __str__(self) -> str:
        return repr(self)


class ConfigurableResourceFactory(ConfigurableResource, Generic[T]):
    """A configurable resource whose value is what ``create_resource`` returns."""

    def create_resource(self, context: Any) -> T:  # type: ignore[override]
        raise NotImplementedError(f"{type(self).__name__} must implement create_resource")


ResourceDependency = Annotated[T, "resource_dependency"]


def _accepts_str(annotation: Any) -> bool:
    if annotation is str or annotation is Any or annotation is None:
        return True
    args = typing.get_args(annotation)
    return any(_accepts_str(a) for a in args if a is not type(None))


def is_resource_annotation(annotation: Any) -> bool:
    """True when a parameter's annotation marks it as a resource."""
    if annotation is None:
        return False
    if typing.get_origin(annotation) is Annotated:
        meta = typing.get_args(annotation)[1:]
        return any(m is RESOURCE_PARAM_MARKER or m == "resource" for m in meta)
    return isinstance(annotation, type) and issubclass(annotation, (ConfigurableResource,
                                                                    ResourceDefinition))


def as_resource_mapping(resources: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(resources or {})
