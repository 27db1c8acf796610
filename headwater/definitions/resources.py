"""Resources: ``ConfigurableResource`` (pydantic), function resources, ``ResourceParam``."""

from __future__ import annotations

import contextlib
import typing
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

import pydantic

from headwater.definitions.config import EnvVar, _frozen_setattr
from headwater.definitions.errors import InvalidConfigError
from headwater.definitions.io_manager import IOManager
from headwater.definitions.resource_defs import (  # noqa: F401 - re-exported
    RESOURCE_PARAM_MARKER,
    ResourceDefinition,
    ResourceDependency,
    ResourceParam,
    is_resource_annotation,
    resource,
)

T = TypeVar("T")


class ConfigurableResource(pydantic.BaseModel, Generic[T]):
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
        if not env:
            super().__init__(**data)
            return
        # EnvVar fields are checked when a run resolves them, not now: validate the other
        # fields with a variant of this class whose EnvVar fields accept anything.
        lenient: Any = _lenient_model(type(self), frozenset(env))
        lenient.__pydantic_validator__.validate_python(data, self_instance=self)
        self._env_fields.update(env)
        for name, var in env.items():
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
        """A copy whose EnvVar fields hold the variables' values (validated now, as the field
        types say), and nested resources too. Errors name the variable, never its value."""
        update: dict[str, Any] = {}
        for name, var in self._env_fields.items():
            update[name] = var.resolve(f"Resource {key!r} field {name!r}")
        for name in type(self).model_fields:
            value = self.__dict__.get(name)
            if isinstance(value, ConfigurableResource):
                update.setdefault(name, value.with_resolved_env(f"{key}.{name}"))
        if not update:
            return self
        fields = {k: self.__dict__[k] for k in self.model_fields_set if k in self.__dict__}
        fields.update(update)
        try:
            resolved = type(self).__pydantic_validator__.validate_python(fields)
        except pydantic.ValidationError as e:
            lines = []
            for err in e.errors():
                name = str(err.get("loc", ("?",))[0])
                env_var = self._env_fields.get(name)
                source = f" (from environment variable {env_var.env_var_name!r})" if env_var else ""
                lines.append(f"resources.{key}.config.{name}{source}: {err.get('msg')}")
            raise InvalidConfigError(f"Invalid config for resource {key!r}", lines) from None
        if self._partial:
            resolved._partial = True
        # remember which fields came from the environment: repr() still shows only the names
        resolved._env_fields.update(self._env_fields)
        return resolved

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


class ConfigurableIOManager(ConfigurableResource, IOManager):
    """An IO manager whose fields are its config."""


TIOManager = TypeVar("TIOManager")


class ConfigurableIOManagerFactory(ConfigurableResourceFactory[TIOManager], Generic[TIOManager]):
    """Configurable resource that builds an IO manager in ``create_io_manager``.

    Generic in the manager it builds, so ``ConfigurableIOManagerFactory[MyManager]`` is a valid
    base (as in Dagster) and type checkers see what ``create_io_manager`` returns."""

    def create_io_manager(self, context: Any) -> TIOManager:
        raise NotImplementedError(f"{type(self).__name__} must implement create_io_manager")

    def create_resource(self, context: Any) -> TIOManager:
        return self.create_io_manager(context)


def _accepts_str(annotation: Any) -> bool:
    if annotation is str or annotation is Any or annotation is None:
        return True
    args = typing.get_args(annotation)
    return any(_accepts_str(a) for a in args if a is not type(None))


_LENIENT: dict[tuple[type, frozenset[str]], type] = {}


def _lenient_model(cls: type[ConfigurableResource], names: frozenset[str]) -> type:
    """``cls`` with the named fields typed ``Any`` (cached), to validate around EnvVars."""
    hit = _LENIENT.get((cls, names))
    if hit is None:
        overrides: dict[str, Any] = {}
        for name in names:
            field = cls.model_fields.get(name)
            if field is not None:
                overrides[name] = (Any, field.default if not field.is_required() else ...)
        hit = pydantic.create_model(f"{cls.__name__}", __base__=cls, **overrides)
        _LENIENT[(cls, names)] = hit
    return hit
