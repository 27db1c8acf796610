"""An asset page's checks and metadata plots, and launching a backfill from the UI, in
Chromium against the real web app over an instance this module fills."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from .requirement import PLAYWRIGHT_MISSING, unavailable

try:
    from playwright.sync_api import Page, expect
except ImportError:
    unavailable(PLAYWRIGHT_MISSING)

import headwater as hw  # noqa: E402

from .pages import AppShell, AssetHistorySections, BackfillLaunchForm, BackfillsPage  # noqa: E402
from .servers import serve_asgi  # noqa: E402

LOCATION = "asset_detail_tests"
ROW_COUNTS = [120, 80, 150, 95, 170]  # one materialization of `orders` each
OLD_BACKFILLS = 51  # one more than a page of the backfill list (50)
DAYS = [f"2024-03-{d:02d}" for d in range(1, 11)]
_rows = {"next": 0}


@hw.asset(group_name="shop", code_version="v3",
          metadata={"owner_team": "checkout", "sla_hours": 6})
def orders(context):
    rows = ROW_COUNTS[_rows["next"] % len(ROW_COUNTS)]
    _rows["next"] += 1
    context.add_output_metadata({"row_count": rows, "note": "text is not plotted"})
    return rows


@hw.asset_check(asset=orders, description="there are orders")
def has_rows(orders):
    return hw.AssetCheckResult(passed=orders > 0, metadata={"rows": orders})


@hw.asset_check(asset=orders)
def under_160(orders):
    return hw.AssetCheckResult(passed=orders <= 160, metadata={"rows": orders},
                               description=f"{orders} rows (at most 160)")


@hw.asset(group_name="shop", partitions_def=hw.DailyPartitionsDefinition(
    start_date=DAYS[0], end_date="2024-03-11"))
def daily_visits(context):
    return context.partition_key


visits_job = hw.define_asset_job("visits_job", selection=[daily_visits])
DEFS = hw.Definitions(assets=[orders, daily_visits], asset_checks=[has_rows, under_160],
                      jobs=[visits_job])


class Site:
    def __init__(self, url: str, instance: object, orders_runs: list[str]) -> None:
        self.url, self.instance, self.orders_runs = url, instance, orders_runs


def _old_backfills(instance) -> None:
    from headwater.definitions.asset_key import AssetKey
    from headwater.storage.backfills import PartitionBackfill

    for i in range(OLD_BACKFILLS):
        instance.add_backfill(PartitionBackfill(
            f"old{i:03d}", asset_selection=[AssetKey(["daily_visits"])],
            partition_keys=[DAYS[0]], create_timestamp=1_700_000_000.0 + i))


@pytest.fixture(scope="module")
def site(static_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from headwater.locations.in_process import InProcessLocation
    from headwater.storage import Instance
    from headwater.web.app import create_app
    from headwater.web.context import WebContext

    with Instance.local(tmp_path_factory.mktemp("asset-detail-home")) as instance:
        _rows["next"] = 0
        orders_runs = [  # the last (170) fails under_160
            hw.materialize([orders, has_rows, under_160], instance=instance,
                           raise_on_error=False).run_id for _ in ROW_COUNTS]
        for day in DAYS[:2]:
            hw.materialize([daily_visits], instance=instance, partition_key=day)
        _old_backfills(instance)
        locations = [InProcessLocation(LOCATION, lambda: DEFS, instance,
                                       "module tests.browser.test_asset_detail_pages")]
        with serve_asgi(create_app(WebContext(instance, lambda: locations))) as url:
            yield Site(url, instance, orders_runs)


def _is_launch(response) -> bool:
    return (response.request.method == "POST"
            and urlsplit(response.url).path == "/api/v1/backfills")


def test_the_checks_section_shows_each_checks_latest_result_and_its_history(page: Page,
                                                                           site: Site):
    sections = AssetHistorySections(page)
    AppShell(page, site.url).open("/assets/orders")
    expect(sections.check_outcome("has_rows")).to_have_text("Passed")
    expect(sections.check_outcome("under_160")).to_have_text("Failed")
    expect(sections.check_row("under_160")).to_contain_text("170 rows (at most 160)")
    expect(sections.check_row("has_rows").locator(".check-definition")).to_have_text(
        "there are orders")  # the definition's description
    expect(sections.check_row("under_160").locator(".check-definition")).to_have_count(0)
    expect(sections.check_row("under_160").locator(".metadata-row dd")).to_have_text("170")
    run_link = sections.check_row("under_160").get_by_role("link")
    expect(run_link).to_have_attribute("href", f"/runs/{site.orders_runs[-1]}")

    sections.history_button("under_160").click()
    history = sections.history_rows("under_160")
    expect(history).to_have_count(len(ROW_COUNTS))
    expect(history.locator(".check-outcome")).to_have_text(
        ["Failed", "Passed", "Passed", "Passed", "Passed"])  # newest first: 170, 95, 150 ...


def test_the_definition_shows_the_code_version_and_the_definitions_metadata(page: Page,
                                                                         site: Site):
    AppShell(page, site.url).open("/assets/orders")
    definition = page.get_by_role("region", name="Definition", exact=True)
    expect(definition.get_by_text("v3", exact=True)).to_be_visible()
    metadata = page.get_by_role("region", name="Definition metadata")
    expect(metadata.locator(".metadata-row dt")).to_have_text(["owner_team", "sla_hours"])
    expect(metadata.locator(".metadata-row dd")).to_have_text(["checkout", "6"])


def test_numeric_metadata_is_plotted_over_the_materializations(page: Page, site: Site):
    sections = AssetHistorySections(page)
    AppShell(page, site.url).open("/assets/orders")
    plot = sections.plot("row_count")
    expect(plot).to_have_count(1)
    expect(plot).to_have_attribute("data-point-count", str(len(ROW_COUNTS)))
    expect(sections.plot_points("row_count")).to_have_count(len(ROW_COUNTS))
    expect(plot).to_have_attribute("aria-label", _label_pattern())
    expect(sections.plot("note")).to_have_count(0)  # text is not plotted

    page.get_by_text("Values of row_count").click()
    expect(sections.plot_values("row_count").locator("td:last-child")).to_have_text(
        [str(n) for n in reversed(ROW_COUNTS)])


def _label_pattern():
    import re

    return re.compile(r"^row_count over 5 materializations from .* latest 170, min 80, max 170$")


def test_a_backfill_launched_from_the_form_opens_its_page(page: Page, site: Site):
    form = BackfillLaunchForm(page)
    backfills = BackfillsPage(page)
    AppShell(page, site.url).open("/backfills")
    form.open_button.click()
    form.assets.select_option(["daily_visits"])
    expect(form.first_partition).to_have_value(DAYS[0])  # the defaults: every key
    expect(form.last_partition).to_have_value(DAYS[-1])
    form.first_partition.fill(DAYS[2])
    form.last_partition.fill(DAYS[5])
    form.runs_policy.select_option("per-partition")
    form.title.fill("March, a few days")
    with page.expect_response(_is_launch) as answer:
        form.submit.click()
    assert answer.value.status == 201, answer.value.text()
    backfill_id = answer.value.json()["backfill_id"]

    expect(page).to_have_url(f"{site.url}/backfills/{backfill_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Backfill {backfill_id}")
    expect(backfills.status).to_have_text("REQUESTED")
    expect(page.locator(".facts")).to_contain_text(f"4 partitions ({DAYS[2]} … {DAYS[5]})")
    expect(backfills.count("requested")).to_have_text("4")
    stored = site.instance.get_backfill(backfill_id)
    assert list(stored.partition_keys) == DAYS[2:6] and stored.max_partitions_per_run == 1
    assert stored.title == "March, a few days"


def test_a_jobs_backfill_over_all_partitions(page: Page, site: Site):
    form = BackfillLaunchForm(page)
    AppShell(page, site.url).open("/backfills")
    form.open_button.click()
    form.form.get_by_label("A job").check()
    expect(form.form.get_by_label("Job", exact=True)).to_have_value("visits_job")
    form.form.get_by_label("All partitions").check()
    with page.expect_response(_is_launch) as answer:
        form.submit.click()
    assert answer.value.status == 201, answer.value.text()
    backfill_id = answer.value.json()["backfill_id"]
    expect(page).to_have_url(f"{site.url}/backfills/{backfill_id}")
    expect(page.locator(".facts")).to_contain_text(f"10 partitions ({DAYS[0]} … {DAYS[-1]})")
    # a job's backfill is of the job's assets (POST /backfills resolves it)
    assert [k.path for k in site.instance.get_backfill(backfill_id).asset_selection] == [
        ["daily_visits"]]


def test_a_backfill_of_the_missing_partitions(page: Page, site: Site):
    form = BackfillLaunchForm(page)
    AppShell(page, site.url).open("/backfills")
    form.open_button.click()
    form.assets.select_option(["daily_visits"])
    form.form.get_by_label("Missing or failed partitions").check()
    expect(page.get_by_test_id("missing-partitions")).to_have_text(
        f"8 partitions of daily_visits are missing or failed ({DAYS[2]} … {DAYS[-1]}).")
    with page.expect_response(_is_launch) as answer:
        form.submit.click()
    assert answer.value.status == 201, answer.value.text()
    backfill_id = answer.value.json()["backfill_id"]
    expect(page).to_have_url(f"{site.url}/backfills/{backfill_id}")
    expect(page.locator(".facts")).to_contain_text(f"8 partitions ({DAYS[2]} … {DAYS[-1]})")
    assert list(site.instance.get_backfill(backfill_id).partition_keys) == DAYS[2:]


def test_a_bad_range_is_refused_in_the_form(page: Page, site: Site):
    form = BackfillLaunchForm(page)
    AppShell(page, site.url).open("/backfills")
    form.open_button.click()
    form.assets.select_option(["daily_visits"])
    expect(form.first_partition).to_have_value(DAYS[0])
    form.first_partition.fill("1999-01-01")
    with page.expect_response(_is_launch) as answer:
        form.submit.click()
    assert answer.value.status == 422
    expect(form.form.get_by_role("alert")).to_contain_text("1999-01-01")
    expect(page).to_have_url(f"{site.url}/backfills")


def _launched(site: Site) -> int:
    return len(site.instance.get_backfills()) - OLD_BACKFILLS


def test_the_backfill_list_loads_more_pages(page: Page, site: Site):
    backfills = BackfillsPage(page)
    AppShell(page, site.url).open("/backfills")
    rows = page.get_by_role("table", name="Backfills").locator("tbody tr")
    expect(rows).to_have_count(50)
    expect(backfills.row("old000")).to_have_count(0)  # the oldest is on a later page
    page.get_by_role("button", name="Load more").click()
    expect(backfills.row("old000")).to_have_count(1)
    expect(rows).to_have_count(OLD_BACKFILLS + _launched(site))
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
