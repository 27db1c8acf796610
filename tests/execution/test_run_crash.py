"""kill -9 of the process running a run: the run is found dead and marked FAILURE with the
reason, re-execution from failure runs only its unfinished steps, and a live run is never
touched. Real processes: the run goes on in a child process, which the test kills while a
step waits at the test's checkpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import headwater as dg
from headwater.execution.reexecute import ReexecutionOptions

from . import hwexec_crash as crash

ROOT = str(Path(__file__).resolve().parents[2])


class RunInChild:
    """``hwexec_crash.main(mode)`` in a child process, held at its blocking step."""

    def __init__(self, sync, calls: Path, mode: str, instance):
        url = {} if instance.database.is_sqlite else {crash.URL_ENV: instance.database.url}
        env = {**os.environ, **url, crash.BLOCK_ENV: "1", crash.CALLS_ENV: str(calls),
               "PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tests.execution.hwexec_crash import main; main()",
             mode], env=env, cwd=ROOT, stdin=subprocess.DEVNULL)
        self.conn, pid = sync.arrive()  # the blocking step is running, in this process
        self.step_pid = int(pid)

    def kill(self) -> None:
        """kill -9 the run's process (the launcher); then any worker it left behind."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        if self.step_pid != self.process.pid:  # an orphaned worker still waits: end it
            try:
                os.kill(self.step_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.conn.close()


@pytest.fixture
def calls(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "calls"
    path.write_text("")
    monkeypatch.setenv(crash.CALLS_ENV, str(path))
    return path


def _only_run(instance):
    runs = instance.get_runs()
    assert len(runs) == 1
    return runs[0]


def _step_types(instance, run_id) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entry in instance.all_logs(run_id):
        if entry.dagster_event is not None and entry.step_key:
            out.setdefault(entry.step_key, []).append(entry.dagster_event.event_type_value)
    return out


@pytest.mark.parametrize("mode", ["in_process", "spawn", "fork"])
def test_a_killed_run_is_failed_and_re_executes_from_failure(instance, sync, calls, mode):
    child = RunInChild(sync, calls, mode, instance)
    try:
        run = _only_run(instance)
        # alive: never touched, by the check or by the next run on the instance
        assert instance.fail_dead_runs(heartbeat_timeout=0) == []
        process = instance.get_run_process(run.run_id).process
        assert process.pid == child.process.pid  # the launcher, never a worker
        assert (mode == "in_process") == (child.step_pid == child.process.pid)
        assert dg.materialize([crash.hwcrash_first], instance=instance).success
        assert instance.get_run_by_id(run.run_id).status == dg.RunStatus.STARTED

        child.kill()
        assert instance.fail_dead_runs() == [run.run_id]
    finally:
        child.close()

    record = instance.get_run_record_by_id(run.run_id)
    assert record.dagster_run.status == dg.RunStatus.FAILURE and record.end_time is not None
    message = instance.all_logs(run.run_id, of_type="PIPELINE_FAILURE")[0].message
    assert (f"The process running this run (pid {child.process.pid} on host "
            f"{process.host}) is gone: no process has pid {child.process.pid} any more") in message
    steps = _step_types(instance, run.run_id)
    assert steps["hwcrash_first"][-1] == "STEP_SUCCESS"
    if mode != "in_process":  # a worker stores its step's start at once: that step is failed
        assert steps["hwcrash_blocking"] == ["STEP_START", "STEP_FAILURE"]
    assert "hwcrash_after" not in steps

    calls.write_text("")
    with dg.execute_job(dg.reconstructable(crash.hwcrash_job), instance,
                        run_config=crash.RUN_CONFIG["in_process"],
                        reexecution_options=ReexecutionOptions.from_failure(run.run_id)) as again:
        assert again.success
        assert again.output_for_node("hwcrash_after") == 3  # first's output loaded from storage
    assert calls.read_text().split() == ["hwcrash_blocking", "hwcrash_after"]
    assert instance.get_run_by_id(again.run_id).parent_run_id == run.run_id


def test_the_next_run_fails_a_run_whose_process_was_killed(instance, sync, calls):
    child = RunInChild(sync, calls, "in_process", instance)
    try:
        run = _only_run(instance)
        child.kill()
    finally:
        child.close()
    assert instance.get_run_by_id(run.run_id).status == dg.RunStatus.STARTED  # not noticed yet
    assert dg.materialize([crash.hwcrash_first], instance=instance).success
    assert instance.get_run_by_id(run.run_id).status == dg.RunStatus.FAILURE


def test_re_executing_a_killed_run_fails_it_first(instance, sync, calls):
    """``reexecute_job`` on a run left STARTED by a dead process: no "wait until it finished"."""
    child = RunInChild(sync, calls, "in_process", instance)
    try:
        run = _only_run(instance)
        child.kill()
    finally:
        child.close()
    calls.write_text("")
    with dg.execute_job(dg.reconstructable(crash.hwcrash_job), instance,
                        run_config=crash.RUN_CONFIG["in_process"],
                        reexecution_options=ReexecutionOptions.from_failure(run.run_id)) as again:
        assert again.success
    assert instance.get_run_by_id(run.run_id).status == dg.RunStatus.FAILURE
    assert calls.read_text().split() == ["hwcrash_blocking", "hwcrash_after"]


def test_re_executing_a_live_run_is_refused(instance, sync, calls):
    child = RunInChild(sync, calls, "in_process", instance)
    try:
        run = _only_run(instance)
        with pytest.raises(dg.DagsterInvalidInvocationError, match="once it has finished"):
            dg.execute_job(dg.reconstructable(crash.hwcrash_job), instance,
                           reexecution_options=ReexecutionOptions.from_failure(run.run_id))
        assert instance.get_run_by_id(run.run_id).status == dg.RunStatus.STARTED
    finally:
        child.close()
