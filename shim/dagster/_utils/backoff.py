"""``dagster._utils.backoff`` on Headwater: call a function again, with growing pauses, while it
raises one of the given exceptions."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")

BACKOFF_MAX_RETRIES = 4


def exponential_delay_generator(base_delay: float = 0.1, backoff_factor: float = 2.0) -> Iterator[float]:
    """Pauses of ``base_delay``, then each ``backoff_factor`` times the one before, forever."""
    delay = base_delay
    while True:
        yield delay
        delay *= backoff_factor


def backoff(fn: Callable[..., T], retry_on: tuple[type[BaseException], ...],
            args: Sequence[object] | None = None, kwargs: Mapping[str, object] | None = None,
            max_retries: int = BACKOFF_MAX_RETRIES,
            delay_generator: Iterator[float] | None = None) -> T:
    """``fn(*args, **kwargs)``, retried up to ``max_retries`` times (so called at most
    ``max_retries + 1`` times) while it raises one of ``retry_on``, sleeping the next value of
    ``delay_generator`` before each retry. The last exception propagates; others at once."""
    delays = delay_generator if delay_generator is not None else exponential_delay_generator()
    call_args, call_kwargs = list(args or ()), dict(kwargs or {})
    retries = 0
    while True:
        try:
            return fn(*call_args, **call_kwargs)
        except retry_on:
            if retries >= max_retries:
                raise
            retries += 1
            time.sleep(next(delays))


async def async_backoff(fn: Callable[..., object], retry_on: tuple[type[BaseException], ...],
                        args: Sequence[object] | None = None,
                        kwargs: Mapping[str, object] | None = None,
                        max_retries: int = BACKOFF_MAX_RETRIES,
                        delay_generator: Iterator[float] | None = None) -> object:
    """``backoff`` for a coroutine function, pausing with ``asyncio.sleep``."""
    import asyncio

    delays = delay_generator if delay_generator is not None else exponential_delay_generator()
    retries = 0
    while True:
        try:
            return await fn(*(args or ()), **(kwargs or {}))  # type: ignore[misc]
        except retry_on:
            if retries >= max_retries:
                raise
            retries += 1
            await asyncio.sleep(next(delays))
