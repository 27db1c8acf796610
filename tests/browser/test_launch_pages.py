"""Launching from the UI and the run page's timeline, output, failures and re-execution, in
Chromium, against the real web app with the real daemon dequeuing what the pages launch.

Runs launched from the web are QUEUED (``POST /launches`` calls ``queue_run``); the module's
site runs the daemon's own components (``run_daemon`` with ``default_components``, as
``headwater daemon run --in-process`` does) over the same instance and an in-process code
location, so a queued run is dequeued and run on a thread of the test process. Schedules are
toggled in test_automation_pages.py.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from .requirement import PLAYWRIGHT_MISSING, unavailable

try:
    from playwright.sync_api import Page, expect
except ImportError:
    unavailable(PLAYWRIGHT_MISSING)

from . import launchable  # noqa: E402
from .pages import AppShell, AssetDetailPage, MaterializePanel, RunDetailPage, StepTimeline  # noqa: E402
from .servers import serve_asgi  # noqa: E402

LOCATION = "launch_tests"
RUN_URL = re.compile(r"/runs/([0-9a-f-]{36})$")


@dataclass
class Site:
    url: str
    instance: Any


@pytest.fixture(scope="module")
def site(static_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The web app and the daemon over one instance and one in-process code location."""
    from headwater.daemon.runner import default_components, run_daemon
    from headwater.locations.in_process import InProcessLocation
    from headwater.storage import Instance
    from headwater.web.app import create_app
    from headwater.web.context import WebContext

    with Instance.local(tmp_path_factory.mktemp("launch-home")) as instance:
        location = InProcessLocation(LOCATION, lambda: launchable.DEFS, instance,
                                     "module tests.browser.launchable")
        locations = [location]
        stop, ready = threading.Event(), threading.Event()
        failure: list[BaseException] = []

        def daemon() -> None:
            try:
                run_daemon(instance, default_components(instance, lambda: locations), stop,
                           on_ready=ready.set)
            except BaseException as e:  # noqa: BLE001 - reported by the fixture
                failure.append(e)
                ready.set()

        thread = threading.Thread(target=daemon, name="launch-tests-daemon", daemon=True)
        thread.start()
        try:
            assert ready.wait(30) and not failure, f"the daemon did not start: {failure}"
            with serve_asgi(create_app(WebContext(instance, lambda: locations))) as url:
                yield Site(url, instance)
        finally:
            launchable.RELEASE_EXTRACT.set()
            stop.set()
            thread.join(timeout=30)
            location.wait_for_runs(timeout=30)
            assert not thread.is_alive(), "the daemon did not stop"


def _opened_run(page: Page, leaving: str | None = None) -> str:
    """The id of the run page the browser went to (from run `leaving`'s page, if given)."""
    if leaving is not None:
        expect(page).not_to_have_url(re.compile(f"/runs/{leaving}$"))
    expect(page).to_have_url(RUN_URL)
    match = RUN_URL.search(page.url)
    assert match is not None
    return match.group(1)


def _launch(site: Site, *keys: str) -> str:
    """Queue a run of `keys` through the API, as a page would."""
    from headwater.client import HeadwaterClient

    answer = HeadwaterClient(site.url).launch(LOCATION, asset_selection=[[k] for k in keys])
    return str(answer["run_id"])


