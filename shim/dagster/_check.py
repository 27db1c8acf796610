"""``dagster._check`` on Headwater: the argument checks some projects call (``check.str_param``…).

Each ``<kind>_param(obj, name)`` returns ``obj`` when it has the kind, else raises
``ParameterCheckError``; ``opt_<kind>_param`` also accepts ``None`` (and returns ``default``
then, when given).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn


class CheckError(Exception):
    """A check failed: the calling code broke an invariant."""


class ParameterCheckError(CheckError):
    """An argument does not have the expected type."""


class ElementCheckError(CheckError):
    """An element of a collection does not have the expected type."""


def failed(desc: str) -> NoReturn:
    raise CheckError(f"Failure condition: {desc}")


def invariant(condition: Any, desc: str | None = None) -> bool:
    if not condition:
        raise CheckError(f"Invariant failed. Description: {desc}" if desc else "Invariant failed.")
    return True


def not_none(value: Any, additional_message: str | None = None) -> Any:
    if value is None:
        raise CheckError(f"Expected non-None value: {additional_message or ''}".rstrip(": "))
    return value


def not_implemented(desc: str) -> NoReturn:
    raise NotImplementedError(desc)


def assert_never(value: Any) -> NoReturn:
    failed(f"Unhandled value: {value!r}")


_KINDS: dict[str, tuple[type, ...] | Callable[[Any], bool]] = {
    "str": (str,), "int": (int,), "float": (float, int), "numeric": (float, int), "bool": (bool,),
    "list": (list,), "dict": (dict,), "mapping": (Mapping,), "tuple": (tuple,),
    "sequence": (Sequence,), "set": (set, frozenset), "callable": callable,
}


def _has_kind(obj: Any, kind: tuple[type, ...] | Callable[[Any], bool]) -> bool:
    return isinstance(obj, kind) if isinstance(kind, tuple) else kind(obj)


def _param_check(kind_name: str, optional: bool) -> Callable[..., Any]:
    kind = _KINDS[kind_name]

    def check(obj: Any, param_name: str, *args: Any, default: Any = None, **_: Any) -> Any:
        if obj is None and optional:
            return default if default is not None else ({} if kind_name in ("dict", "mapping")
                                                        else [] if kind_name in ("list", "sequence")
                                                        else None)
        if not _has_kind(obj, kind):
            raise ParameterCheckError(
                f'Param "{param_name}" is not a {kind_name}. Got {obj!r} which is type {type(obj)}.')
        return obj

    return check


def inst_param(obj: Any, param_name: str, ttype: Any, additional_message: str | None = None) -> Any:
    if not isinstance(obj, ttype):
        raise ParameterCheckError(
            f'Param "{param_name}" is not a {ttype}. Got {obj!r} which is type {type(obj)}.'
            + (f" {additional_message}" if additional_message else ""))
    return obj


def opt_inst_param(obj: Any, param_name: str, ttype: Any, default: Any = None,
                   additional_message: str | None = None) -> Any:
    return default if obj is None else inst_param(obj, param_name, ttype, additional_message)


def inst(obj: Any, ttype: Any, additional_message: str | None = None) -> Any:
    return inst_param(obj, "obj", ttype, additional_message)


def opt_inst(obj: Any, ttype: Any, additional_message: str | None = None) -> Any:
    return None if obj is None else inst(obj, ttype, additional_message)


for _name in _KINDS:
    globals()[f"{_name}_param"] = _param_check(_name, optional=False)
    globals()[f"opt_{_name}_param"] = _param_check(_name, optional=True)
    globals()[f"opt_nullable_{_name}_param"] = _param_check(_name, optional=True)
    globals()[f"{_name}_elem"] = lambda d, key, _n=_name: _param_check(_n, False)(d.get(key), key)
    globals()[f"opt_{_name}_elem"] = lambda d, key, _n=_name: _param_check(_n, True)(d.get(key), key)
    globals()[f"is_{_name}"] = lambda obj, *a, _n=_name, **k: _param_check(_n, False)(obj, "obj")
    globals()[f"opt_is_{_name}"] = lambda obj, *a, _n=_name, **k: _param_check(_n, True)(obj, "obj")
del _name
