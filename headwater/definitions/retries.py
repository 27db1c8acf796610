"""Retry policies: how often and how long to wait before a failed step runs again."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from headwater.definitions.errors import Failure, InvalidDefinitionError, RetryRequested


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

    def __post_init__(self) -> None:
        if self.delay is None and (self.backoff is not None or self.jitter is not None):
            what = "backoff" if self.backoff is not None else "jitter"
            raise InvalidDefinitionError(
                f"RetryPolicy: {what}={getattr(self, what)} needs a delay to act on; pass "
                "delay=<seconds> too")

    def calculate_delay(self, attempt_num: int) -> float:
        """Seconds to wait before retry number ``attempt_num`` (1 for the first retry).

        As Dagster computes it: linear is ``delay * n``, exponential ``delay * (2**n - 1)``;
        full jitter picks in ``[0, d]``, plus-minus in ``[d - delay, d + delay]`` (at least 0).
        """
        base = float(self.delay or 0)
        if self.backoff is Backoff.EXPONENTIAL:
            wait = base * (2 ** attempt_num - 1)
        elif self.backoff is Backoff.LINEAR:
            wait = base * attempt_num
        else:
            wait = base
        if self.jitter is Jitter.FULL:
            return random.uniform(0, wait)
        if self.jitter is Jitter.PLUS_MINUS:
            return max(0.0, wait + random.uniform(-base, base))
        return wait


def retry_wait(error: BaseException, policy: RetryPolicy | None, retries_done: int) -> float | None:
    """Seconds to wait before retrying a step that failed with ``error`` after ``retries_done``
    retries, or None when it must not be retried (no policy, limit reached, or a ``Failure``
    raised with ``allow_retries=False``)."""
    if isinstance(error, Failure) and not error.allow_retries:
        return None
    if isinstance(error, RetryRequested):
        if retries_done >= (error.max_retries or 0):
            return None
        return float(error.seconds_to_wait or 0)
    if policy is None or retries_done >= policy.max_retries:
        return None
    return policy.calculate_delay(retries_done + 1)
