"""The app shell and the Runs page, in Chromium, against the server from ``ui_url``."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from .requirement import PLAYWRIGHT_MISSING, unavailable

try:
    from playwright.sync_api import Page, Route, expect
except ImportError:
    unavailable(PLAYWRIGHT_MISSING)

from .pages import SECTIONS, AppShell, RunsPage  # noqa: E402


def _is_runs_api(url: str) -> bool:
    return urlsplit(url).path == "/api/v1/runs"


def _fulfill_json(route: Route, body: object, status: int = 200) -> None:
    route.fulfill(status=status, content_type="application/json", body=json.dumps(body))


def test_shell_has_the_six_sections_and_runs_shows_its_empty_state(page: Page, ui_url: str):
    shell = AppShell(page, ui_url)
    shell.open("/")

    expect(page).to_have_url(f"{ui_url}/assets")
    expect(shell.heading).to_have_text("Assets")
    expect(shell.nav_links).to_have_text(SECTIONS)

    with page.expect_response(lambda response: _is_runs_api(response.url)) as runs_call:
        shell.go_to("Runs")
    assert parse_qs(urlsplit(runs_call.value.url).query) == {"limit": ["50"]}

    runs = RunsPage(page)
    expect(page).to_have_url(f"{ui_url}/runs")
    expect(shell.heading).to_have_text("Runs")
    expect(runs.empty_state).to_be_visible()
    expect(runs.table).to_have_count(0)


def test_every_section_opens_from_the_nav(page: Page, ui_url: str):
    shell = AppShell(page, ui_url)
    shell.open("/assets")
    for section in SECTIONS:
        shell.go_to(section)
        expect(shell.heading).to_have_text(section)
        expect(shell.nav.get_by_role("link", name=section, exact=True)).to_have_class("active")


def test_runs_page_lists_the_runs(page: Page, ui_url: str):
    page.route(_is_runs_api, lambda route: _fulfill_json(route, {
        "items": [
            {"run_id": "a1b2c3d4e5f6", "job_name": "daily_snow", "status": "SUCCESS",
             "start_time": 1796680188.0, "end_time": 1796680190.5},
            {"run_id": "ffee00112233", "job_name": "__asset_job", "status": "STARTED",
             "start_time": "2026-12-07T21:50:00+00:00", "end_time": None},
        ],
        "next_cursor": None,
    }))
    shell = AppShell(page, ui_url)
    shell.open("/runs")  # a deep link: the server answers index.html for UI routes

    runs = RunsPage(page)
    expect(runs.rows).to_have_count(2)
    expect(runs.rows.nth(0).get_by_role("cell")).to_have_text(
        ["a1b2c3d4", "daily_snow", "SUCCESS", "—", "2026-12-07 21:49:48", "2026-12-07 21:49:50",
         "2.5 s"]
    )
    expect(runs.rows.nth(1).get_by_role("cell")).to_have_text(
        ["ffee0011", "__asset_job", "STARTED", "—", "2026-12-07 21:50:00", "—", "running"]
    )
    expect(runs.empty_state).to_have_count(0)


def test_runs_page_shows_the_error_and_recovers_on_retry(page: Page, ui_url: str):
    page.route(_is_runs_api, lambda route: _fulfill_json(
        route, {"error": {"message": "storage is unavailable", "fields": []}}, status=503))
    shell = AppShell(page, ui_url)
    shell.open("/runs")

    runs = RunsPage(page)
    expect(runs.error_state).to_contain_text("The runs could not be loaded.")
    expect(runs.error_state).to_contain_text("storage is unavailable")

    page.unroute(_is_runs_api)  # the server's stub answers again: no runs
    runs.retry_button.click()
    expect(runs.empty_state).to_be_visible()
    expect(runs.error_state).to_have_count(0)


def test_an_unknown_path_shows_not_found_inside_the_shell(page: Page, ui_url: str):
    shell = AppShell(page, ui_url)
    shell.open("/no/such/page")
    expect(shell.heading).to_have_text("Page not found")
    expect(shell.nav_links).to_have_count(len(SECTIONS))
