"""Compute logs: each step's stdout and stderr, in files under the instance, readable while
the step runs and afterwards, in every executor; ``headwater run logs``."""

from __future__ import annotations

import sys
import uuid

import pytest

import headwater as dg
from headwater.cli.main import cli
from headwater.execution.compute_logs import ComputeLogManager, read_compute_log

from . import hwexec_jobs as jobs
from .hwexec_sync import InThread

EXECUTORS = {"in_process": {"execution": {"config": {"in_process": {}}}},
             "multiprocess": {"execution": {"config": {"multiprocess": {}}}}}


@pytest.mark.parametrize("executor", sorted(EXECUTORS))
def test_logs_are_readable_while_the_step_runs_and_after(instance, sync, executor):
    """The op prints, then waits at a checkpoint while the test reads its partial log."""
    run_id = str(uuid.uuid4())
    recon = dg.reconstructable(jobs.hwexec_chatty_job)
    run = InThread(lambda: dg.execute_job(recon, instance, run_config=EXECUTORS[executor],
                                          run_id=run_id))
    conn, message = sync.arrive()
    assert message == "printed"
    out = read_compute_log(instance, run_id, "hwexec_chatty")
    assert out == "chatty says hello\n"  # written through, not held until the step ends
    assert read_compute_log(instance, run_id, "hwexec_chatty", "stderr") == "chatty complains\n"
    sync.release(conn)
    with run.result() as result:
        assert result.success
    assert read_compute_log(instance, run_id, "hwexec_chatty") == (
        "chatty says hello\nchatty says goodbye\n")
    assert read_compute_log(instance, run_id, "hwexec_chatty", "stderr") == "chatty complains\n"


def test_files_live_under_the_instance_and_only_for_steps_that_wrote(instance, home):
    result = jobs.hwexec_printer_job.execute_in_process(instance=instance)
    logs = ComputeLogManager.for_instance(instance)
    path = logs.path(result.run_id, "hwexec_printer", "stdout")
    assert path == str(home / "compute_logs" / result.run_id / "hwexec_printer.out")
    assert logs.read(result.run_id, "hwexec_printer") == "line one\nline two\n"
    assert logs.read(result.run_id, "hwexec_printer", "stderr") == "to stderr\n"
    assert logs.step_keys(result.run_id) == ["hwexec_printer"]  # hwexec_quiet wrote nothing
    assert logs.read(result.run_id, "hwexec_quiet") == ""


def test_capture_mirrors_to_the_console_and_restores_the_streams(instance, capsys):
    before = sys.stdout, sys.stderr
    jobs.hwexec_printer_job.execute_in_process(instance=instance)
    result = jobs.hwexec_failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    assert (sys.stdout, sys.stderr) == before
    captured = capsys.readouterr()
    assert "line one\nline two\n" in captured.out and "to stderr\n" in captured.err


def test_an_ephemeral_instance_keeps_logs_in_its_temp_folder():
    with dg.Instance.ephemeral() as instance:
        result = jobs.hwexec_printer_job.execute_in_process(instance=instance)
        assert read_compute_log(instance, result.run_id, "hwexec_printer") == "line one\nline two\n"
        assert ComputeLogManager.for_instance(instance).base_dir.startswith(
            instance.root_directory)


def run_cli(*args: str):
    from click.testing import CliRunner

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_run_logs(instance):
    run_id = jobs.hwexec_printer_job.execute_in_process(instance=instance).run_id
    out = run_cli("run", "logs", run_id)
    assert out.exit_code == 0, out.output
    assert "=== hwexec_printer (stdout) ===\nline one\nline two\n" in out.output
    assert "=== hwexec_quiet (stdout) ===\n(nothing written)" in out.output
    one = run_cli("run", "logs", run_id, "--step", "hwexec_printer")
    assert one.exit_code == 0 and one.output == "line one\nline two\n"
    err = run_cli("run", "logs", run_id, "--step", "hwexec_printer", "--stderr")
    assert err.exit_code == 0 and err.output == "to stderr\n"
    bad_step = run_cli("run", "logs", run_id, "--step", "nope")
    assert bad_step.exit_code == 2 and "no step 'nope'" in bad_step.output
    bad_run = run_cli("run", "logs", "no-such-run")
    assert bad_run.exit_code == 2 and "No run with id 'no-such-run'" in bad_run.output
