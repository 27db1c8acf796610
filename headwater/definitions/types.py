"""Runtime types of inputs and outputs: a name, and a check run on every value.

Annotations become types: builtins and classes check ``isinstance``; ``Optional[X]`` also
accepts None; anything else (``Any``, unannotated, other typing constructs) accepts everything.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

_BUILTIN_NAMES = {int: "Int", str: "String", float: "Float", bool: "Bool", list: "List",
                  dict: "Dict", set: "Set", tuple: "Tuple"}


class DagsterType:
    """A named type with a check (Dagster's name for this class is part of its public API)."""

    def __init__(self, type_check_fn: Callable[[Any, Any], Any] | None = None,
                 name: str | None = None, description: str | None = None,
                 typing_type: Any = Any, metadata: Any = None, **_: Any):
        self.type_check_fn = type_check_fn
        self.key = self.name = name or "Any"
        self.description = description
        self.typing_type = typing_type
        self.metadata = dict(metadata or {})

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def unique_name(self) -> str:
        return self.name

    @property
    def is_nothing(self) -> bool:
        return self.name == "Nothing"

    def type_check(self, context: Any, value: Any) -> tuple[bool, str | None]:
        if self.type_check_fn is None:
            return True, None
        result = self.type_check_fn(context, value)
        if isinstance(result, bool):
            return result, None
        success = getattr(result, "success", bool(result))
        return bool(success), getattr(result, "description", None)

    def __repr__(self) -> str:
        return f"DagsterType({self.name!r})"


def _isinstance_check(cls: type, allow_none: bool) -> Callable[[Any, Any], bool]:
    def check(_context: Any, value: Any) -> bool:
        return (allow_none and value is None) or isinstance(value, cls)
    return check


ANY = DagsterType(None, "Any")
NOTHING = DagsterType(None, "Nothing")
_CACHE: dict[Any, DagsterType] = {}


def resolve_type(annotation: Any) -> DagsterType:
    """The runtime type of an annotation (cached)."""
    if isinstance(annotation, DagsterType):
        return annotation
    if annotation is None:  # not declared
        return ANY
    if annotation is type(None):
        return NOTHING
    try:
        hit = _CACHE.get(annotation)
    except TypeError:
        return ANY
    if hit is not None:
        return hit
    out = ANY
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and origin is None:
        if annotation is bool:  # bool is checked exactly: 1 is not a Bool
            out = DagsterType(lambda _c, v: isinstance(v, bool), "Bool", typing_type=bool)
        elif annotation in (int, float):
            out = DagsterType(_isinstance_check(annotation, False), _BUILTIN_NAMES[annotation],
                              typing_type=annotation)
        elif annotation is not object:
            out = DagsterType(_isinstance_check(annotation, False),
                              _BUILTIN_NAMES.get(annotation, annotation.__name__),
                              typing_type=annotation)
    elif origin is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and isinstance(args[0], type):
            inner = resolve_type(args[0])
            out = DagsterType(_isinstance_check(args[0], True), f"Optional[{inner.name}]",
                              typing_type=annotation)
    elif origin in (list, dict, set, tuple):
        out = DagsterType(_isinstance_check(origin, False), _BUILTIN_NAMES[origin],
                          typing_type=annotation)
    _CACHE[annotation] = out
    return out
