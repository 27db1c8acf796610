"""``dagster._core.definitions`` on Headwater: the definition classes, by their public names."""

from __future__ import annotations

from typing import Any

from dagster._reexport import from_headwater


def __getattr__(name: str) -> Any:
    return from_headwater(__name__, name)
