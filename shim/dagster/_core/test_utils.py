"""``dagster._core.test_utils`` on Headwater: the testing helpers projects' tests import."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from headwater.storage import instance_for_test

__all__ = ["environ", "ignore_warning", "instance_for_test", "raise_exception_on_warnings"]


@contextmanager
def environ(env: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for ``None``, unset) environment variables for the block, then restore them."""
    previous = {name: os.environ.get(name) for name in env}
    try:
        for name, value in env.items():
            _set(name, value)
        yield
    finally:
        for name, value in previous.items():
            _set(name, value)


def _set(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def ignore_warning(message_substr: str) -> None:
    warnings.filterwarnings("ignore", message=f".*{message_substr}.*")


def raise_exception_on_warnings() -> None:
    warnings.resetwarnings()
    warnings.filterwarnings("error")
