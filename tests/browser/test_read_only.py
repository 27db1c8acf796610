"""A read-only server (`headwater webserver --read-only`) in Chromium: the shell says so and
the write controls are disabled with the reason as their title, instead of meeting a 403."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .requirement import PLAYWRIGHT_MISSING, unavailable

try:
    from playwright.sync_api import Page, expect
except ImportError:
    unavailable(PLAYWRIGHT_MISSING)

import headwater as hw  # noqa: E402

from .pages import AppShell, AutomationPage, DeploymentPage, MaterializePanel  # noqa: E402
from .servers import serve_asgi  # noqa: E402

LOCATION = "read_only_tests"
READ_ONLY_TITLE = "Read-only: this server refuses changes"


@hw.asset(group_name="shop")
def stock():
    return 1


stock_job = hw.define_asset_job("stock_job", selection=[stock])


@hw.schedule("0 7 * * *", job=stock_job)
def morning_stock(context):
    return hw.RunRequest()


DEFS = hw.Definitions(assets=[stock], jobs=[stock_job], schedules=[morning_stock])


@pytest.fixture(scope="module")
def site(static_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from headwater.locations.in_process import InProcessLocation
    from headwater.storage import Instance
    from headwater.web.app import create_app
    from headwater.web.context import WebContext

    with Instance.local(tmp_path_factory.mktemp("read-only-home")) as instance:
        locations = [InProcessLocation(LOCATION, lambda: DEFS, instance,
                                       "module tests.browser.test_read_only")]
        app = create_app(WebContext(instance, lambda: locations, read_only=True))
        with serve_asgi(app) as url:
            yield url


def test_a_read_only_server_disables_its_write_controls(page: Page, site: str):
    shell = AppShell(page, site)
    shell.open("/assets/stock")
    expect(shell.read_only_badge).to_be_visible()
    materialize = MaterializePanel(page).button
    expect(materialize).to_be_disabled()
    expect(materialize).to_have_attribute("title", READ_ONLY_TITLE)

    shell.open("/automation")
    toggle = AutomationPage(page).toggle("Schedules", "morning_stock", "Start")
    expect(toggle).to_be_disabled()
    expect(toggle).to_have_attribute("title", READ_ONLY_TITLE)

    shell.open("/deployment")
    expect(DeploymentPage(page).reload_button(LOCATION)).to_be_disabled()

    shell.open("/backfills")
    launch = page.get_by_role("button", name="Launch a backfill")
    expect(launch).to_be_disabled()
    expect(launch).to_have_attribute("title", READ_ONLY_TITLE)
