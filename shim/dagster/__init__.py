"""``import dagster`` resolving to Headwater, for projects that cannot change their imports.

Install it (``pip install -e shim``) only in an environment without the real Dagster. Every
public name is Headwater's own; Dagster's error classes that Headwater has no counterpart for
come from ``dagster._core.errors`` (the shim's own). The private paths real projects import
(``dagster._core.errors``, ``dagster._utils.backoff``, ...) are small modules of this package;
docs/compatibility.md lists them. Nothing here imports the real Dagster.
"""

from __future__ import annotations

import importlib
from typing import Any

import headwater as _hw

__version__ = "1.13.0+headwater." + _hw.__version__
__all__ = list(_hw.__all__)


def __getattr__(name: str) -> Any:
    try:
        return getattr(_hw, name)
    except AttributeError:
        pass
    if name.startswith("Dagster") or name.endswith("Error"):  # every error class, top level too
        errors = importlib.import_module("dagster._core.errors")
        if hasattr(errors, name):
            return getattr(errors, name)
    if name in ("_check", "_utils", "_core", "_time", "_annotations"):  # `from dagster import _check`
        return importlib.import_module(f"dagster.{name}")
    raise AttributeError(f"module 'dagster' has no attribute {name!r} (Headwater shim)")


def __dir__() -> list[str]:
    return dir(_hw)
