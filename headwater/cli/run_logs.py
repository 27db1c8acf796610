"""``headwater run logs RUN_ID [--step KEY] [--stderr]``: the stdout/stderr a run's steps wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from headwater.cli.common import CliError
from headwater.cli.run_commands import instance_with_run

if TYPE_CHECKING:
    from headwater.execution.compute_logs import ComputeLogManager


@click.command("logs")
@click.argument("run_id")
@click.option("--step", "step_key", metavar="KEY", help="Only this step (default: every step).")
@click.option("--stderr", "stderr", is_flag=True, help="Show stderr instead of stdout.")
def run_logs(run_id: str, step_key: str | None, stderr: bool) -> None:
    """The captured stdout (or stderr) of a run's steps, as far as written (also mid-run)."""
    from headwater.execution.compute_logs import ComputeLogManager

    instance, _ = instance_with_run(run_id)
    with instance:
        started = [e.step_key for e in instance.all_logs(run_id, of_type="STEP_START")]
        logs = ComputeLogManager.for_instance(instance)
    io = "stderr" if stderr else "stdout"
    steps = list(dict.fromkeys([*(k for k in started if k), *logs.step_keys(run_id)]))
    if step_key is not None:
        if step_key not in steps:
            raise CliError(f"Run {run_id} has no step {step_key!r}; its steps are {steps}.")
        click.echo(_read(logs, run_id, step_key, io), nl=False)
        return
    if not steps:
        click.echo(f"Run {run_id} has no step logs yet.")
        return
    for key in steps:
        text = _read(logs, run_id, key, io)
        click.echo(f"=== {key} ({io}) ===")
        if text:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            click.echo("(nothing written)")


def _read(logs: ComputeLogManager, run_id: str, step_key: str, io: str) -> str:
    """A step's log; an unreadable file is a clear error (exit 2), not a traceback."""
    try:
        return logs.read(run_id, step_key, io)
    except OSError as e:
        raise CliError(f"Cannot read the {io} log of step {step_key!r} at "
                       f"{logs.path(run_id, step_key, io)}: {e.strerror or e}. Check that this "
                       "user may read it.") from None
