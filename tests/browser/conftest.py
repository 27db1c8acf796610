"""Browser tests: the built UI in Debian's Chromium, driven by Playwright's sync API.

Chromium is the system's (``apt-get install chromium``; ``make chromium``), never a browser that
Playwright downloads. The tests skip when Playwright, Chromium or the built UI (``make ui``) is
missing, unless ``HEADWATER_REQUIRE_BROWSER=1`` (set by ``make test``): then they fail, so that
CI never skips them silently.

``ui_url`` is the one fixture that decides what serves the UI and the API; the tests only see
its base URL.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .requirement import PLAYWRIGHT_MISSING, unavailable
from .servers import serve_asgi

REPO = Path(__file__).resolve().parents[2]
STATIC_DIR = REPO / "headwater" / "web" / "static"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Generous for a loaded 2-core machine; a passing test never waits this long.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = shutil.which("chromium")
    if path is None:
        unavailable("Chromium is not installed (`make chromium`: apt-get install -y chromium)")
    return path


@pytest.fixture(scope="session")
def static_dir() -> str:
    if not (STATIC_DIR / "index.html").is_file():
        unavailable(f"the UI is not built ({STATIC_DIR}/index.html missing; run `make ui`)")
    return str(STATIC_DIR)


@pytest.fixture(scope="session")
def ui_url(static_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the real web app (the UI and the API, uvicorn on a free port) over an
    empty instance of its own, for the whole session."""
    from headwater.storage import Instance
    from headwater.web.app import create_app
    from headwater.web.context import WebContext

    with Instance.local(tmp_path_factory.mktemp("browser-home")) as instance:
        with serve_asgi(create_app(WebContext(instance, lambda: []))) as url:
            yield url


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable(PLAYWRIGHT_MISSING)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no shared storage) and page; fails the test on a page error."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(timezone_id="UTC", locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
