"""The Jobs pages in Chromium, against the real web app and an in-process code location: the
list, a job's op graph (ops clickable, their config fields shown), the launchpad validating
YAML run config as it is typed (problems with their paths, Launch disabled), the scaffold, a
partition picker, and a launch that opens the new run's page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from .requirement import PLAYWRIGHT_MISSING, unavailable

try:
    from playwright.sync_api import Page, expect
except ImportError:
    unavailable(PLAYWRIGHT_MISSING)

import headwater as hw  # noqa: E402

from .pages import AppShell, JobDetailPage, JobsListPage, RunDetailPage  # noqa: E402
from .servers import serve_asgi  # noqa: E402


class Scale(hw.Config):
    factor: int
    label: str = "scaled"


@hw.op(config_schema={"rows": int})
def extract(context):
    return context.op_config["rows"]


@hw.op
def scale(context, value, config: Scale):
    return value * config.factor


@hw.op
def publish(value):
    return value


@hw.job(executor_def=hw.in_process_executor, description="Extract, scale, publish.")
def etl():
    publish(scale(extract()))


regions = hw.StaticPartitionsDefinition(["north", "south", "east", "west"])


@hw.asset(partitions_def=regions)
def regional_sales(context):
    return context.partition_key


DEFS = hw.Definitions(assets=[regional_sales],
                      jobs=[etl, hw.define_asset_job("regional_job", ["regional_sales"])])


@dataclass
class Site:
    url: str
    instance: Any


@pytest.fixture(scope="module")
def site(static_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from headwater.locations.in_process import InProcessLocation
    from headwater.storage import Instance
    from headwater.web.app import create_app
    from headwater.web.context import WebContext

    with Instance.local(tmp_path_factory.mktemp("jobs-home")) as instance:
        location = InProcessLocation("jobs_browser", lambda: DEFS, instance,
                                     "module tests.browser.test_jobs_pages")
        with serve_asgi(create_app(WebContext(instance, lambda: [location]))) as url:
            yield Site(url, instance)


def test_the_jobs_list_shows_each_job_and_opens_one(page: Page, site: Site):
    AppShell(page, site.url).open("/jobs")
    jobs = JobsListPage(page)
    expect(jobs.row("etl")).to_contain_text("Op job")
    expect(jobs.row("etl")).to_contain_text("jobs_browser")
    expect(jobs.row("regional_job")).to_contain_text("Asset job")
    expect(jobs.row("regional_job")).to_contain_text("Yes (static)")
    jobs.open_job("etl")
    expect(page).to_have_url(re.compile(r"/jobs/jobs_browser/etl$"))
    expect(AppShell(page, site.url).heading).to_have_text("etl")


def test_op_graph_then_bad_config_blocks_launch_and_fixed_config_launches(page: Page,
                                                                            site: Site):
    AppShell(page, site.url).open("/jobs/jobs_browser/etl")
    job = JobDetailPage(page)
    for op in ("extract", "scale", "publish"):
        expect(job.op(op)).to_be_visible()
    job.op("scale").click()
    expect(job.op_details).to_contain_text("scale")
    expect(job.op_details).to_contain_text("Depends on extract")
    expect(job.op_details.get_by_role("table")).to_contain_text("factor")
    expect(job.op_details.get_by_role("table")).to_contain_text("Int")

    # an empty config misses the required config: listed, and Launch is disabled
    expect(job.problems.first).to_be_visible()
    expect(job.launch_button).to_be_disabled()

    job.editor.fill("ops:\n  extract:\n    config:\n      rows: many\n")
    expect(job.problems.filter(has_text="ops.extract.config.rows")).to_contain_text(
        "'many' (str) is not a valid Int")
    expect(job.launch_button).to_be_disabled()

    job.editor.fill("ops: [unclosed")
    expect(job.problems.filter(has_text="YAML")).to_have_count(1)
    expect(job.launch_button).to_be_disabled()

    job.scaffold_button.click()
    expect(job.editor).to_have_value(re.compile(r"rows: 0"))
    job.editor.fill("ops:\n  extract:\n    config:\n      rows: 3\n"
                    "  scale:\n    config:\n      factor: 2\n")
    expect(job.config_status).to_have_text("The config is valid.")
    expect(job.problems).to_have_count(0)
    expect(job.launch_button).to_be_enabled()
    job.launch_button.click()

    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    run_id = page.url.rsplit("/", 1)[1]
    expect(RunDetailPage(page).status).to_be_visible()
    run = site.instance.get_run_by_id(run_id)
    assert run is not None and run.job_name == "etl"
    assert run.run_config["ops"]["scale"] == {"config": {"factor": 2}}


def test_a_partitioned_job_launches_the_picked_partition(page: Page, site: Site):
    AppShell(page, site.url).open("/jobs/jobs_browser/regional_job")
    job = JobDetailPage(page)
    expect(job.op("regional_sales")).to_be_visible()
    expect(job.partition).to_have_value("west")  # the newest (last) key is picked first
    job.partition_search.fill("sou")
    expect(job.partition.get_by_role("option", name="south")).to_have_count(1)
    job.partition.select_option("south")
    expect(job.launch_button).to_be_enabled()
    job.launch_button.click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    run = site.instance.get_run_by_id(page.url.rsplit("/", 1)[1])
    assert run is not None and run.tags.get("dagster/partition") == "south"
