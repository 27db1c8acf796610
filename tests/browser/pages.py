"""Page objects: what the browser tests may find on a page, named once (roles, not CSS)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

SECTIONS = ["Assets", "Runs", "Jobs", "Automation", "Backfills", "Deployment"]


class AppShell:
    """The frame around every page: the left nav and the page's title."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base_url + path)

    @property
    def nav(self) -> Locator:
        return self.page.get_by_role("navigation", name="Main")

    @property
    def nav_links(self) -> Locator:
        return self.nav.get_by_role("link")

    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def go_to(self, section: str) -> None:
        self.nav.get_by_role("link", name=section, exact=True).click()


class RunsPage:
    """The run list at /runs."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def table(self) -> Locator:
        return self.page.get_by_role("table", name="Runs")

    @property
    def rows(self) -> Locator:
        return self.table.locator("tbody tr")

    @property
    def empty_state(self) -> Locator:
        return self.page.get_by_text("No runs yet.")

    @property
    def error_state(self) -> Locator:
        return self.page.get_by_role("alert")

    @property
    def retry_button(self) -> Locator:
        return self.error_state.get_by_role("button", name="Try again")


class AssetGraphPage:
    """The asset graph at /assets: a canvas, a search box, a side panel for the selection."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def canvas(self) -> Locator:
        return self.page.get_by_test_id("asset-graph-canvas")

    @property
    def search(self) -> Locator:
        return self.page.get_by_role("searchbox", name="Search assets")

    @property
    def search_results(self) -> Locator:
        return self.page.get_by_role("list", name="Matching assets").get_by_role("button")

    @property
    def side_panel(self) -> Locator:
        return self.page.get_by_role("complementary", name="Selected node")

    @property
    def selected_key(self) -> Locator:
        return self.side_panel.get_by_test_id("selected-key")

    @property
    def tooltip(self) -> Locator:
        return self.page.get_by_role("tooltip")

    @property
    def lineage_toggle(self) -> Locator:
        return self.page.get_by_role("button", name="Lineage", exact=True)

    def neighbourhood(self, key: str) -> Locator:
        """The SVG neighbourhood of `key` (the Lineage view): a link per asset."""
        return self.page.get_by_role("region", name=f"Lineage of {key}")

    def group_count(self, status: str) -> Locator:
        """A selected group's count of assets with a status character (M, F, R, -)."""
        return self.side_panel.get_by_role("list", name="Group status").locator(
            f'li[data-status="{status}"] strong')

    @property
    def picked(self) -> Locator:
        """The bar of assets picked for a launch."""
        return self.page.get_by_role("region", name="Picked assets")

    @property
    def picked_status(self) -> Locator:
        return self.picked.get_by_role("status")

    @property
    def materialize_button(self) -> Locator:
        return self.picked.get_by_role("button", name="Materialize selected")

    def node_center(self, graph: dict, node_id: str) -> tuple[float, float]:
        """Where a node of `graph` (the /asset_graph body) is on screen: its layout box through
        the canvas's view transform (mirrored as data-scale / data-tx / data-ty once that graph
        is drawn: data-drawn is its hash)."""
        expect(self.canvas).to_have_attribute("data-drawn", graph["hash"])
        layout = graph["layout"]
        data = self.canvas.evaluate(
            "el => ({scale: +el.dataset.scale, tx: +el.dataset.tx, ty: +el.dataset.ty})")
        box = self.canvas.bounding_box()
        assert box is not None
        i = layout["node_ids"].index(node_id)
        wx = layout["x"][i] + layout["node_width"] / 2
        wy = layout["y"][i] + layout["node_height"] / 2
        return (box["x"] + wx * data["scale"] + data["tx"],
                box["y"] + wy * data["scale"] + data["ty"])


class AssetDetailPage:
    """One asset at /assets/<key path>."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def materializations(self) -> Locator:
        return self.page.get_by_role("table", name="Materializations").locator("tbody tr")

    def metadata_value(self, name: str) -> Locator:
        return self.page.locator(".metadata-row", has=self.page.locator(
            "dt", has_text=name)).locator("dd").first

    @property
    def partition_bar(self) -> Locator:
        return self.page.get_by_test_id("partition-bar")

    def partition_count(self, status: str) -> Locator:
        return self.page.get_by_role("list", name="Partition counts").locator(
            f"li[data-status={status}] strong")


class RunDetailPage:
    """One run at /runs/<run id>: status, cancel, the event log."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def status(self) -> Locator:
        return self.page.get_by_test_id("run-status")

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("log", name="Event log")

    @property
    def rows(self) -> Locator:
        return self.log.locator(".event-row")

    def rows_of_type(self, event_type: str) -> Locator:
        return self.log.locator(f".event-row[data-event-type={event_type}]")

    @property
    def filter(self) -> Locator:
        return self.page.get_by_role("searchbox", name="Filter events")

    @property
    def step_filter(self) -> Locator:
        return self.page.get_by_role("combobox", name="Step")

    @property
    def cancel_button(self) -> Locator:
        return self.page.get_by_role("button", name="Cancel run")


class DeploymentPage:
    """The code locations at /deployment."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def location(self, name: str) -> Locator:
        return self.page.get_by_role("article", name=f"Code location {name}")

    def reload_button(self, name: str) -> Locator:
        return self.location(name).get_by_role("button", name="Reload")


class AutomationPage:
    """Schedules and sensors at /automation: a table each, a row per instigator."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def row(self, kind: str, name: str) -> Locator:
        """`kind`: "Schedules" or "Sensors" (the table's name)."""
        return self.page.get_by_role("table", name=kind).locator(f'tbody tr[data-name="{name}"]')

    def status(self, kind: str, name: str) -> Locator:
        return self.row(kind, name).get_by_test_id("instigator-status").locator(".status")

    def toggle(self, kind: str, name: str, action: str) -> Locator:
        """The Start or Stop button (`action`) of a row."""
        return self.row(kind, name).get_by_role("button", name=f"{action} {name}")


class TicksPage:
    """A schedule's or sensor's tick history at /automation/<kind>/<location>/<name>."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def rows(self) -> Locator:
        return self.page.get_by_role("table", name="Ticks").locator("tbody tr")

    @property
    def load_more(self) -> Locator:
        return self.page.get_by_role("button", name="Load more")


class BackfillsPage:
    """The backfill list at /backfills and one backfill at /backfills/<id>."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def row(self, backfill_id: str) -> Locator:
        return self.page.get_by_role("table", name="Backfills").locator(
            f'tbody tr[data-backfill-id="{backfill_id}"]')

    @property
    def progress(self) -> Locator:
        return self.page.get_by_role("progressbar", name="Backfill progress")

    def count(self, kind: str) -> Locator:
        """A progress count (requested, succeeded, failed, in_progress, pending)."""
        return self.page.get_by_role("list", name="Progress counts").locator(
            f"li[data-count={kind}] strong")

    @property
    def status(self) -> Locator:
        return self.page.get_by_test_id("backfill-status")

    @property
    def cancel_button(self) -> Locator:
        return self.page.get_by_role("button", name="Cancel backfill")

    @property
    def runs(self) -> Locator:
        return self.page.get_by_role("table", name="Backfill runs").locator("tbody tr")
