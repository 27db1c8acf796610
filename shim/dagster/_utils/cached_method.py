"""``dagster._utils.cached_method`` on Headwater: memoise a method per instance and arguments."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_CACHE_ATTR = "__headwater_method_cache__"


def cached_method(method: F) -> F:
    """Cache ``method``'s result on the instance, keyed by its (keyword) arguments.

    Arguments must be hashable; the cache lives as long as the instance.
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        caches = self.__dict__.setdefault(_CACHE_ATTR, {})
        cache = caches.setdefault(method.__name__, {})
        key = (args, tuple(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = method(self, *args, **kwargs)
        return cache[key]

    return wrapper  # type: ignore[return-value]
