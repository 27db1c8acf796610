"""A run whose process was killed (kill -9): ``run list`` and ``run show`` mark it FAILURE with
the reason, ``run reexecute --from-failure`` runs only its unfinished steps; ``run fail``
marks a run failed by hand. The run goes on in a real ``headwater asset materialize`` process,
held at a step that waits for the test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.execution.hwexec_sync import Checkpoints

from ._helpers import FIXTURES, in_fixtures, last_run, run_cli

ROOT = str(Path(__file__).resolve().parents[2])


@pytest.fixture
def calls(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "calls"
    path.write_text("")
    monkeypatch.setenv("HWCLI_CRASH_CALLS", str(path))
    return path


@pytest.fixture
def sync():
    checkpoints = Checkpoints()
    yield checkpoints
    checkpoints.close()


@pytest.fixture
def materializing(sync, tmp_path):
    """Start the held ``materialize`` process; killed at the end of the test in any case."""
    started = []

    def start(select: str = "*") -> Materializing:
        started.append(Materializing(sync, tmp_path / "stderr", select))
        return started[-1]

    yield start
    for child in started:
        child.kill()


class Materializing:
    """``headwater asset materialize -m hwcli_crash`` in a child process, held at crash_middle."""

    def __init__(self, sync: Checkpoints, stderr: Path, select: str):
        env = {**os.environ, "HWCLI_CRASH_SYNC": sync.path,
               "PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])}
        with open(stderr, "w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from headwater.cli.main import main; main()", "asset",
                 "materialize", "-m", "hwcli_crash", "-d", str(FIXTURES), "--select", select],
                env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err)
        try:
            self.conn, pid = sync.arrive()
        except TimeoutError:
            self.process.kill()
            raise AssertionError(f"the run never reached its step: {stderr.read_text()}") from None
        assert int(pid) == self.process.pid

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.conn.close()


def _row(output: str, run_id: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(run_id))


def test_a_killed_materialize_shows_failed_and_re_executes_from_failure(materializing, calls):
    child = materializing()
    run_id = last_run().run_id
    listed = run_cli("run", "list")
    assert "STARTED" in _row(listed.output, run_id)  # alive: left alone
    child.kill()

    listed = run_cli("run", "list")
    assert listed.exit_code == 0, listed.output
    assert "FAILURE" in _row(listed.output, run_id)
    assert f"Run {run_id} was marked FAILURE: the process running it is gone" in listed.output
    shown = run_cli("run", "show", run_id)
    assert "Status  FAILURE" in shown.output
    assert f"Process pid {child.process.pid} on host" in shown.output
    assert (f"The process running this run (pid {child.process.pid} on host"
            in shown.output)
    assert f"no process has pid {child.process.pid} any more" in shown.output

    calls.write_text("")
    again = in_fixtures("run", "reexecute", run_id, "--from-failure", "-m", "hwcli_crash")
    assert again.exit_code == 0, again.output
    assert calls.read_text().split() == ["crash_middle", "crash_sink"]
    child_run = last_run()
    assert child_run.parent_run_id == run_id and child_run.is_success


def test_re_executing_a_killed_run_needs_no_run_list_first(materializing, calls):
    """...and re-runs only what the killed run selected (not crash_source, upstream of it)."""
    source = in_fixtures("asset", "materialize", "-m", "hwcli_crash", "--select", "crash_source")
    assert source.exit_code == 0, source.output
    child = materializing("crash_middle*")
    run_id = last_run().run_id
    child.kill()
    calls.write_text("")
    again = in_fixtures("run", "reexecute", run_id, "--from-failure", "-m", "hwcli_crash")
    assert again.exit_code == 0, again.output
    assert f"Run {run_id} was marked FAILURE" in again.output
    assert calls.read_text().split() == ["crash_middle", "crash_sink"]


def test_run_fail_by_hand(materializing, calls):
    child = materializing()
    run_id = last_run().run_id
    refused = run_cli("run", "fail", run_id)
    assert refused.exit_code == 2
    assert f"its process (pid {child.process.pid} on host" in refused.output
    assert "is alive" in refused.output and "--force" in refused.output
    forced = run_cli("run", "fail", run_id, "--force", "--reason", "stuck on a lock")
    assert forced.exit_code == 0, forced.output
    assert f"Run {run_id} marked FAILURE" in forced.output
    child.kill()
    shown = run_cli("run", "show", run_id)
    assert "Status  FAILURE" in shown.output
    assert "Marked failed by hand" in shown.output and "stuck on a lock" in shown.output

    again = run_cli("run", "fail", run_id)
    assert again.exit_code == 2
    assert "already finished (FAILURE)" in again.output
    unknown = run_cli("run", "fail", "no-such-run")
    assert unknown.exit_code == 2 and "No run with id 'no-such-run'" in unknown.output


def test_run_fail_of_a_run_with_no_recorded_process():
    from headwater.events import EventType
    from headwater.storage import Instance
    from tests.storage._events import run_event

    with Instance.get() as instance:
        instance.create_run("old_job", run_id="left-started")
        instance.store_events([run_event("left-started", EventType.RUN_START)])
    result = run_cli("run", "fail", "left-started")
    assert result.exit_code == 0, result.output
    assert last_run().status.value == "FAILURE"
