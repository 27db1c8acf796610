"""The asset graph page in Chromium: the overview drawn with WebGL (asked for with
?renderer=webgl: under --disable-gpu WebGL2 is rendered in software, where the page by itself
prefers its 2D canvas) and that 2D canvas, labels only when zoomed in, hover and click through the
layout's grid, the SVG neighbourhood of a selected asset, collapsed groups' status counts, and
picking assets to materialize them in one run (queued; no daemon needed to see it)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from .requirement import PLAYWRIGHT_MISSING, unavailable

try:
    from playwright.sync_api import Page, expect
except ImportError:
    unavailable(PLAYWRIGHT_MISSING)

import headwater as hw  # noqa: E402

from . import seeded  # noqa: E402
from .pages import AppShell, AssetGraphPage  # noqa: E402
from .servers import serve_asgi  # noqa: E402


@hw.asset(group_name="elsewhere")
def far_away():
    return 1


@pytest.fixture(scope="module")
def site(static_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[seeded.Seeded]:
    """The real app over an instance with materializations and runs, serving two locations:
    `browser_tests` (the seeded assets) and `other` (one asset of its own)."""
    from headwater.locations.in_process import InProcessLocation
    from headwater.storage import Instance
    from headwater.web.app import create_app
    from headwater.web.context import WebContext

    with Instance.local(tmp_path_factory.mktemp("graph-home")) as instance:
        ok_run, failed_run = seeded.materialize_all(instance)
        other = hw.Definitions(assets=[far_away])
        locations = [
            InProcessLocation("browser_tests", lambda: seeded.DEFS, instance,
                              "module tests.browser.seeded"),
            InProcessLocation("other", lambda: other, instance, "module other"),
        ]
        with serve_asgi(create_app(WebContext(instance, lambda: locations))) as url:
            yield seeded.Seeded(url, instance, ok_run, failed_run)


def _is_api(path: str):
    return lambda response: urlsplit(response.url).path == path


def _open(page: Page, site: seeded.Seeded,
          query: str = "?renderer=webgl") -> tuple[AssetGraphPage, dict]:
    """The graph page, drawn (WebGL unless `query` says otherwise: under --disable-gpu the
    page's own choice is the 2D canvas, see the test of that choice)."""
    graph = AssetGraphPage(page)
    with page.expect_response(_is_api("/api/v1/asset_graph")) as response:
        AppShell(page, site.url).open("/assets" + query)
    body = response.value.json()
    expect(graph.canvas).to_have_attribute("data-drawn", body["hash"])
    return graph, body


def _pixel(page: Page, graph: AssetGraphPage, x: float, y: float) -> tuple[int, int, int]:
    """The colour on screen at page point (x, y) of the graph, from a screenshot of it
    (what the compositor shows, whichever renderer drew it), decoded by the browser."""
    box = graph.canvas.bounding_box()
    assert box is not None
    png = base64.b64encode(graph.canvas.screenshot()).decode()
    rgba = page.evaluate("""async ([png, x, y]) => {
        const img = new Image();
        img.src = 'data:image/png;base64,' + png;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width; c.height = img.height;
        const ctx = c.getContext('2d');
        ctx.drawImage(img, 0, 0);
        return Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data);
    }""", [png, x - box["x"], y - box["y"]])
    return rgba[0], rgba[1], rgba[2]


MATERIALIZED_FILL = (0xD6, 0xF5, 0xDD)
FAILED_FILL = (0xFF, 0xDC, 0xD7)


def test_the_overview_is_drawn_with_webgl_in_status_colours(page: Page, site: seeded.Seeded):
    graph, body = _open(page, site)
    expect(graph.canvas).to_have_attribute("data-renderer", "webgl")
    expect(graph.canvas).to_have_attribute("data-node-count", "6")
    # The status arrives apart from the graph; once it has, the GPU draws its colours.
    expect(graph.canvas).to_have_attribute("data-status-drawn", "true")
    assert _pixel(page, graph, *graph.node_center(body, "raw_orders")) == MATERIALIZED_FILL
    assert _pixel(page, graph, *graph.node_center(body, "broken")) == FAILED_FILL


def test_labels_are_drawn_only_when_zoomed_in_and_only_for_nodes_in_view(
        page: Page, site: seeded.Seeded):
    graph, body = _open(page, site)
    expect(graph.canvas).to_have_attribute("data-labels", "6")  # 1:1, everything in view
    box = graph.canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    for _ in range(6):  # zoom in around the top-left corner: most nodes leave the view
        page.mouse.wheel(0, -240)
    expect(graph.canvas).not_to_have_attribute("data-labels", "6")
    assert int(graph.canvas.get_attribute("data-labels") or "0") < 6
    for _ in range(20):  # far out: boxes too small for text
        page.mouse.wheel(0, 480)
    expect(graph.canvas).to_have_attribute("data-labels", "0")


def test_hover_names_the_node_and_a_click_opens_the_side_panel(page: Page, site: seeded.Seeded):
    graph, body = _open(page, site)
    x, y = graph.node_center(body, "broken")
    page.mouse.move(x, y)
    expect(graph.tooltip).to_have_text("broken · Failed")
    page.mouse.click(x, y)
    expect(graph.selected_key).to_have_text("broken")
    expect(graph.side_panel).to_contain_text("Failed")


def test_webgl_rendered_in_software_gives_way_to_the_2d_canvas(page: Page,
                                                               site: seeded.Seeded):
    graph, _ = _open(page, site, "")
    expect(graph.canvas).to_have_attribute("data-webgl", re.compile("gpu|software|none"))
    offered = graph.canvas.get_attribute("data-webgl")
    # The tests' Chromium runs with --disable-gpu: WebGL2 exists there, on SwiftShader.
    assert offered == "software"
    expect(graph.canvas).to_have_attribute("data-renderer", "2d")


def test_without_webgl_the_2d_canvas_draws_and_selects(page: Page, site: seeded.Seeded):
    graph, body = _open(page, site, "?renderer=2d")
    expect(graph.canvas).to_have_attribute("data-renderer", "2d")
    expect(graph.canvas).to_have_attribute("data-status-drawn", "true")
    x, y = graph.node_center(body, "raw_orders")
    assert _pixel(page, graph, x, y) == MATERIALIZED_FILL
    page.mouse.click(x, y)
    expect(graph.selected_key).to_have_text("raw_orders")


def test_the_lineage_view_shows_the_neighbourhood_as_svg_links(page: Page,
                                                               site: seeded.Seeded):
    graph, _ = _open(page, site)
    expect(graph.lineage_toggle).to_be_disabled()
    graph.search.fill("order_totals")
    graph.search_results.filter(has_text="order_totals").click()
    expect(graph.selected_key).to_have_text("order_totals")
    graph.lineage_toggle.click()
    expect(graph.lineage_toggle).to_have_attribute("aria-pressed", "true")
    hood = graph.neighbourhood("order_totals")
    expect(hood).to_contain_text("1 asset within 2 steps of order_totals")
    upstream = hood.get_by_role("link", name="raw_orders")
    expect(upstream).to_have_attribute("data-distance", "-1")
    expect(upstream).to_contain_text("Materialized")
    expect(hood.get_by_role("link", name="order_totals")).to_have_attribute("data-distance", "0")
    upstream.click()
    expect(page).to_have_url(f"{site.url}/assets/raw_orders")
    expect(AppShell(page, site.url).heading).to_have_text("raw_orders")


def test_collapsed_groups_show_their_assets_status_counts(page: Page, site: seeded.Seeded):
    graph, _ = _open(page, site)
    with page.expect_response(_is_api("/api/v1/asset_graph")) as response:
        page.get_by_role("combobox", name="Groups").select_option("all")
    body = response.value.json()
    expect(graph.canvas).to_have_attribute("data-drawn", body["hash"])
    x, y = graph.node_center(body, "sources")
    page.mouse.move(x, y)
    expect(graph.tooltip).to_have_text(
        "sources · group of 3 · 1 materialized · 1 failed · 1 missing")
    graph.search.fill("marts")
    graph.search_results.filter(has_text="marts").click()
    expect(graph.selected_key).to_have_text("marts")
    for status, count in (("M", "1"), ("F", "1"), ("R", "0"), ("-", "0")):
        expect(graph.group_count(status)).to_have_text(count)


def test_picked_assets_are_materialized_in_one_queued_run(page: Page, site: seeded.Seeded):
    graph, body = _open(page, site)
    for key in ("raw_orders", "order_totals"):
        x, y = graph.node_center(body, key)
        page.keyboard.down("Shift")
        page.mouse.click(x, y)
        page.keyboard.up("Shift")
    expect(graph.side_panel).to_have_count(0)  # a shift-click picks; it does not select
    expect(graph.picked_status).to_have_text("2 assets picked")
    with page.expect_response(_is_api("/api/v1/launches")) as launched:
        graph.materialize_button.click()
    assert launched.value.status == 201
    run_id = launched.value.json()["run_id"]
    expect(page).to_have_url(f"{site.url}/runs/{run_id}")
    run = site.instance.get_run_by_id(run_id)
    assert run is not None and run.status.value == "QUEUED"
    assert sorted(k.to_user_string() for k in run.asset_selection) == [
        "order_totals", "raw_orders"]


def test_picks_across_code_locations_cannot_launch_together(page: Page, site: seeded.Seeded):
    graph, _ = _open(page, site)
    for key in ("raw_orders", "far_away"):
        graph.search.fill(key)
        page.get_by_role("button", name="Pick the match").click()
    expect(graph.picked_status).to_have_text("2 assets picked")
    expect(graph.picked.get_by_role("alert")).to_contain_text(
        "span 2 code locations (browser_tests, other)")
    expect(graph.materialize_button).to_be_disabled()
    graph.picked.get_by_role("button", name="Clear").click()
    expect(graph.picked).to_have_count(0)
