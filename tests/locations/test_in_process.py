"""InProcessLocation: load, snapshot, load errors kept, reload keeps the last good snapshot."""

from __future__ import annotations

import headwater as dg
from headwater.locations import LocationLoadError, LocationSnapshot, SensorKind
from headwater.locations.in_process import InProcessLocation


@dg.asset(group_name="raw", kinds={"duckdb"}, description="Raw rows")
def raw() -> int:
    return 1


@dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2026-01-01"))
def daily(raw: int) -> int:
    return raw


@dg.asset_check(asset=raw)
def raw_positive(raw: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=raw > 0)


raw_job = dg.define_asset_job("raw_job", selection=[raw])


@dg.op
def hello() -> None:
    pass


@dg.job
def op_job() -> None:
    hello()


@dg.schedule(cron_schedule=["0 6 * * *", "0 18 * * *"], job=raw_job,
             execution_timezone="Europe/Paris", default_status=dg.DefaultScheduleStatus.RUNNING)
def twice_daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest()


@dg.sensor(job=op_job, minimum_interval_seconds=5)
def every_five(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    return dg.SkipReason("nothing new")


@dg.asset_sensor(asset_key=dg.AssetKey("raw"), job=raw_job)
def on_raw(context: dg.SensorEvaluationContext, asset_event: object) -> None:
    return None


@dg.run_failure_sensor(monitored_jobs=[op_job])
def on_failure(context: dg.RunFailureSensorContext) -> None:
    return None


DEFS = dg.Definitions(assets=[raw, daily], asset_checks=[raw_positive], jobs=[raw_job, op_job],
                      schedules=[twice_daily], sensors=[every_five, on_raw, on_failure])


def test_snapshot_describes_the_definitions_as_plain_data(tmp_path):
    location = InProcessLocation.from_definitions("here", DEFS, None)
    snap = location.snapshot()
    assets = {a.key: a for a in snap.assets}
    assert assets[("raw",)].group_name == "raw"
    assert assets[("raw",)].kinds == ("duckdb",)
    assert assets[("raw",)].check_names == ("raw_positive",)
    assert "raw_job" in assets[("raw",)].job_names
    assert assets[("daily",)].deps == (("raw",),)
    assert assets[("daily",)].partitions.kind == "time_window"
    assert snap.job("op_job").op_names == ("hello",)
    assert snap.job("raw_job").asset_keys == (("raw",),)
    schedule = snap.schedule("twice_daily")
    assert schedule.cron_schedule == ("0 6 * * *", "0 18 * * *")
    assert schedule.execution_timezone == "Europe/Paris"
    assert schedule.default_status == "RUNNING" and schedule.job_name == "raw_job"
    assert snap.sensor("every_five").minimum_interval_seconds == 5
    assert snap.sensor("every_five").kind == SensorKind.STANDARD
    assert snap.sensor("on_raw").kind == SensorKind.ASSET
    assert snap.sensor("on_raw").asset_keys == (("raw",),)
    assert snap.sensor("on_failure").kind == SensorKind.RUN_STATUS
    assert snap.sensor("on_failure").monitored_job_names == ("op_job",)
    assert LocationSnapshot.from_json(snap.to_json()) == snap


def test_a_location_that_fails_to_load_keeps_its_error_with_user_frames_only():
    def loader() -> dg.Definitions:
        raise ValueError("broken import in my_project")

    location = InProcessLocation("broken", loader, None)
    assert "broken import in my_project" in location.load_error.message
    assert not any("headwater" in frame for frame in location.load_error.stack)
    try:
        location.snapshot()
    except LocationLoadError as e:
        assert e.location_name == "broken"
    else:
        raise AssertionError("snapshot of a failed location must raise")


def test_reload_keeps_the_last_good_snapshot_until_the_new_code_loads():
    versions = [DEFS, None, dg.Definitions(assets=[raw])]

    def loader() -> dg.Definitions:
        defs = versions.pop(0)
        if defs is None:
            raise SyntaxError("half-saved file")
        return defs

    location = InProcessLocation("dev", loader, None)
    assert len(location.snapshot().assets) == 2
    location.reload()  # the broken version: error kept, old snapshot still served
    assert "half-saved file" in location.load_error.message
    assert len(location.snapshot().assets) == 2
    location.reload()
    assert location.load_error is None
    assert [a.key for a in location.snapshot().assets] == [("raw",)]
