"""`Definitions.resolve_all_job_defs()` counts the jobs only a schedule or sensor names, and the
small accessors projects call on definitions and the asset graph exist."""

import importlib
import os

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.asset
def a():
    return 1


@dg.op
def hello():
    pass


@dg.job
def only_in_schedule():
    hello()


nightly = dg.ScheduleDefinition(job=only_in_schedule, cron_schedule="0 0 * * *")
listed = dg.define_asset_job("listed", selection=[a])
watched = dg.define_asset_job("watched", selection=[a])


@dg.sensor(job=watched)
def on_files(context):
    return None


DEFS = dg.Definitions(assets=[a], jobs=[listed], schedules=[nightly], sensors=[on_files])


def test_all_job_defs_include_the_jobs_of_schedules_and_sensors():
    names = sorted(job.name for job in DEFS.resolve_all_job_defs())
    assert names == ["__ASSET_JOB", "listed", "only_in_schedule", "watched"]


def test_the_implicit_job_for_some_assets():
    assert DEFS.resolve_implicit_job_def_def_for_assets([dg.AssetKey("a")]).name == "__ASSET_JOB"


def test_the_asset_graph_lists_its_keys():
    assert DEFS.resolve_asset_graph().get_all_asset_keys() == {dg.AssetKey("a")}
