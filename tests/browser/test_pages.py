"""The asset graph, asset, run and deployment pages in Chromium, against the real web app over
an instance the module fills (tests/browser/seeded.py) and in-process code locations."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from .requirement import PLAYWRIGHT_MISSING, unavailable

try:
    from playwright.sync_api import Page, expect
except ImportError:
    unavailable(PLAYWRIGHT_MISSING)

from . import seeded  # noqa: E402
from .pages import (  # noqa: E402
    AppShell,
    AssetDetailPage,
    AssetGraphPage,
    DeploymentPage,
    RunDetailPage,
    RunsPage,
)
from .servers import serve_asgi  # noqa: E402


@pytest.fixture(scope="module")
def site(static_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[seeded.Seeded]:
    """The real app over an instance with materializations and runs, serving two locations:
    `browser_tests` (the assets) and `flaky` (fails to load until the test fixes it)."""
    from headwater.locations.in_process import InProcessLocation
    from headwater.storage import Instance
    from headwater.web.app import create_app
    from headwater.web.context import WebContext

    flaky: dict[str, bool] = {"fixed": False}

    def load_flaky():
        if not flaky["fixed"]:
            raise ImportError("No module named 'snow_sources'")
        import headwater as hw

        return hw.Definitions()

    with Instance.local(tmp_path_factory.mktemp("pages-home")) as instance:
        ok_run, failed_run = seeded.materialize_all(instance)
        locations = [
            InProcessLocation("browser_tests", lambda: seeded.DEFS, instance,
                              "module tests.browser.seeded"),
            InProcessLocation("flaky", load_flaky, instance, "module snow_sources"),
        ]
        with serve_asgi(create_app(WebContext(instance, lambda: locations))) as url:
            yield seeded.Seeded(url, instance, ok_run, failed_run, flaky)


def _is_api(path: str):
    return lambda response: urlsplit(response.url).path == path


# --- the asset graph ---

def test_graph_draws_and_a_clicked_node_opens_the_side_panel(page: Page, site: seeded.Seeded):
    graph = AssetGraphPage(page)
    with page.expect_response(_is_api("/api/v1/asset_graph")) as response:
        AppShell(page, site.url).open("/assets")
    body = response.value.json()
    assert sorted(body["layout"]["node_ids"]) == sorted(a.key.to_user_string() for a in
                                                         seeded.ASSETS)
    expect(graph.canvas).to_have_attribute("data-node-count", "5")
    expect(graph.side_panel).to_have_count(0)

    x, y = graph.node_center(body, "raw_orders")
    page.mouse.click(x, y)
    expect(graph.selected_key).to_have_text("raw_orders")
    expect(graph.side_panel).to_contain_text("Materialized")
    expect(graph.side_panel).to_contain_text("Downstream1 asset")

    graph.side_panel.get_by_role("link", name="Open the asset page").click()
    expect(page).to_have_url(f"{site.url}/assets/raw_orders")
    expect(AppShell(page, site.url).heading).to_have_text("raw_orders")


def test_graph_search_highlights_matches_and_selects_one(page: Page, site: seeded.Seeded):
    graph = AssetGraphPage(page)
    AppShell(page, site.url).open("/assets")
    expect(graph.canvas).to_be_visible()
    graph.search.fill("ORDER")
    expect(page.get_by_role("status").filter(has_text="match")).to_have_text("2 matches")
    expect(graph.search_results).to_have_text(["order_totals", "raw_orders"])
    graph.search_results.filter(has_text="order_totals").click()
    expect(graph.selected_key).to_have_text("order_totals")
    expect(graph.side_panel).to_contain_text("Upstream1 asset")


def test_collapsed_groups_are_boxes_that_expand_when_clicked(page: Page, site: seeded.Seeded):
    graph = AssetGraphPage(page)
    AppShell(page, site.url).open("/assets")
    expect(graph.canvas).to_have_attribute("data-node-count", "5")
    with page.expect_response(_is_api("/api/v1/asset_graph")) as response:
        page.get_by_role("combobox", name="Groups").select_option("all")
    body = response.value.json()
    assert sorted(body["layout"]["node_ids"]) == ["marts", "sources"]
    assert body["node_kinds"] == ["group", "group"]
    expect(graph.canvas).to_have_attribute("data-node-count", "2")

    x, y = graph.node_center(body, "marts")
    with page.expect_response(_is_api("/api/v1/asset_graph")) as response:
        page.mouse.click(x, y)
    assert "expand=marts" in response.value.url
    body = response.value.json()
    assert sorted(body["layout"]["node_ids"]) == ["daily_sales", "order_totals", "sources"]
    expect(graph.canvas).to_have_attribute("data-node-count", "3")


def test_graph_of_an_empty_deployment_says_so(page: Page, ui_url: str):
    AppShell(page, ui_url).open("/assets")
    expect(page.get_by_text("No assets yet.")).to_be_visible()


# --- the asset page ---

def test_asset_page_shows_the_definition_and_the_metadata_by_kind(page: Page,
                                                                  site: seeded.Seeded):
    AppShell(page, site.url).open("/assets/raw_orders")
    asset = AssetDetailPage(page)
    expect(page.get_by_text("Orders as the shop exports them.")).to_be_visible()
    expect(page.get_by_role("list", name="Downstream assets").get_by_role("link")).to_have_text(
        ["order_totals"])
    expect(asset.materializations).to_have_count(1)
    expect(asset.metadata_value("row_count")).to_have_text("42")
    expect(asset.metadata_value("note")).to_have_text("exported nightly")
    link = asset.metadata_value("source").get_by_role("link")
    expect(link).to_have_attribute("href", "https://example.com/orders.csv")
    expect(asset.metadata_value("summary").locator("pre")).to_have_text("# Orders\n- 42 rows")
    expect(asset.metadata_value("shape").locator("pre")).to_contain_text('"columns"')

    page.get_by_role("list", name="Downstream assets").get_by_role("link").click()
    expect(page).to_have_url(f"{site.url}/assets/order_totals")
    expect(asset.materializations).to_have_count(1)


def test_asset_page_draws_the_partition_bar_with_its_counts(page: Page, site: seeded.Seeded):
    AppShell(page, site.url).open("/assets/daily_sales")
    asset = AssetDetailPage(page)
    expect(asset.partition_bar).to_be_visible()
    expect(asset.partition_count("TOTAL")).to_have_text("10")
    expect(asset.partition_count("MATERIALIZED")).to_have_text(
        str(len(seeded.MATERIALIZED_PARTITIONS)))
    expect(asset.partition_count("FAILED")).to_have_text("1")
    expect(asset.partition_count("MISSING")).to_have_text("6")
    # The bar is drawn: its last columns (p09, missing) differ from its first (p00, materialized).
    first, last = asset.partition_bar.evaluate("""el => {
        const ctx = el.getContext('2d');
        const px = x => Array.from(ctx.getImageData(x, el.height - 1, 1, 1).data).join(',');
        return [px(0), px(el.width - 1)];
    }""")
    assert first != last
    expect(asset.materializations).to_have_count(len(seeded.MATERIALIZED_PARTITIONS))


def test_an_unknown_asset_shows_the_servers_error(page: Page, site: seeded.Seeded):
    AppShell(page, site.url).open("/assets/no/such/asset")
    expect(page.get_by_role("alert")).to_contain_text("The asset could not be loaded.")


# --- the run page ---

def test_failed_run_page_shows_the_users_error(page: Page, site: seeded.Seeded):
    shell = AppShell(page, site.url)
    shell.open("/runs")
    RunsPage(page).table.get_by_role("link", name=site.failed_run_id[:8]).click()
    expect(page).to_have_url(f"{site.url}/runs/{site.failed_run_id}")

    run = RunDetailPage(page)
    expect(run.status).to_have_text("FAILURE")
    expect(run.cancel_button).to_have_count(0)
    failure = run.rows_of_type("STEP_FAILURE")
    expect(failure).to_have_count(1)
    expect(failure.locator("pre")).to_contain_text("ValueError")
    expect(failure.locator("pre")).to_contain_text("the source is down")
    expect(failure.locator("pre")).to_contain_text("raise ValueError")  # the user's frame

    run.filter.fill("the source is down")
    expect(run.rows).not_to_have_count(0)
    for text in run.rows.all_inner_texts():
        assert "the source is down" in text
    run.filter.fill("")
    run.step_filter.select_option("broken")
    expect(run.rows_of_type("PIPELINE_START")).to_have_count(0)
    expect(run.rows_of_type("STEP_FAILURE")).to_have_count(1)


def test_run_page_follows_a_live_run_until_it_ends(page: Page, site: seeded.Seeded):
    run_id = str(uuid.uuid4())
    seeded.RELEASE_SLOW.clear()
    worker = threading.Thread(target=lambda: seeded.hw.materialize(
        [seeded.slow], instance=site.instance, run_id=run_id), daemon=True)
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while site.instance.get_run_by_id(run_id) is None:  # a condition with a deadline
            assert time.monotonic() < deadline, "the run was never stored"
            time.sleep(0.02)
        AppShell(page, site.url).open(f"/runs/{run_id}")
        run = RunDetailPage(page)
        expect(run.log).to_contain_text("slow is waiting for the test")
        expect(run.status).not_to_have_text("SUCCESS")
        expect(run.cancel_button).to_be_visible()

        seeded.RELEASE_SLOW.set()
        expect(run.log).to_contain_text("slow was released")
        expect(run.rows_of_type("PIPELINE_SUCCESS")).to_have_count(1)
        expect(run.status).to_have_text("SUCCESS")
        expect(run.cancel_button).to_have_count(0)
    finally:
        seeded.RELEASE_SLOW.set()
        worker.join(timeout=30)


# --- deployment ---

def test_deployment_lists_locations_with_errors_and_reloads_one(page: Page,
                                                                site: seeded.Seeded):
    AppShell(page, site.url).open("/deployment")
    deployment = DeploymentPage(page)
    good = deployment.location("browser_tests")
    expect(good).to_contain_text("LOADED")
    expect(good).to_contain_text(f"Assets{len(seeded.ASSETS)}")
    flaky = deployment.location("flaky")
    expect(flaky).to_contain_text("FAILED")
    expect(flaky).to_contain_text("No module named 'snow_sources'")

    site.flaky["fixed"] = True  # the user fixes the code, then reloads
    with page.expect_response(_is_api("/api/v1/code_locations/flaky/reload")) as reload:
        deployment.reload_button("flaky").click()
    assert reload.value.status == 200
    expect(flaky).to_contain_text("LOADED")
    expect(flaky).not_to_contain_text("snow_sources'")


# --- scale: what the server would send for big data, served from the test ---

def test_partition_bar_counts_100k_partitions(page: Page, site: seeded.Seeded):
    n = 100_000
    statuses = "M" * 60_000 + "F" * 10 + "-" * (n - 60_010)
    page.route("**/api/v1/assets/daily_sales/partitions*", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({
            "total": n, "counts": {"MATERIALIZED": 60_000, "FAILED": 10, "MISSING": n - 60_010},
            "statuses": statuses, "ranges": [], "ranges_truncated": True})))
    AppShell(page, site.url).open("/assets/daily_sales")
    asset = AssetDetailPage(page)
    expect(asset.partition_count("TOTAL")).to_have_text("100,000")
    expect(asset.partition_count("MATERIALIZED")).to_have_text("60,000")
    expect(asset.partition_count("FAILED")).to_have_text("10")
    expect(asset.partition_count("MISSING")).to_have_text("39,990")
    colours = asset.partition_bar.evaluate("""el => {
        const ctx = el.getContext('2d');
        const px = x => Array.from(ctx.getImageData(x, el.height - 1, 1, 1).data).join(',');
        return [px(0), px(Math.floor(el.width * 0.6)), px(el.width - 1)];
    }""")
    first, failed, last = colours
    assert len({first, failed, last}) == 3  # materialized, the failed bucket, missing


def test_event_log_renders_only_the_visible_rows_of_a_long_log(page: Page,
                                                               site: seeded.Seeded):
    run_id = site.success_run_id
    n = 20_000
    events = [{"storage_id": i + 1, "run_id": run_id, "timestamp": 1796680188.0 + i,
               "event_type": "LOG", "level": "INFO", "message": f"line {i + 1}",
               "step_key": "raw_orders", "asset_key": None, "partition": None,
               "error": None, "data": None} for i in range(n)]

    def events_page(route):
        query = parse_qs(urlsplit(route.request.url).query)
        after = int(query.get("cursor", ["0"])[0])
        limit = int(query["limit"][0])
        items = events[after:after + limit]
        route.fulfill(status=200, content_type="application/json", body=json.dumps({
            "items": items, "has_more": after + limit < n,
            "next_cursor": items[-1]["storage_id"] if items else after}))

    page.route(f"**/api/v1/runs/{run_id}/events?*", events_page)
    page.route(f"**/api/v1/runs/{run_id}/events/stream*", lambda route: route.fulfill(
        status=200, content_type="text/event-stream", body="event: end\ndata: {}\n\n"))
    AppShell(page, site.url).open(f"/runs/{run_id}")
    run = RunDetailPage(page)
    expect(page.get_by_role("status").filter(has_text="events")).to_have_text("20000 events")
    # The log follows its tail: the last line is on screen, and only a window of rows exists.
    expect(run.log.get_by_text("line 20000", exact=True)).to_be_visible()
    assert run.rows.count() < 100
    run.log.evaluate("el => { el.scrollTop = 0; }")
    expect(run.log.get_by_text("line 1", exact=True)).to_be_visible()
    assert run.rows.count() < 100
    run.filter.fill("line 1234")
    expect(page.get_by_role("status").filter(has_text="events")).to_have_text(
        "11 of 20000 events")


def test_cancel_button_cancels_a_running_run(page: Page, site: seeded.Seeded):
    run_id = str(uuid.uuid4())
    seeded.RELEASE_SLOW.clear()
    worker = threading.Thread(target=lambda: seeded.hw.materialize(
        [seeded.slow], instance=site.instance, run_id=run_id, raise_on_error=False),
        daemon=True)
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while site.instance.get_run_by_id(run_id) is None:  # a condition with a deadline
            assert time.monotonic() < deadline, "the run was never stored"
            time.sleep(0.02)
        AppShell(page, site.url).open(f"/runs/{run_id}")
        run = RunDetailPage(page)
        expect(run.log).to_contain_text("slow is waiting for the test")
        with page.expect_response(_is_api(f"/api/v1/runs/{run_id}/cancel")) as cancel:
            run.cancel_button.click()
        assert cancel.value.status == 200
        # An in-process run stops at its next step boundary: canceling until `slow` returns.
        expect(run.status).to_have_text("CANCELING")
        expect(run.cancel_button).to_have_count(0)
        seeded.RELEASE_SLOW.set()
        expect(run.status).to_have_text("CANCELED")
    finally:
        seeded.RELEASE_SLOW.set()
        worker.join(timeout=30)
