"""Every section of the UI on the example project (examples/resort_snow), as a user meets it:
the real ``headwater dev`` process started in the example's directory (its code server, the
daemon that carries out what the pages launch, the web server), driven in Chromium.

The other browser tests serve seeded definitions in-process; this one proves the whole product
works on the project the README tells a new user to try: the graph draws its assets, an asset
materialized from its page runs live to SUCCESS with its step timeline, event log and captured
output, one day of a daily-partitioned asset is launched and succeeds, the job page shows its op
graph and launchpad, the morning schedule is stopped and started again, the backfill list opens
and the deployment shows the location loaded.

One ``headwater dev`` for the module, in its own process group over a temporary HEADWATER_HOME
(the example's DuckDB file lives there too), killed with its group in teardown.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .requirement import PLAYWRIGHT_MISSING, unavailable

try:
    from playwright.sync_api import Page, expect
except ImportError:
    unavailable(PLAYWRIGHT_MISSING)

from .pages import (  # noqa: E402
    AppShell,
    AssetDetailPage,
    AssetGraphPage,
    AutomationPage,
    DeploymentPage,
    JobDetailPage,
    JobsListPage,
    MaterializePanel,
    RunDetailPage,
    RunsPage,
    StepTimeline,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "resort_snow"
LOCATION = "resort_snow.definitions"  # [tool.headwater] module_name in its pyproject.toml
START_S = 60.0  # bounds a broken start only; a passing test does not wait for it
RUN_URL = re.compile(r"/runs/([0-9a-f-]{36})$")
LOGGED = re.compile(r"whistler: \d+ cm base")  # raw/whistler's context.log.info line
RUN_MS = 30_000  # a run goes through the daemon's queue and a subprocess: generous when loaded


@dataclass
class Dev:
    """A ``headwater dev`` on the example, in its own process group; its stderr collected."""

    proc: subprocess.Popen[str]
    home: Path
    lines: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    def read(self) -> None:
        """The reader thread: collects stderr; `ready` once the URL is printed or it ends."""
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            if "serving the web UI at " in line:
                self.served.append(line.split(" at ", 1)[1].split(";")[0].strip())
                self.ready.set()
        self.ready.set()  # the process ended (or closed stderr) without serving

    def url(self) -> str:
        if not self.ready.wait(START_S) or not self.served:
            raise AssertionError("headwater dev did not start:\n" + "".join(self.lines))
        return self.served[0]

    def stop(self) -> None:
        """Ctrl-C as a terminal sends it (the whole group); SIGKILL if it does not stop."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:  # nothing of its group may outlive it (a code server, a run's worker)
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def dev_url(static_dir: str) -> Iterator[str]:
    home = Path(tempfile.mkdtemp(prefix="hw-example-"))
    incoming = home / "incoming"  # the example's sensor looks here: empty, so it only skips
    incoming.mkdir()
    env = {**os.environ, "HEADWATER_HOME": str(home), "RESORT_INCOMING_DIR": str(incoming),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    for name in ("DAGSTER_HOME", "RESORT_API_URL", "RESORT_API_KEY"):
        env.pop(name, None)  # the local fake conditions, this instance
    proc = subprocess.Popen(
        [sys.executable, "-c", "from headwater.cli.main import main; main()", "dev",
         "--port", "0", "--log-level", "warning"],
        cwd=EXAMPLE, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    dev = Dev(proc, home)
    threading.Thread(target=dev.read, daemon=True).start()
    try:
        yield dev.url()
    finally:
        dev.stop()
        shutil.rmtree(home, ignore_errors=True)


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _opened_run(page: Page) -> str:
    expect(page).to_have_url(RUN_URL)
    match = RUN_URL.search(page.url)
    assert match is not None
    return match.group(1)


def test_the_graph_draws_every_asset_of_the_example(page: Page, dev_url: str):
    body = _get(f"{dev_url}/api/v1/asset_graph")
    assert "raw/whistler" in body["layout"]["node_ids"] and not body["collapsed"]
    AppShell(page, dev_url).open("/assets")
    graph = AssetGraphPage(page)
    expect(graph.canvas).to_have_attribute("data-drawn", body["hash"])
    expect(graph.canvas).to_have_attribute(
        "data-node-count", str(len(body["layout"]["node_ids"])))
    graph.search.fill("whistler")
    expect(graph.search_results).to_have_count(1)


def test_an_asset_materialized_from_its_page_succeeds_live_with_its_logs(page: Page,
                                                                         dev_url: str):
    shell = AppShell(page, dev_url)
    shell.open("/assets/raw/whistler")
    asset, materialize = AssetDetailPage(page), MaterializePanel(page)
    expect(asset.materializations).to_have_count(0)
    expect(materialize.button).to_be_enabled()
    materialize.button.click()
    run_id = _opened_run(page)

    run, steps = RunDetailPage(page), StepTimeline(page)
    expect(run.status).to_have_text("SUCCESS", timeout=RUN_MS)  # followed live, no reload
    expect(steps.rows).to_have_count(1)
    step = steps.rows.first.get_attribute("data-step")
    assert step
    expect(steps.row(step)).to_have_attribute("data-outcome", "success")
    expect(run.rows_of_type("STEP_SUCCESS")).to_have_count(1)
    expect(run.rows_of_type("ASSET_MATERIALIZATION")).to_have_count(1)
    expect(run.rows_of_type("LOG")).to_contain_text(LOGGED)  # the asset's context.log line
    steps.bar(step).click()  # its captured output: the example's assets print nothing
    expect(run.step_filter).to_have_value(step)
    expect(run.rows_of_type("STEP_START")).to_have_count(1)
    captured = page.get_by_role("region", name=f"Captured output of {step}")
    expect(steps.output(step)).to_have_text("")
    expect(captured).to_contain_text(f"{step} wrote nothing to stdout.")
    steps.stream_button("stderr").click()
    expect(captured).to_contain_text(f"{step} wrote nothing to stderr.")
    expect(page.get_by_role("alert")).to_have_count(0)

    shell.open("/assets/raw/whistler")
    expect(asset.materializations).to_have_count(1)
    expect(asset.materializations.first).to_contain_text(run_id[:8])
    shell.go_to("Runs")
    expect(RunsPage(page).rows.filter(has_text=run_id[:8])).to_contain_text("SUCCESS")


def test_one_day_of_the_daily_report_is_launched_from_its_page(page: Page, dev_url: str):
    AppShell(page, dev_url).open("/assets/daily_snow_report")
    asset, materialize = AssetDetailPage(page), MaterializePanel(page)
    expect(asset.partition_count("MATERIALIZED")).to_have_text("0")
    expect(materialize.button).to_be_disabled()  # which day?
    materialize.partition_search.fill("2025-01-07")
    expect(materialize.partitions).to_have_count(1)
    materialize.partition("2025-01-07").click()
    expect(materialize.chosen).to_have_text("Partition 2025-01-07")
    materialize.button.click()
    _opened_run(page)

    run, steps = RunDetailPage(page), StepTimeline(page)
    expect(run.status).to_have_text("SUCCESS", timeout=RUN_MS)
    expect(page.get_by_text("2025-01-07", exact=True)).to_be_visible()  # the run's partition
    expect(steps.row("daily_snow_report")).to_have_attribute("data-outcome", "success")

    AppShell(page, dev_url).open("/assets/daily_snow_report")
    expect(asset.partition_count("MATERIALIZED")).to_have_text("1")
    materialize.partition_search.fill("2025-01-07")
    expect(materialize.partition("2025-01-07")).to_have_attribute("data-status", "M")


def test_jobs_automation_backfills_and_deployment_sections(page: Page, dev_url: str):
    shell = AppShell(page, dev_url)
    shell.open("/")
    shell.go_to("Jobs")
    jobs = JobsListPage(page)
    expect(jobs.row("conditions_job")).to_contain_text("Asset job")
    expect(jobs.row("conditions_job")).to_contain_text(LOCATION)
    jobs.open_job("conditions_job")
    expect(page).to_have_url(re.compile(rf"/jobs/{re.escape(LOCATION)}/conditions_job$"))
    expect(shell.heading).to_have_text("conditions_job")
    job = JobDetailPage(page)
    expect(job.op("cleaned_conditions")).to_be_visible()
    expect(job.op("snow_summary")).to_be_visible()
    expect(job.launchpad).to_be_visible()
    expect(job.launch_button).to_be_enabled()  # the example's job needs no config

    shell.go_to("Automation")
    automation = AutomationPage(page)
    expect(automation.row("Schedules", "morning_conditions")).to_contain_text("0 7 * * *")
    expect(automation.row("Schedules", "morning_conditions")).to_contain_text("Europe/Zurich")
    expect(automation.status("Schedules", "morning_conditions")).to_have_text("RUNNING")
    automation.toggle("Schedules", "morning_conditions", "Stop").click()
    expect(automation.status("Schedules", "morning_conditions")).to_have_text("STOPPED")
    automation.toggle("Schedules", "morning_conditions", "Start").click()
    expect(automation.status("Schedules", "morning_conditions")).to_have_text("RUNNING")
    expect(automation.row("Sensors", "incoming_reports")).to_be_visible()
    [schedule] = _get(f"{dev_url}/api/v1/schedules")["items"]
    assert schedule["status"] == "RUNNING"

    shell.go_to("Backfills")
    expect(shell.heading).to_have_text("Backfills")
    expect(page.get_by_role("button", name="Launch a backfill")).to_be_visible()

    shell.go_to("Deployment")
    location = DeploymentPage(page).location(LOCATION)
    expect(location).to_contain_text("LOADED")
    expect(DeploymentPage(page).reload_button(LOCATION)).to_be_enabled()
