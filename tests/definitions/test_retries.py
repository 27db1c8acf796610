"""When a failed step is retried, and after how long."""

from __future__ import annotations

import pytest

import headwater as dg
from headwater.definitions.retries import retry_wait


def test_no_policy_no_retry():
    assert retry_wait(ValueError(), None, 0) is None


def test_policy_limit_and_delay():
    policy = dg.RetryPolicy(max_retries=2, delay=1, backoff=dg.Backoff.EXPONENTIAL)
    assert retry_wait(ValueError(), policy, 0) == 1
    assert retry_wait(ValueError(), policy, 1) == 3
    assert retry_wait(ValueError(), policy, 2) is None


def test_retry_requested_uses_its_own_limit_and_wait():
    request = dg.RetryRequested(max_retries=1, seconds_to_wait=0.5)
    assert retry_wait(request, None, 0) == 0.5
    assert retry_wait(request, dg.RetryPolicy(max_retries=5), 1) is None


def test_failure_without_retries_is_final():
    assert retry_wait(dg.Failure("x", allow_retries=False), dg.RetryPolicy(max_retries=3), 0) is None
    assert retry_wait(dg.Failure("x"), dg.RetryPolicy(max_retries=3), 0) == 0


def test_backoff_needs_a_delay_and_the_error_says_so():
    with pytest.raises(dg.InvalidDefinitionError, match="delay"):
        dg.RetryPolicy(backoff=dg.Backoff.LINEAR)
