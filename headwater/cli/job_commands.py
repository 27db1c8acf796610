"""``headwater job list`` and ``headwater job execute``: jobs of the code location."""

from __future__ import annotations

import uuid
from typing import Any

import click

from headwater.cli.common import EXIT_OK, EXIT_RUN_FAILED, CliError
from headwater.cli.definitions_commands import load_valid
from headwater.cli.loading import LocationArgs, code_location_options
from headwater.cli.output import first_line, format_duration, print_table
from headwater.cli.progress import follow, make_reporter
from headwater.cli.run_summary import echo_failures, outcome_from_logs


@click.group("job")
def job_group() -> None:
    """Jobs: asset jobs (define_asset_job) and op jobs (@job)."""


def _describe(defs: Any, job: Any) -> list[Any]:
    resolved = defs.get_job_def(job.name)
    if getattr(resolved, "graph_def", None) is not None:
        kind, size = "ops", f"{len(resolved.graph_def.nodes)} nodes"
    else:
        kind, size = "assets", f"{len(resolved.asset_ids)} assets"
    return [job.name, kind, size, first_line(getattr(resolved, "description", None) or "")]


@job_group.command("list")
@code_location_options
def list_jobs(location: LocationArgs) -> None:
    """List the jobs of the code location."""
    defs = load_valid(location).defs
    rows = [_describe(defs, job) for job in defs.jobs]
    if not rows:
        click.echo("No jobs defined (assets can still be run with `headwater asset materialize`).")
        return
    print_table(["job", "kind", "size", "description"], rows)


@job_group.command("execute")
@click.option("-j", "--job", "job_name", required=True, metavar="NAME", help="The job to run.")
@click.option("--config-json", metavar="JSON", help="Run config as a JSON object.")
@click.option("-c", "--config", "config_files", multiple=True, metavar="FILE",
              help="Run config file (JSON or YAML); may be repeated, later files win.")
@click.option("--tags", "tags_json", metavar="JSON", help="Run tags as a JSON object.")
@code_location_options
def execute_job(location: LocationArgs, job_name: str, config_json: str | None,
                config_files: tuple[str, ...], tags_json: str | None) -> None:
    """Run a job in this process against the persistent instance."""
    from headwater.cli.asset_commands import run_config_from, tags_from
    from headwater.cli.common import open_instance
    from headwater.definitions.errors import InvalidConfigError, InvariantViolationError

    loc = load_valid(location)
    try:
        job = loc.defs.get_job_def(job_name)
    except InvariantViolationError:
        names = sorted(j.name for j in loc.defs.jobs)
        raise CliError(f"No job named {job_name!r}; jobs are {names}") from None
    run_config = run_config_from(config_json, config_files)
    instance = open_instance(loc.working_directory)
    run_id = str(uuid.uuid4())
    try:
        try:
            with make_reporter(None) as reporter:
                watch = follow(instance, run_id, reporter)
                try:
                    result = job.execute_in_process(run_config=run_config or None,
                                                    instance=instance, raise_on_error=False,
                                                    tags=tags_from(tags_json), run_id=run_id)
                finally:
                    watch.stop()
                    watch.join()
        except InvalidConfigError as e:
            raise CliError(str(e)) from None
        print_step_summary(instance, result.run_id)
        raise SystemExit(EXIT_OK if result.success else EXIT_RUN_FAILED)
    finally:
        instance.dispose()


@job_group.command("launch")
@click.option("-j", "--job", "job_name", required=True, metavar="NAME", help="The job to run.")
@click.option("--config-json", metavar="JSON", help="Run config as a JSON object.")
@click.option("-c", "--config", "config_files", multiple=True, metavar="FILE",
              help="Run config file (JSON or YAML); may be repeated, later files win.")
@click.option("--tags", "tags_json", metavar="JSON", help="Run tags as a JSON object.")
@click.option("--partition", metavar="KEY", help="The partition of a partitioned job to run.")
@click.option("--op-selection", "op_selection", metavar="OPS",
              help="Comma-separated op names to run (an op job's subset).")
@click.option("--run-id", metavar="ID", help="The new run's id (default: a new one).")
@click.option("-l", "--location", "location_name", metavar="NAME",
              help="The code location's name (default: the name the daemon gives it: the module name or the file's name).")
@code_location_options
def launch_job(location: LocationArgs, job_name: str, config_json: str | None,
               config_files: tuple[str, ...], tags_json: str | None, partition: str | None,
               op_selection: str | None, run_id: str | None, location_name: str | None) -> None:
    """Queue a run of a job and print its run id; returns at once (the daemon launches it)."""
    from headwater.cli.asset_commands import run_config_from, tags_from
    from headwater.cli.queue_commands import location_name as name_of
    from headwater.cli.queue_commands import queue_request
    from headwater.definitions.errors import InvariantViolationError
    from headwater.execution import LaunchRequest

    loc = load_valid(location)
    try:
        job = loc.defs.get_job_def(job_name)
    except InvariantViolationError:
        names = sorted(j.name for j in loc.defs.jobs)
        raise CliError(f"No job named {job_name!r}; jobs are {names}") from None
    ops = None if op_selection is None else tuple(
        o.strip() for o in op_selection.split(",") if o.strip())
    if ops is not None and getattr(job, "graph_def", None) is None:
        raise CliError(f"--op-selection applies to op jobs; {job_name!r} is an asset job")
    if partition is not None and getattr(job, "partitions_def", None) is None:
        raise CliError(f"Job {job_name!r} is not partitioned: drop --partition")
    request = LaunchRequest(job_name=job_name, run_config=run_config_from(config_json,
                                                                          config_files) or None,
                            tags=tags_from(tags_json), partition_key=partition,
                            op_selection=ops, run_id=run_id)
    queue_request(loc, request, name_of(location, location_name))


def print_step_summary(instance: Any, run_id: str) -> None:
    """After a job run: each step's status and duration, the failures, the run's status."""
    outcome = outcome_from_logs(instance.all_logs(run_id))
    rows = [[key, step.status, format_duration(step.duration) if step.duration else ""]
            for key, step in outcome.steps.items()]
    click.echo()
    print_table(["step", "status", "duration"], rows)
    echo_failures(outcome)
    run = instance.get_run_by_id(run_id)
    click.echo(f"\nRun {run_id}: {run.status.value if run else '?'}. "
               f"Details: headwater run show {run_id}")
