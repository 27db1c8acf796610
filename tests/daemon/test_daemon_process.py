"""``headwater daemon run`` as a real process: it ticks a sensor by itself, queues its runs,
refuses a second daemon on the same instance, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import headwater as hw

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "hwd_auto.py"
REPO = Path(__file__).resolve().parents[2]


def start_daemon(home: Path) -> subprocess.Popen:
    env = {**os.environ, "HEADWATER_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    env.pop("DAGSTER_HOME", None)
    return subprocess.Popen(
        [sys.executable, "-c", "from headwater.cli.main import main; main()", "daemon", "run",
         "-f", str(FIXTURE)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_daemon_ticks_queues_runs_refuses_a_second_and_stops(tmp_path):
    home = tmp_path / "home"
    hw.Instance.local(home).dispose()
    daemon = start_daemon(home)
    second = None
    try:
        with hw.Instance.local(home) as instance:
            # the sensor requests a run; the queue launches it through the code server
            runs = wait_for(lambda: instance.get_runs(hw.RunsFilter(
                tags={"dagster/sensor_name": "every_second"},
                statuses=[hw.RunStatus.SUCCESS])), 60, "the sensor's first run to succeed")
            assert runs[-1].tags["headwater/code_location"] == "hwd_auto.py"
            types = [e.dagster_event_type for e in instance.all_logs(runs[-1].run_id)]
            assert types.index(hw.DagsterEventType.RUN_ENQUEUED) < types.index(
                hw.DagsterEventType.RUN_START) < types.index(hw.DagsterEventType.RUN_SUCCESS)
            ticks = instance.get_ticks("hwd_auto.py:every_second")
            assert ticks and ticks[-1].run_keys == ("pulse-1",)
        second = start_daemon(home)
        out, errors = second.communicate(timeout=60)
        assert second.returncode == 2, errors
        assert "Another daemon is already running" in errors
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        assert daemon.returncode == 0, daemon.stderr.read()
        with hw.Instance.local(home) as instance:
            keys = [r.tags["dagster/run_key"] for r in instance.get_runs()]
            assert len(keys) == len(set(keys))
            started = instance.get_ticks("hwd_auto.py:every_second", statuses=["STARTED"])
            assert started == []
    finally:
        for proc in (daemon, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGINT])
def test_ctrl_c_stops_the_daemon(tmp_path, sig):
    home = tmp_path / "home"
    daemon = start_daemon(home)
    try:
        with hw.Instance.local(home) as instance:
            wait_for(lambda: instance.get_ticks("hwd_auto.py:every_second"), 60, "a tick")
        daemon.send_signal(sig)
        daemon.wait(timeout=30)
        assert daemon.returncode == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
