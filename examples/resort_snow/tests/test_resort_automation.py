"""The example's schedule and sensor, called as a test would (no daemon)."""

import headwater as dg

from resort_snow.automation import incoming_reports, morning_conditions
from resort_snow.definitions import defs


def test_the_sensor_requests_one_run_per_report_file_keyed_by_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv("RESORT_INCOMING_DIR", str(tmp_path))
    assert isinstance(incoming_reports(dg.build_sensor_context()), dg.SkipReason)
    (tmp_path / "storm-warning.csv").write_text("resort,snow_cm\n")
    (tmp_path / "notes.txt").write_text("not a report")
    requests = incoming_reports(dg.build_sensor_context())
    assert [r.run_key for r in requests] == ["storm-warning.csv"]


def test_the_morning_schedule_runs_the_conditions_job_at_seven_in_zurich():
    assert morning_conditions.cron_schedule == "0 7 * * *"
    assert morning_conditions.execution_timezone == "Europe/Zurich"
    job = defs.get_job_def("conditions_job")
    assert dg.AssetKey("snow_summary") in job.asset_keys
    assert defs.get_sensor_def("incoming_reports").job_name == "conditions_job"
