"""Helper for the shim's private-path modules: resolve a name from Headwater's public API."""

from __future__ import annotations

from typing import Any

import headwater as _hw


def from_headwater(module_name: str, name: str) -> Any:
    """``headwater.<name>``, or the AttributeError a missing name in ``module_name`` raises."""
    try:
        return getattr(_hw, name)
    except AttributeError:
        raise AttributeError(f"module {module_name!r} has no attribute {name!r} "
                             "(the Headwater shim does not provide it)") from None
