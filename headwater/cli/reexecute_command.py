"""``headwater run reexecute RUN_ID``: run a finished run's failed (or chosen) steps again."""

from __future__ import annotations

from typing import Any

import click

from headwater.cli.common import EXIT_OK, EXIT_RUN_FAILED, CliError
from headwater.cli.definitions_commands import load_valid
from headwater.cli.job_commands import print_step_summary
from headwater.cli.loading import LocationArgs, code_location_options


def _job_for(defs: Any, job_name: str) -> Any:
    from headwater.definitions.jobs import JobDefinition
    from headwater.execution.run import EPHEMERAL_JOB_NAME

    if job_name == EPHEMERAL_JOB_NAME:  # a `materialize` run: the location's assets
        graph = defs.asset_graph
        ids = graph.executable_ids()
        return JobDefinition(EPHEMERAL_JOB_NAME, graph, ids, defs.resources)
    return defs.get_job_def(job_name)


@click.command("reexecute")
@click.argument("run_id")
@click.option("--from-failure", is_flag=True, help="Run the failed and not-yet-run steps again.")
@click.option("--step", "steps", multiple=True, metavar="KEY",
              help="A step to run again (repeatable); the others' outputs load from storage.")
@code_location_options
def reexecute_command(location: LocationArgs, run_id: str, from_failure: bool,
                      steps: tuple[str, ...]) -> None:
    """Re-execute a finished run, linked to it as its parent."""
    from headwater.cli.common import open_instance
    from headwater.execution.reexecute import ReexecutionOptions, reexecute_job

    if from_failure == bool(steps):
        raise CliError("Pass either --from-failure or one or more --step KEY")
    loc = load_valid(location)
    instance = open_instance(loc.working_directory)
    try:
        parent = instance.get_run_by_id(run_id)
        if parent is None:
            raise CliError(f"No run with id {run_id!r} in this instance; see `headwater run list`")
        job = _job_for(loc.defs, parent.job_name)
        options = (ReexecutionOptions.from_failure(run_id) if from_failure
                   else ReexecutionOptions(run_id, steps))
        result = reexecute_job(job, options, instance=instance, raise_on_error=False)
        print_step_summary(instance, result.run_id)
        click.echo(f"Re-execution of {run_id}.")
        raise SystemExit(EXIT_OK if result.success else EXIT_RUN_FAILED)
    finally:
        instance.dispose()
