"""``headwater schedule ...`` and ``headwater sensor ...`` on the fixture location."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import headwater as hw
from headwater.cli.main import cli

FIXTURE = str(Path(__file__).resolve().parent / "fixtures" / "hwd_auto.py")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return tmp_path / "home"


def run(*args: str):
    return CliRunner().invoke(cli, [*args, "-f", FIXTURE], catch_exceptions=False)


def test_schedule_list_start_stop(home):
    out = run("schedule", "list").output
    assert "morning  [STOPPED]  0 6 * * * (Europe/Paris)" in out
    assert run("schedule", "start", "morning").exit_code == 0
    assert "[RUNNING]" in run("schedule", "list", "--running").output
    assert run("schedule", "stop", "morning").exit_code == 0
    assert "No schedules." in run("schedule", "list", "--running").output


def test_unknown_schedule_exits_2_naming_the_known_ones():
    result = run("schedule", "start", "nightly")
    assert result.exit_code == 2 and "morning" in result.output


def test_schedule_preview_launches_nothing(home):
    result = run("schedule", "preview", "morning", "--time", "2024-03-01T06:00:00+01:00")
    assert result.exit_code == 0 and '"job_name": "pulse_job"' in result.output
    assert "2024-03-01T06:00:00+01:00" in result.output
    with hw.Instance.local(home) as instance:
        assert instance.get_runs() == []


def test_sensor_list_preview_and_cursor(home):
    assert "every_second  [RUNNING]" in run("sensor", "list").output
    preview = run("sensor", "preview", "every_second", "--cursor", "41")
    assert "pulse-42" in preview.output and "cursor: '42'" in preview.output
    assert run("sensor", "cursor", "every_second", "--set", "7").exit_code == 0
    assert run("sensor", "cursor", "every_second").output.strip() == "'7'"
    assert "pulse-8" in run("sensor", "preview", "every_second").output
    assert run("sensor", "cursor", "every_second", "--delete").exit_code == 0
    assert run("sensor", "cursor", "every_second").output.strip() == "None"
    assert run("sensor", "stop", "every_second").exit_code == 0
    assert "[STOPPED]" in run("sensor", "list").output
