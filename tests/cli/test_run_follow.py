"""``headwater run show RUN_ID --follow``: a run's events live, also from another process."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from headwater.storage import Instance

from ._helpers import in_fixtures, last_run, run_cli

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
LIVE_JOBS = TESTS / "storage"  # hwlive_jobs.py: a chain of three ops, each waiting for a gate
STEPS = ["hwlive_first", "hwlive_second", "hwlive_third"]
GUARD_S = 120.0


def test_follow_a_finished_run_prints_it_and_its_outcome():
    in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", "raw_wind")
    run_id = last_run().run_id
    result = run_cli("run", "show", run_id, "--follow")
    assert result.exit_code == 0, result.output
    assert "Status  SUCCESS" in result.output and "STEP_SUCCESS" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith(f"Run {run_id}: SUCCESS in ")


def test_follow_a_failed_run_exits_1_with_the_error():
    in_fixtures("asset", "materialize", "-m", "hwcli_failing", "--select", "*")
    run_id = last_run().run_id
    result = run_cli("run", "show", run_id, "-f")
    assert result.exit_code == 1
    assert "ValueError: hwcli sensor 1 returned garbage" in result.output
    assert f"Run {run_id}: FAILURE" in result.output


def test_follow_an_unknown_run_exits_2():
    result = run_cli("run", "show", "00000000-no-such-run", "--follow")
    assert result.exit_code == 2
    assert "No run with id '00000000-no-such-run'" in result.output
    assert "Traceback" not in result.output


def test_follow_a_run_executing_in_another_process(home, tmp_path):
    """The run executes in one process (its steps in worker processes), the CLI follows it in
    another; each step waits for a gate the test opens when the CLI has printed its start."""
    gates = tmp_path / "gates"
    gates.mkdir()
    run_id = str(uuid.uuid4())
    env = {**os.environ, "HWLIVE_GATES": str(gates), "HEADWATER_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([str(REPO), str(LIVE_JOBS)])}
    with Instance.get() as instance:
        url = instance.database.url
    code = "import hwlive_jobs; hwlive_jobs.main()"
    runner = subprocess.Popen([sys.executable, "-c", code, url, run_id], env=env, cwd=str(REPO),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    follower = None
    try:
        with Instance.get() as instance:  # wait until the run is recorded
            watch = instance.watch_run_events(run_id, wait_for_run=True)
            next(iter(watch))
            watch.stop()
        follower = subprocess.Popen(
            [sys.executable, "-c", "from headwater.cli.main import cli; cli()", "run", "show",
             run_id, "--follow"],
            env=env, cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert follower.stdout is not None
        lines, opened = [], []
        for line in follower.stdout:
            lines.append(line)
            fields = line.split()
            if len(fields) >= 3 and fields[2] == "STEP_START":
                opened.append(fields[1])
                (gates / fields[1]).touch()
        assert follower.wait(timeout=GUARD_S) == 0, "".join(lines) + follower.stderr.read()
    finally:
        for step in STEPS:  # if the test failed half-way, let the run end
            (gates / step).touch()
        out = runner.communicate(timeout=GUARD_S)[0].decode()
        if follower is not None and follower.poll() is None:
            follower.kill()
    assert runner.returncode == 0, out
    assert opened == STEPS
    assert lines[-1].startswith(f"Run {run_id}: SUCCESS")
    assert any("PIPELINE_SUCCESS" in line for line in lines)
