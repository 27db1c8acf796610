"""Queueing runs from the command line (``job launch``, ``asset materialize --async``) and
``run cancel``: each returns at once; the daemon launches queued runs (``headwater daemon run``
or ``headwater dev``)."""

from __future__ import annotations

from typing import Any

import click

from headwater.cli.common import CliError, open_instance

DAEMON_NOTE = ("The daemon launches it (`headwater daemon run`, or `headwater dev`); follow it "
               "with `headwater run show {run_id} --follow`.")


def location_name(args: Any, given: str | None) -> str:
    """The code location a queued run belongs to: ``--location``, else the name the daemon
    gives the location (``LocationOrigin.name``: the module name, the file's name, the
    project's module), so that the daemon's queue finds it."""
    return given or args.origin().name


def queue_request(loc: Any, request: Any, name: str) -> str:
    """Store ``request`` as a QUEUED run on the instance; print its id; the id."""
    from headwater.definitions.errors import HeadwaterError
    from headwater.execution.stored_run import queue_run

    instance = open_instance(loc.working_directory)
    try:
        try:
            run = queue_run(instance, request, name)
        except HeadwaterError as e:
            raise CliError(str(e)) from None
    finally:
        instance.dispose()
    click.echo(run.run_id)
    click.echo(f"Queued run {run.run_id} of {run.job_name!r} in code location {name!r}. "
               + DAEMON_NOTE.format(run_id=run.run_id), err=True)
    return str(run.run_id)


@click.command("cancel")
@click.argument("run_id")
@click.option("--reason", metavar="TEXT", help="Why, recorded in the run's cancel event.")
def cancel_run(run_id: str, reason: str | None) -> None:
    """Cancel a run: a queued run is CANCELED at once; a running one stops between steps
    (its running steps' processes are terminated) and ends CANCELED."""
    from headwater.cli.run_commands import instance_with_run
    from headwater.execution.cancel import request_cancel
    from headwater.storage import RunStatus

    instance, record = instance_with_run(run_id)
    with instance:
        before = record.dagster_run.status
        if record.dagster_run.is_finished:
            raise CliError(f"Run {run_id} already finished ({before.value}): nothing to cancel.")
        status = request_cancel(instance, run_id, reason)
    if status == RunStatus.CANCELED:
        click.echo(f"Run {run_id} canceled (it was {before.value}).")
    elif status == RunStatus.CANCELING:
        click.echo(f"Run {run_id} is CANCELING: it stops after its running steps (follow it "
                   f"with `headwater run show {run_id} --follow`).")
    else:
        click.echo(f"Run {run_id} finished meanwhile ({status.value}).")
