"""``dagster._annotations`` on Headwater: API-status markers, which change nothing here.

Each works bare (``@beta``) or called (``@deprecated(breaking_version="2.0")``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["beta", "beta_param", "deprecated", "deprecated_param", "experimental",
           "experimental_param", "is_public", "preview", "public", "superseded"]


def _marker(*args: Any, **_: Any) -> Any:
    if len(args) == 1 and callable(args[0]) and not _:
        return args[0]
    return lambda obj: obj


beta = deprecated = experimental = preview = public = superseded = _marker
beta_param = deprecated_param = experimental_param = _marker


def is_public(obj: Any) -> bool:
    """Whether ``obj`` was marked ``@public``: Headwater marks nothing, so always False (a
    project that characterises Dagster's own API markers sees the difference)."""
    return bool(getattr(obj, "_is_public", False))
