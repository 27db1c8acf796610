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

    @property
    def read_only_badge(self) -> Locator:
        """Shown when the server refuses writes (`headwater webserver --read-only`)."""
        return self.nav.get_by_role("status").filter(has_text="read-only")


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

    @property
    def load_more(self) -> Locator:
        return self.page.get_by_role("button", name="Load more runs")

    @property
    def filters(self) -> Locator:
        return self.page.get_by_role("search", name="Filter runs")

    def status_filter(self, status: str) -> Locator:
        return self.filters.get_by_role("checkbox", name=status, exact=True)

    @property
    def job_filter(self) -> Locator:
        return self.filters.get_by_role("searchbox", name="Job name")

    @property
    def tag_filter(self) -> Locator:
        return self.filters.get_by_role("textbox", name="Tag filter")

    @property
    def tag_filters(self) -> Locator:
        return self.filters.get_by_role("list", name="Tag filters").get_by_role("listitem")

    @property
    def clear_filters(self) -> Locator:
        return self.filters.get_by_role("button", name="Clear filters")

    @property
    def empty_filtered(self) -> Locator:
        return self.page.get_by_text("No runs match these filters.")


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


class JobsListPage:
    """The jobs at /jobs."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def table(self) -> Locator:
        return self.page.get_by_role("table", name="Jobs")

    def row(self, name: str) -> Locator:
        return self.table.get_by_role("row").filter(
            has=self.page.get_by_role("link", name=name, exact=True))

    def open_job(self, name: str) -> None:
        self.table.get_by_role("link", name=name, exact=True).click()


class JobDetailPage:
    """One job at /jobs/<location>/<name>: its op graph and the launchpad."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def op_graph(self) -> Locator:
        return self.page.get_by_role("group", name="Op graph")

    def op(self, name: str) -> Locator:
        return self.op_graph.get_by_role("button", name=f"Op {name}", exact=True)

    @property
    def op_details(self) -> Locator:
        return self.page.get_by_role("complementary", name="Op details")

    @property
    def launchpad(self) -> Locator:
        return self.page.get_by_role("region", name="Launchpad")

    @property
    def editor(self) -> Locator:
        return self.launchpad.get_by_role("textbox", name="Run config (YAML)")

    @property
    def config_status(self) -> Locator:
        return self.launchpad.get_by_role("status")

    @property
    def problems(self) -> Locator:
        return self.launchpad.get_by_role("list", name="Config problems").get_by_role("listitem")

    @property
    def scaffold_button(self) -> Locator:
        return self.launchpad.get_by_role("button", name="Scaffold config")

    @property
    def partition(self) -> Locator:
        return self.launchpad.get_by_role("combobox", name="Partition")

    @property
    def partition_search(self) -> Locator:
        return self.launchpad.get_by_role("searchbox", name="Search partitions")

    @property
    def launch_button(self) -> Locator:
        return self.launchpad.get_by_role("button", name="Launch run")


class AssetHistorySections:
    """An asset page's Checks section and its plots of numeric metadata over time."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def check_row(self, name: str) -> Locator:
        return self.page.get_by_role("table", name="Checks").locator(
            f'tbody tr[data-check-name="{name}"]')

    def check_outcome(self, name: str) -> Locator:
        return self.check_row(name).locator(".check-outcome")

    def history_button(self, name: str) -> Locator:
        return self.check_row(name).get_by_role("button", name=f"history of {name}")

    def history_rows(self, name: str) -> Locator:
        return self.page.get_by_role("table", name=f"History of {name}").locator("tbody tr")

    def plot(self, key: str) -> Locator:
        """The plot of one metadata entry (an SVG image whose label starts with the key)."""
        return self.page.get_by_role("img", name=f"{key} over ")

    def plot_points(self, key: str) -> Locator:
        return self.plot(key).locator("circle")

    def plot_values(self, key: str) -> Locator:
        """The plot's table of values (in a disclosure: open it first)."""
        return self.page.get_by_role("table", name=f"Values of {key}").locator("tbody tr")


class BackfillLaunchForm:
    """The form that launches a backfill, opened from the backfill list."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def open_button(self) -> Locator:
        return self.page.get_by_role("button", name="Launch a backfill")

    @property
    def form(self) -> Locator:
        return self.page.get_by_role("form", name="Launch a backfill")

    @property
    def assets(self) -> Locator:
        return self.form.get_by_label("Partitioned assets")

    @property
    def first_partition(self) -> Locator:
        return self.form.get_by_label("First partition")

    @property
    def last_partition(self) -> Locator:
        return self.form.get_by_label("Last partition")

    @property
    def runs_policy(self) -> Locator:
        return self.form.get_by_label("Runs")

    @property
    def title(self) -> Locator:
        return self.form.get_by_label("Title")

    @property
    def submit(self) -> Locator:
        return self.form.get_by_role("button", name="Launch backfill")


class StepTimeline:
    """The run page's step timeline (Gantt): a row per step with its bar and a pick box."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def list(self) -> Locator:
        return self.page.get_by_role("list", name="Step timeline")

    @property
    def rows(self) -> Locator:
        return self.list.get_by_role("listitem")

    def row(self, step: str) -> Locator:
        """A step's row; its `data-outcome` is running, success, failure, skipped..."""
        return self.list.locator(f'li[data-step="{step}"]')

    def bar(self, step: str) -> Locator:
        return self.row(step).get_by_role("button")

    def pick(self, step: str) -> Locator:
        return self.row(step).get_by_role("checkbox", name=f"Pick {step} to re-execute")

    def output(self, step: str, io: str = "stdout") -> Locator:
        """What the step printed, once its bar was clicked."""
        return self.page.get_by_role("log", name=f"{io} of {step}")

    def stream_button(self, io: str) -> Locator:
        return self.page.get_by_role("group", name="Stream").get_by_role("button", name=io)

    def failure(self, step: str) -> Locator:
        return self.page.get_by_role("region", name=f"Failure of step {step}")

    def reexecute(self, what: str) -> Locator:
        """"all steps", "from failure", or the picked steps ("1 picked step")."""
        return self.page.get_by_role("group", name="Re-execute").get_by_role(
            "button", name=f"Re-execute {what}")


class MaterializePanel:
    """"Materialize" on an asset's page, with its partition picker for a partitioned asset."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def button(self) -> Locator:
        return self.page.get_by_role("button", name="Materialize", exact=True)

    @property
    def partition_search(self) -> Locator:
        return self.page.get_by_role("searchbox", name="Find a partition")

    @property
    def partitions(self) -> Locator:
        return self.page.get_by_role("list", name="Partitions to choose from").get_by_role(
            "button")

    def partition(self, key: str) -> Locator:
        return self.partitions.filter(has_text=key)

    @property
    def chosen(self) -> Locator:
        return self.page.get_by_test_id("chosen-partition")
