"""Page objects: what the browser tests may find on a page, named once (roles, not CSS)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

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
