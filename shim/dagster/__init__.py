"""``import dagster`` resolving to Headwater, for projects that cannot change their imports.

Install it (``pip install -e shim``) only in an environment without the real Dagster. Every
public name is Headwater's own; see docs/compatibility.md for what differs.
"""

from __future__ import annotations

from typing import Any

import headwater as _hw

__version__ = "1.13.0+headwater." + _hw.__version__
__all__ = list(_hw.__all__)


def __getattr__(name: str) -> Any:
    return getattr(_hw, name)


def __dir__() -> list[str]:
    return dir(_hw)
