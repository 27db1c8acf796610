"""Small helpers users reach for in definitions modules."""

from __future__ import annotations

import os


def file_relative_path(dunderfile: str, relative_path: str) -> str:
    """A path relative to the folder of ``__file__``: ``file_relative_path(__file__, "x.csv")``."""
    return os.path.join(os.path.dirname(dunderfile), relative_path)
