"""Runtime types of inputs and outputs: a name, and a check run on every value.

Annotations become types, as Dagster resolves them: ``int``/``str``/``float``/``bool`` are
checked exactly (an int is not a Float, 1 is not a Bool); other classes check ``isinstance``;
``Optional[X]`` also accepts None; ``list[X]`` checks every element; ``Any``, unannotated
parameters and other typing constructs accept everything. ``Nothing`` (``type(None)``) carries
no value: an input of that type only orders steps.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Any

Nothing = type(None)

_SCALAR_NAMES = {int: "Int", str: "String", float: "Float", bool: "Bool"}
_OUTPUT_WRAPPERS = frozenset({"Output", "DynamicOutput", "MaterializeResult"})


class TypeCheck:
    """The outcome of a type check, with a description and metadata recorded on the event."""

    __slots__ = ("success", "description", "metadata")

    def __init__(self, success: bool, description: str | None = None,
                 metadata: Mapping[str, Any] | None = None):
        from headwater.definitions.metadata import normalize_metadata

        self.success = bool(success)
        self.description = description
        self.metadata = normalize_metadata(metadata, where="TypeCheck metadata")

    def __repr__(self) -> str:
        return (f"TypeCheck(success={self.success}, description={self.description!r}, "
                f"metadata={self.metadata!r})")


_PASSED = TypeCheck(True)


class DagsterType:
    """A named type with a check (Dagster's name for this class is part of its public API).

    ``type_check_fn(context, value)`` returns a bool or a ``TypeCheck``.
    """

    def __init__(self, type_check_fn: Callable[[Any, Any], Any] | None = None,
                 name: str | None = None, description: str | None = None,
                 typing_type: Any = Any, metadata: Any = None, *,
                 loadable_from_config: bool = False, **_: Any):
        self.type_check_fn = type_check_fn
        self.key = self.name = name or "Any"
        self.description = description
        self.typing_type = typing_type
        self.metadata = dict(metadata or {})
        # whether an unconnected input of this type can take its value from run config
        self.loadable_from_config = loadable_from_config

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def unique_name(self) -> str:
        return self.name

    @property
    def is_nothing(self) -> bool:
        return self is NOTHING

    @property
    def is_any(self) -> bool:
        return self is ANY

    def type_check(self, context: Any, value: Any) -> TypeCheck:
        if self.type_check_fn is None:
            return _PASSED
        result = self.type_check_fn(context, value)
        if isinstance(result, TypeCheck):
            return result
        if isinstance(result, bool):
            return _PASSED if result else TypeCheck(False)
        raise TypeError(
            f"The type check function of DagsterType {self.name!r} returned "
            f"{type(result).__name__} {result!r:.60}; it must return a bool or a TypeCheck")

    def __repr__(self) -> str:
        return f"DagsterType({self.name!r})"


def _builtin(cls: type, name: str, exact: bool, allow_none: bool = False,
             typing_type: Any = None) -> DagsterType:
    def check(_context: Any, value: Any) -> TypeCheck:
        if allow_none and value is None:
            return _PASSED
        ok = type(value) is cls if exact and cls is bool else isinstance(value, cls)
        if exact and cls in (int, float) and isinstance(value, bool):
            ok = False
        if ok:
            return _PASSED
        return TypeCheck(False, f'Value "{str(value):.80}" of python type '
                         f'"{type(value).__name__}" must be a {cls.__name__}.' if exact else
                         f"Value of type {type(value)!r} failed type check for Dagster type "
                         f"{name}, expected value to be of Python type {cls.__name__}.")
    return DagsterType(check, name, typing_type=cls if typing_type is None else typing_type,
                       loadable_from_config=cls in _SCALAR_NAMES or cls is dict)


def _optional(inner: DagsterType, annotation: Any) -> DagsterType:
    def check(context: Any, value: Any) -> TypeCheck:
        return _PASSED if value is None else inner.type_check(context, value)
    return DagsterType(check, f"{inner.name}?", typing_type=annotation,
                       loadable_from_config=inner.loadable_from_config or inner.is_any)


def _list_of(inner: DagsterType, annotation: Any) -> DagsterType:
    def check(context: Any, value: Any) -> TypeCheck:
        if not isinstance(value, list):
            return TypeCheck(False, f"Value must be a list, got {type(value).__name__}")
        for item in value:
            result = inner.type_check(context, item)
            if not result.success:
                return result
        return _PASSED
    return DagsterType(check, f"[{inner.name}]", typing_type=annotation,
                       loadable_from_config=inner.loadable_from_config or inner.is_any)


ANY = DagsterType(None, "Any", loadable_from_config=True)
NOTHING = DagsterType(None, "Nothing", typing_type=type(None))
_CACHE: dict[Any, DagsterType] = {}


def resolve_type(annotation: Any) -> DagsterType:
    """The runtime type of an annotation (cached)."""
    if isinstance(annotation, DagsterType):
        return annotation
    if annotation is None or annotation is Any:  # not declared
        return ANY
    if annotation is type(None):
        return NOTHING
    try:
        hit = _CACHE.get(annotation)
    except TypeError:
        return ANY
    if hit is not None:
        return hit
    out = _resolve(annotation)
    _CACHE[annotation] = out
    return out


def _resolve(annotation: Any) -> DagsterType:
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and origin is None:
        if annotation in _SCALAR_NAMES:
            return _builtin(annotation, _SCALAR_NAMES[annotation], exact=True)
        if annotation is list:
            return _list_of(ANY, annotation)
        return _builtin(annotation, annotation.__name__, exact=False)
    if origin is typing.Union or (origin is not None and type(annotation).__name__ == "UnionType"):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1 and len(typing.get_args(annotation)) == 2:
            return _optional(resolve_type(members[0]), annotation)
        return ANY
    type_args = typing.get_args(annotation)
    if getattr(origin, "__name__", None) in _OUTPUT_WRAPPERS and type_args:
        return resolve_type(type_args[0])  # -> Output[int] declares an Int output
    if origin is list:
        return _list_of(resolve_type(type_args[0]) if type_args else ANY, annotation)
    if origin not in (dict, set, tuple, frozenset):
        return ANY  # other generics (user classes, Callable, ...) are not checked
    if not type_args:  # typing.Dict
        return resolve_type(origin)
    if isinstance(origin, type):  # dict[str, int] is "Dict[String,Int]"; the container is checked
        names = ",".join(resolve_type(a).name for a in type_args)
        # typing_type keeps the arguments: IO managers read them (dict[str, LazyFrame] -> lazy)
        return _builtin(origin, f"{origin.__name__.capitalize()}[{names}]", exact=False,
                        typing_type=annotation)
    return ANY