def test_an_asset_materialized_from_its_page_runs_live_with_its_output(page: Page,
                                                                       site: Site):
    launchable.RELEASE_EXTRACT.clear()
    try:
        AppShell(page, site.url).open("/assets/extract")
        materialize = MaterializePanel(page)
        expect(materialize.button).to_be_enabled()
        materialize.button.click()
        run_id = _opened_run(page)
        assert site.instance.get_run_by_id(run_id).tags["headwater/code_location"] == LOCATION

        run, steps = RunDetailPage(page), StepTimeline(page)
        # dequeued by the daemon and started: the step's bar is there, running
        expect(steps.row("extract")).to_have_attribute("data-outcome", "running")
        expect(run.status).not_to_have_text("SUCCESS")
        expect(steps.reexecute("from failure")).to_be_disabled()
        steps.bar("extract").click()
        expect(steps.output("extract")).to_contain_text(launchable.EXTRACT_FIRST_LINE)
        expect(steps.output("extract")).not_to_contain_text(launchable.EXTRACT_LAST_LINE)
        expect(run.step_filter).to_have_value("extract")
    finally:
        launchable.RELEASE_EXTRACT.set()  # also when an expectation above failed

    # the output follows the running step, and the page follows the run to its end
    expect(steps.output("extract")).to_contain_text(launchable.EXTRACT_LAST_LINE)
    expect(run.status).to_have_text("SUCCESS")
    expect(steps.row("extract")).to_have_attribute("data-outcome", "success")
    expect(steps.rows).to_have_count(1)
    expect(run.rows_of_type("STEP_SUCCESS")).to_have_count(1)
    expect(run.rows_of_type("PIPELINE_SUCCESS")).to_have_count(0)  # the log shows `extract` only
    steps.stream_button("stderr").click()
    expect(steps.output("extract", "stderr")).to_have_text(launchable.EXTRACT_WARNING + "\n")

    steps.bar("extract").click()  # a second click clears the filter: the whole log
    expect(run.step_filter).to_have_value("")
    expect(run.rows_of_type("PIPELINE_SUCCESS")).to_have_count(1)
    expect(steps.reexecute("all steps")).to_be_enabled()


def test_a_failed_run_shows_the_users_traceback_and_is_re_executed_from_failure(
        page: Page, site: Site):
    launchable.FAIL_TRANSFORM.set()
    try:
        failed = _launch(site, "extract", "transform")
        AppShell(page, site.url).open(f"/runs/{failed}")
        run, steps = RunDetailPage(page), StepTimeline(page)
        expect(run.status).to_have_text("FAILURE")
        expect(steps.rows).to_have_count(2)
        expect(steps.row("extract")).to_have_attribute("data-outcome", "success")
        expect(steps.row("transform")).to_have_attribute("data-outcome", "failure")
        failure = steps.failure("transform")
        expect(failure).to_contain_text(f"ValueError: {launchable.TRANSFORM_ERROR}")
        expect(failure.locator("pre")).to_contain_text("raise ValueError(TRANSFORM_ERROR)")
        expect(failure.locator("pre")).to_contain_text("launchable.py")
        expect(steps.reexecute("all steps")).to_be_disabled()

        steps.bar("transform").click()
        expect(run.step_filter).to_have_value("transform")
        expect(run.rows_of_type("STEP_START")).to_have_count(1)
        expect(run.rows_of_type("STEP_FAILURE")).to_have_count(1)
    finally:
        launchable.FAIL_TRANSFORM.clear()  # the user fixes the bug, then re-executes

    steps.reexecute("from failure").click()
    child = _opened_run(page, leaving=failed)
    assert child != failed
    expect(run.status).to_have_text("SUCCESS")
    expect(steps.rows).to_have_count(1)  # `extract` succeeded in the parent: not run again
    expect(steps.row("transform")).to_have_attribute("data-outcome", "success")
    expect(steps.failure("transform")).to_have_count(0)
    assert site.instance.get_run_by_id(child).parent_run_id == failed

    # picked steps: `extract` alone, again
    AppShell(page, site.url).open(f"/runs/{failed}")
    expect(steps.reexecute("picked steps")).to_be_disabled()
    steps.pick("extract").check()
    steps.reexecute("1 picked step").click()
    picked = _opened_run(page, leaving=failed)
    assert picked not in (failed, child)
    expect(run.status).to_have_text("SUCCESS")
    expect(steps.rows).to_have_count(1)
    expect(steps.row("extract")).to_have_attribute("data-outcome", "success")


