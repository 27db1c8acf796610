"""``headwater run reexecute RUN_ID``: run a finished run's failed (or chosen) steps again."""

from __future__ import annotations

from typing import Any

import click

from headwater.cli.common import EXIT_OK, EXIT_RUN_FAILED, CliError
from headwater.cli.definitions_commands import load_valid
from headwater.cli.job_commands import print_step_summary
from headwater.cli.loading import LocationArgs, code_location_options
from headwater.cli.run_commands import fail_dead_runs


def _job_for(defs: Any, parent: Any) -> Any:
    from headwater.definitions.jobs import JobDefinition
    from headwater.execution.run import EPHEMERAL_JOB_NAME

    if parent.job_name == EPHEMERAL_JOB_NAME:  # a `materialize` run: the assets it selected
        graph = defs.asset_graph
        ids = graph.executable_ids()
        if parent.asset_selection is not None:
            missing = sorted(k.to_user_string() for k in parent.asset_selection if k not in graph)
            if missing:
                raise CliError(f"Run {parent.run_id} materialized asset(s) {', '.join(missing)}, "
                               "which this code location no longer defines; materialize the "
                               "assets you want with `headwater asset materialize` instead.")
            ids = ids & {graph.ids[k] for k in parent.asset_selection}
        return JobDefinition(EPHEMERAL_JOB_NAME, graph, ids, defs.resources)
    return defs.get_job_def(parent.job_name)


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
        if not parent.is_finished:  # its process may be gone: then it is marked failed now
            fail_dead_runs(instance)
        job = _job_for(loc.defs, parent)
        options = (ReexecutionOptions.from_failure(run_id) if from_failure
                   else ReexecutionOptions(run_id, steps))
        result = reexecute_job(job, options, instance=instance, raise_on_error=False)
        print_step_summary(instance, result.run_id)
        click.echo(f"Re-execution of {run_id}.")
        raise SystemExit(EXIT_OK if result.success else EXIT_RUN_FAILED)
    finally:
        instance.dispose()
