"""``headwater daemon run -w workspace.yaml`` with two code locations, one of which does not
import: the daemon says why, and the other location's sensor runs go through to SUCCESS."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import headwater as hw

REPO = Path(__file__).resolve().parents[2]
GUARD_S = 60.0  # bounds a broken test only

GOOD = '''
import headwater as hw


@hw.asset
def ping():
    return 1


ping_job = hw.define_asset_job("ping_job", selection=["ping"])


@hw.sensor(job=ping_job, minimum_interval_seconds=1,
           default_status=hw.DefaultSensorStatus.RUNNING)
def once(context):
    return hw.RunRequest(run_key="only-once")


defs = hw.Definitions(assets=[ping], jobs=[ping_job], sensors=[once])
'''

BROKEN = '''
import headwater as hw

raise ImportError("a dependency of this location is missing")
'''

WORKSPACE = '''
load_from:
  - python_file:
      relative_path: good.py
      location_name: good
  - python_file: broken.py
'''


def test_a_broken_location_is_reported_and_the_other_keeps_running(tmp_path):
    (tmp_path / "good.py").write_text(textwrap.dedent(GOOD))
    (tmp_path / "broken.py").write_text(textwrap.dedent(BROKEN))
    (tmp_path / "workspace.yaml").write_text(textwrap.dedent(WORKSPACE))
    home = tmp_path / "home"
    hw.Instance.local(home).dispose()
    env = {**os.environ, "HEADWATER_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    env.pop("DAGSTER_HOME", None)
    log = open(tmp_path / "daemon.log", "w+")
    daemon = subprocess.Popen(
        [sys.executable, "-c", "from headwater.cli.main import main; main()", "daemon", "run",
         "-w", str(tmp_path / "workspace.yaml")], cwd=tmp_path, env=env,
        stdout=subprocess.DEVNULL, stderr=log)
    try:
        with hw.Instance.local(home) as instance:
            deadline = time.monotonic() + GUARD_S
            while not instance.get_runs(hw.RunsFilter(statuses=[hw.RunStatus.SUCCESS])):
                assert daemon.poll() is None, (tmp_path / "daemon.log").read_text()
                assert time.monotonic() < deadline, (tmp_path / "daemon.log").read_text()
                time.sleep(0.05)
            (run,) = instance.get_runs()
            assert run.tags["dagster/run_key"] == "only-once"
            assert run.tags["headwater/code_location"] == "good"
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(GUARD_S) == 0
        text = (tmp_path / "daemon.log").read_text()
        assert "code location 'broken.py' failed to load" in text
        assert "a dependency of this location is missing" in text
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        log.close()
