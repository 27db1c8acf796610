"""Retry policies: how often and how long to wait before a failed step runs again."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass


class Backoff(enum.Enum):
    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


class Jitter(enum.Enum):
    FULL = "FULL"
    PLUS_MINUS = "PLUS_MINUS"


@dataclass(frozen=True)
class RetryPolicy:
    """Retry a failed step up to ``max_retries`` times, waiting ``delay`` seconds (grown by
    ``backoff`` and spread by ``jitter``) before each attempt."""

    max_retries: int = 1
    delay: float | None = None
    backoff: Backoff | None = None
    jitter: Jitter | None = None

    def calculate_delay(self, attempt_num: int) -> float:
        """Seconds to wait before retry number ``attempt_num`` (1 for the first retry)."""
        base = float(self.delay or 0)
        if self.backoff is Backoff.EXPONENTIAL:
            base = base * (2 ** (attempt_num - 1))
        elif self.backoff is Backoff.LINEAR:
            base = base * attempt_num
        if self.jitter is Jitter.FULL:
            return random.uniform(0, base)
        if self.jitter is Jitter.PLUS_MINUS:
            return max(0.0, base + random.uniform(-base, base))
        return base
