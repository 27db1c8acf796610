"""The automation (schedules, sensors, tick history) and backfill pages in Chromium, against
the real web app over an instance the module fills and an in-process code location."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlsplit

import pytest

from .requirement import PLAYWRIGHT_MISSING, unavailable

try:
    from playwright.sync_api import Page, expect
except ImportError:
    unavailable(PLAYWRIGHT_MISSING)

import headwater as hw  # noqa: E402

from . import seeded  # noqa: E402
from .pages import AppShell, AutomationPage, BackfillsPage, RunDetailPage, TicksPage  # noqa: E402
from .servers import serve_asgi  # noqa: E402

LOCATION = "automation_tests"
SENSOR_TICKS = 30  # more than one page of ticks (25)

sales_job = hw.define_asset_job("sales_job", selection=[seeded.daily_sales])


@hw.schedule("0 6 * * *", job=sales_job, execution_timezone="Europe/Oslo")
def morning_sales(context):
    return hw.RunRequest()


@hw.sensor(job=sales_job, minimum_interval_seconds=120)
def new_sales_files(context):
    return hw.SkipReason("no new files")


DEFS = hw.Definitions(assets=seeded.ASSETS, jobs=[sales_job], schedules=[morning_sales],
                      sensors=[new_sales_files])


class Site:
    def __init__(self, url: str, instance: object, run_id: str) -> None:
        self.url, self.instance, self.run_id = url, instance, run_id


def _seed_sensor_ticks(instance, run_id: str) -> None:
    """Ticks of `new_sales_files`, oldest first: skips, one failure, then one with a run."""
    from headwater.storage.instigators import InstigatorType, TickStatus, selector_id

    sid = selector_id(LOCATION, "new_sales_files")

    def add(i: int, status, **fields) -> None:
        tick = instance.create_tick(sid, "new_sales_files", InstigatorType.SENSOR, f"t{i}",
                                    1_800_000_000.0 + 120 * i)
        instance.update_tick(replace(tick, status=status, **fields))

    for i in range(SENSOR_TICKS - 2):
        add(i, TickStatus.SKIPPED, skip_reason=f"no new files ({i})")
    add(SENSOR_TICKS - 2, TickStatus.FAILURE,
        error="Traceback (most recent call last):\n  ...\nValueError: the bucket is gone")
    add(SENSOR_TICKS - 1, TickStatus.SUCCESS, run_ids=(run_id,), run_keys=("file-1",))


@pytest.fixture(scope="module")
def site(static_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from headwater.locations.in_process import InProcessLocation
    from headwater.storage import Instance
    from headwater.web.app import create_app
    from headwater.web.context import WebContext

    with Instance.local(tmp_path_factory.mktemp("automation-home")) as instance:
        run_id = hw.materialize([seeded.raw_orders], instance=instance).run_id
        _seed_sensor_ticks(instance, run_id)
        locations = [InProcessLocation(LOCATION, lambda: DEFS, instance,
                                       "module tests.browser.test_automation_pages")]
        with serve_asgi(create_app(WebContext(instance, lambda: locations))) as url:
            yield Site(url, instance, run_id)


def _is_api(path: str):
    return lambda response: urlsplit(response.url).path == path


def test_a_schedule_is_started_and_stopped_from_the_automation_page(page: Page, site: Site):
    from headwater.storage.instigators import InstigatorStatus, selector_id

    automation = AutomationPage(page)
    AppShell(page, site.url).open("/automation")
    expect(automation.row("Schedules", "morning_sales")).to_contain_text("0 6 * * *")
    expect(automation.row("Schedules", "morning_sales")).to_contain_text("Europe/Oslo")
    expect(automation.status("Schedules", "morning_sales")).to_have_text("STOPPED")
    expect(automation.row("Sensors", "new_sales_files")).to_contain_text("2 min")
    expect(automation.row("Sensors", "new_sales_files")).to_contain_text("SUCCESS")

    start = f"/api/v1/schedules/{LOCATION}/morning_sales/start"
    with page.expect_response(_is_api(start)) as answer:
        automation.toggle("Schedules", "morning_sales", "Start").click()
    assert answer.value.status == 200
    expect(automation.status("Schedules", "morning_sales")).to_have_text("RUNNING")
    state = site.instance.get_instigator_state(selector_id(LOCATION, "morning_sales"))
    assert state is not None and state.status == InstigatorStatus.RUNNING

    automation.toggle("Schedules", "morning_sales", "Stop").click()
    expect(automation.status("Schedules", "morning_sales")).to_have_text("STOPPED")
    expect(automation.toggle("Schedules", "morning_sales", "Start")).to_be_enabled()
    state = site.instance.get_instigator_state(selector_id(LOCATION, "morning_sales"))
    assert state is not None and state.status == InstigatorStatus.STOPPED


def test_a_sensors_ticks_are_shown_newest_first_with_more_on_demand(page: Page, site: Site):
    AppShell(page, site.url).open("/automation")
    AutomationPage(page).row("Sensors", "new_sales_files").get_by_role(
        "link", name="new_sales_files").click()
    expect(page).to_have_url(f"{site.url}/automation/sensors/{LOCATION}/new_sales_files")
    expect(AppShell(page, site.url).heading).to_have_text("new_sales_files")

    ticks = TicksPage(page)
    expect(ticks.rows).to_have_count(25)
    newest, failed = ticks.rows.nth(0), ticks.rows.nth(1)
    expect(newest).to_have_attribute("data-status", "SUCCESS")
    expect(failed).to_have_attribute("data-status", "FAILURE")
    expect(failed.locator("pre")).to_contain_text("ValueError: the bucket is gone")
    expect(ticks.rows.nth(2)).to_contain_text(f"no new files ({SENSOR_TICKS - 3})")

    ticks.load_more.click()
    expect(ticks.rows).to_have_count(SENSOR_TICKS)
    expect(ticks.rows.last).to_contain_text("no new files (0)")
    expect(ticks.load_more).to_have_count(0)

    newest.get_by_role("link", name=site.run_id[:8]).click()
    expect(page).to_have_url(f"{site.url}/runs/{site.run_id}")
    expect(RunDetailPage(page).status).to_have_text("SUCCESS")


def test_a_backfill_is_listed_with_its_progress_and_canceled_from_its_page(page: Page,
                                                                           site: Site):
    from headwater.definitions.tags import BACKFILL_ID_TAG, PARTITION_NAME_TAG
    from headwater.storage.backfills import BulkActionStatus
    from headwater.storage.runs import RunStatus

    launched = page.request.post(f"{site.url}/api/v1/backfills", data={
        "location": LOCATION, "asset_selection": [["daily_sales"]],
        "partition_keys": ["p00", "p01", "p02", "p03"], "policy": "per-partition",
        "title": "Sales, first days"})
    assert launched.status == 201, launched.text()
    backfill_id = launched.json()["backfill_id"]

    def record(status: RunStatus, partition: str) -> str:
        return site.instance.create_run("__ASSET_JOB", status=status, tags={
            BACKFILL_ID_TAG: backfill_id, PARTITION_NAME_TAG: partition}).run_id

    record(RunStatus.SUCCESS, "p00")
    queued = record(RunStatus.QUEUED, "p01")

    backfills = BackfillsPage(page)
    AppShell(page, site.url).open("/backfills")
    row = backfills.row(backfill_id)
    expect(row).to_contain_text("Sales, first days")
    expect(row).to_contain_text("REQUESTED")
    expect(row.get_by_role("progressbar")).to_have_attribute(
        "aria-valuetext", "1 of 4 partitions succeeded")

    row.get_by_role("link", name=backfill_id).click()
    expect(page).to_have_url(f"{site.url}/backfills/{backfill_id}")
    expect(backfills.status).to_have_text("REQUESTED")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Backfill {backfill_id}")
    expect(page.locator(".facts")).to_contain_text("daily_sales")
    expect(backfills.count("requested")).to_have_text("4")
    expect(backfills.count("succeeded")).to_have_text("1")
    expect(backfills.count("in_progress")).to_have_text("1")
    expect(backfills.count("pending")).to_have_text("2")
    expect(backfills.runs).to_have_count(2)

    with page.expect_response(_is_api(f"/api/v1/backfills/{backfill_id}/cancel")) as answer:
        backfills.cancel_button.click()
    assert answer.value.status == 200
    expect(backfills.status).to_have_text("CANCELED")
    expect(backfills.cancel_button).to_have_count(0)
    assert site.instance.get_backfill(backfill_id).status == BulkActionStatus.CANCELED
    assert site.instance.get_run_by_id(queued).status == RunStatus.CANCELED

    AppShell(page, site.url).go_to("Backfills")
    expect(backfills.row(backfill_id)).to_contain_text("CANCELED")
