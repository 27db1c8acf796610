"""``dagster._utils`` on Headwater: the small helpers projects import from it."""

from __future__ import annotations

import os

from headwater.definitions.utils import file_relative_path

__all__ = ["file_relative_path", "mkdir_p", "ensure_dir"]


def mkdir_p(path: str) -> str:
    """Create ``path`` and its parents if missing; return it."""
    os.makedirs(path, exist_ok=True)
    return path


ensure_dir = mkdir_p