def test_one_partition_launched_from_the_asset_page_shows_as_materialized(page: Page,
                                                                          site: Site):
    AppShell(page, site.url).open("/assets/daily_sales")
    asset, materialize = AssetDetailPage(page), MaterializePanel(page)
    expect(asset.partition_count("MATERIALIZED")).to_have_text("0")
    expect(materialize.button).to_be_disabled()  # which partition?
    expect(materialize.partitions.first).to_have_text("p09")  # newest first
    # a key that is not one: the server's answer says so, and nothing is launched
    materialize.partition_search.fill("p99")
    expect(page.get_by_text("No partition matches.")).to_be_visible()
    page.get_by_role("button", name="Use “p99”").click()
    materialize.button.click()
    expect(page.get_by_role("alert")).to_contain_text("p99")
    expect(page).to_have_url(f"{site.url}/assets/daily_sales")

    materialize.partition_search.fill("p03")
    expect(materialize.partitions).to_have_count(1)
    materialize.partition("p03").click()
    expect(materialize.chosen).to_have_text("Partition p03")
    materialize.button.click()

    run_id = _opened_run(page)
    run, steps = RunDetailPage(page), StepTimeline(page)
    expect(run.status).to_have_text("SUCCESS")
    expect(page.get_by_text("p03", exact=True)).to_be_visible()  # the run's partition
    expect(steps.row("daily_sales")).to_have_attribute("data-outcome", "success")
    assert site.instance.get_run_by_id(run_id).tags["dagster/partition"] == "p03"

    AppShell(page, site.url).open("/assets/daily_sales")
    expect(asset.partition_count("MATERIALIZED")).to_have_text("1")
    expect(asset.partition_count("MISSING")).to_have_text("9")
    materialize.partition_search.fill("p03")
    expect(materialize.partition("p03")).to_have_attribute("data-status", "M")
    expect(asset.materializations).to_have_count(1)
    expect(asset.materializations.first).to_contain_text("p03")


def test_the_timeline_of_10k_steps_draws_only_the_rows_in_view(page: Page, site: Site):
    import json
    from urllib.parse import parse_qs, urlsplit

    import headwater as hw

    run_id = hw.materialize([launchable.extract], instance=site.instance).run_id
    n = 10_000
    events = []
    for i in range(n):
        for j, kind in enumerate(("STEP_START", "STEP_FAILURE" if i == n - 1 else "STEP_SUCCESS")):
            events.append({"storage_id": len(events) + 1, "run_id": run_id,
                           "timestamp": 1796680188.0 + i + j * 0.5, "event_type": kind,
                           "level": "DEBUG", "message": kind, "step_key": f"step_{i:05d}",
                           "asset_key": None, "partition": None, "error": None, "data": None})

    def events_page(route):
        query = parse_qs(urlsplit(route.request.url).query)
        after = int(query.get("cursor", ["0"])[0])
        items = events[after:after + int(query["limit"][0])]
        route.fulfill(status=200, content_type="application/json", body=json.dumps({
            "items": items, "has_more": after + len(items) < len(events),
            "next_cursor": items[-1]["storage_id"] if items else after}))

    page.route(f"**/api/v1/runs/{run_id}/events?*", events_page)
    page.route(f"**/api/v1/runs/{run_id}/events/stream*", lambda route: route.fulfill(
        status=200, content_type="text/event-stream", body="event: end\ndata: {}\n\n"))
    AppShell(page, site.url).open(f"/runs/{run_id}")
    steps = StepTimeline(page)
    expect(page.get_by_role("status").filter(has_text="events")).to_have_text(
        f"{2 * n} events", timeout=60_000)  # every page read (a loaded machine is slow)
    expect(steps.row("step_00000")).to_have_attribute("data-outcome", "success")
    assert steps.rows.count() < 100
    # Scrolled to the end until the last row is drawn: each poll scrolls again, so a list drawn
    # anew in between (a late page of events, the run's status) is scrolled too.
    page.wait_for_function("""() => {
        const list = document.querySelector('[aria-label="Step timeline"]');
        if (!list) return false;
        list.scrollTop = list.scrollHeight;
        return list.querySelector('li[data-step="step_09999"]') !== null;
    }""")
    expect(steps.row("step_09999")).to_have_attribute("data-outcome", "failure")
    expect(steps.row("step_00000")).to_have_count(0)
    assert steps.rows.count() < 100
    steps.bar("step_09999").click()  # the step menu is too long to list them all: it has this one
    expect(RunDetailPage(page).step_filter).to_have_value("step_09999")
    expect(page.get_by_role("status").filter(has_text="events")).to_have_text(
        f"2 of {2 * n} events")
