"""The daemon's one source of time: every tick decision reads ``clock.now()``.

``SystemClock`` is the real one. ``FrozenClock`` stands still until a test moves it, so that
tests of schedules, sensor intervals and catch-up never sleep.
"""

from __future__ import annotations

import datetime
import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """The current time as a Unix timestamp."""


class SystemClock:
    def now(self) -> float:
        return time.time()


class FrozenClock:
    """A clock that moves only when told to (thread-safe)."""

    def __init__(self, start: float | datetime.datetime = 0.0):
        self._lock = threading.Lock()
        self._now = _timestamp(start)

    def now(self) -> float:
        with self._lock:
            return self._now

    def set(self, when: float | datetime.datetime) -> None:
        with self._lock:
            self._now = _timestamp(when)

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now


def _timestamp(value: float | datetime.datetime) -> float:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    return float(value)
