"""Skip, or fail when CI asks for the browser tests (``HEADWATER_REQUIRE_BROWSER=1``)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip the test (or the module, at import time) because ``reason``; fail under CI's flag."""
    if os.environ.get("HEADWATER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and HEADWATER_REQUIRE_BROWSER=1 asks for the browser tests to run.")
    pytest.skip(reason, allow_module_level=True)


PLAYWRIGHT_MISSING = "Playwright is not installed (pip install -e '.[dev]')"
