"""IO manager contracts: how outputs are stored and inputs loaded."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from headwater.definitions.resource_defs import ResourceDefinition


class InputManager(abc.ABC):
    @abc.abstractmethod
    def load_input(self, context: Any) -> Any:
        """Return the value for an input."""


class OutputManager(abc.ABC):
    @abc.abstractmethod
    def handle_output(self, context: Any, obj: Any) -> None:
        """Store an output value."""


class IOManager(InputManager, OutputManager):
    """Stores outputs (``handle_output``) and loads them as downstream inputs (``load_input``)."""


class IOManagerDefinition(ResourceDefinition):
    """An IO manager built by a function (``@io_manager``)."""


def io_manager(config_schema: Any = None, description: str | None = None,
               required_resource_keys: set[str] | None = None) -> Any:
    if callable(config_schema) and not isinstance(config_schema, (type, dict)):
        return IOManagerDefinition(config_schema)

    def wrap(fn: Callable[..., Any]) -> IOManagerDefinition:
        return IOManagerDefinition(fn, config_schema, description, required_resource_keys)

    return wrap


def __getattr__(name: str) -> Any:  # the pydantic-based ones, loaded on first use
    if name in ("ConfigurableIOManager", "ConfigurableIOManagerFactory"):
        from headwater.definitions import resources

        return getattr(resources, name)
    raise AttributeError(name)
