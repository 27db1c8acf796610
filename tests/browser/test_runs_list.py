"""The run list in Chromium against the real app: filters by status, job and tag (kept in the
URL), and paging through the server's cursor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .requirement import PLAYWRIGHT_MISSING, unavailable

try:
    from playwright.sync_api import Page, expect
except ImportError:
    unavailable(PLAYWRIGHT_MISSING)

from .pages import AppShell, RunsPage  # noqa: E402
from .servers import serve_asgi  # noqa: E402

# 55 successful runs of `alpha` (every fifth tagged team=data) and 3 failed runs of `beta`:
# more than one page (50) in all.
ALPHA_RUNS, BETA_RUNS = 55, 3


@pytest.fixture(scope="module")
def runs_url(static_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from headwater.storage import Instance
    from headwater.storage.runs import Run, RunStatus
    from headwater.web.app import create_app
    from headwater.web.context import WebContext

    with Instance.local(tmp_path_factory.mktemp("runs-list-home")) as instance:
        for i in range(ALPHA_RUNS):
            tags = {"team": "data"} if i % 5 == 0 else {}
            instance.add_run(Run(job_name="alpha", status=RunStatus.SUCCESS, tags=tags))
        for _ in range(BETA_RUNS):
            instance.add_run(Run(job_name="beta", status=RunStatus.FAILURE))
        with serve_asgi(create_app(WebContext(instance, lambda: []))) as url:
            yield url


def _jobs(runs: RunsPage) -> list[Any]:
    return runs.rows.locator("td:nth-child(2)").all_inner_texts()


def test_the_list_pages_through_every_run(page: Page, runs_url: str):
    AppShell(page, runs_url).open("/runs")
    runs = RunsPage(page)
    expect(runs.rows).to_have_count(50)
    runs.load_more.click()
    expect(runs.rows).to_have_count(ALPHA_RUNS + BETA_RUNS)
    expect(runs.load_more).to_have_count(0)


def test_filter_by_status_then_clear(page: Page, runs_url: str):
    AppShell(page, runs_url).open("/runs")
    runs = RunsPage(page)
    expect(runs.rows).to_have_count(50)
    runs.status_filter("FAILURE").check()
    expect(runs.rows).to_have_count(BETA_RUNS)
    assert set(_jobs(runs)) == {"beta"}
    expect(page).to_have_url(f"{runs_url}/runs?status=FAILURE")
    runs.clear_filters.click()
    expect(runs.rows).to_have_count(50)


def test_filter_by_job_and_tag_from_a_link(page: Page, runs_url: str):
    AppShell(page, runs_url).open("/runs?job=alpha&tag=team%3Ddata")  # a shared link
    runs = RunsPage(page)
    expect(runs.rows).to_have_count(ALPHA_RUNS // 5)
    expect(runs.tag_filters).to_have_text(["team=data ×"])
    runs.job_filter.fill("beta")
    runs.job_filter.press("Enter")
    expect(runs.empty_filtered).to_be_visible()


def test_a_malformed_tag_is_explained(page: Page, runs_url: str):
    AppShell(page, runs_url).open("/runs")
    runs = RunsPage(page)
    runs.tag_filter.fill("team")
    runs.tag_filter.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("A tag filter is KEY=VALUE, e.g. team=data.")
    expect(runs.rows).to_have_count(50)
