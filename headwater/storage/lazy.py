"""SQLAlchemy and the table definitions, imported on first use.

A fresh process that opens a SQLite instance and runs never needs SQLAlchemy (its import is
most of such a process's time): the run path uses plain SQL (``Database.write_cursor``). The
rarer queries are still built with SQLAlchemy Core; their modules bind ``sa`` and ``tables``
to these stand-ins, which import the real module on the first attribute read::

    if TYPE_CHECKING:
        import sqlalchemy as sa
        from headwater.storage import schema as tables
    else:
        from headwater.storage.lazy import sa, tables
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands in for a module until an attribute is read; then imports it and keeps its names."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._name)
        self.__dict__.update(vars(module))
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


sa = LazyModule("sqlalchemy")
tables = LazyModule("headwater.storage.schema")


def lazy_exports(package: str, names: dict[str, str]) -> Any:
    """A module ``__getattr__`` for ``package`` that imports each name of ``names`` (name ->
    module) on first use and keeps it in the package's namespace."""
    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(importlib.import_module(package), name, value)
        return value

    return __getattr__
