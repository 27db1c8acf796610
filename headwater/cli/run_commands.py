"""``headwater run list``, ``run show RUN_ID`` and ``run fail RUN_ID``: runs and their event logs.

Listing and showing first mark failed the runs whose process is gone (``fail_dead_runs``), so
that a killed run never shows as running forever.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import click

from headwater.cli.common import CliError, err, home_directory
from headwater.cli.output import format_duration, format_time, indent, print_table
from headwater.cli.run_summary import error_text

MAX_LISTED_ASSETS = 12


def _existing_instance() -> Any:
    """The instance to read runs from, or None when the fallback home was never created."""
    from headwater.storage import Instance

    home, from_env = home_directory()
    if not from_env and not os.path.isdir(home):
        return None
    return Instance.local(home)


def fail_dead_runs(instance: Any) -> None:
    """Mark failed the runs whose process is gone, saying so on stderr. A database that
    cannot be written (read-only) only gets a note: the listing goes on."""
    from headwater.definitions.errors import StorageError

    try:
        failed = instance.fail_dead_runs()
    except StorageError as e:
        err(f"Note: runs whose process is gone could not be marked failed: {e}")
        return
    for run_id in failed:
        err(f"Run {run_id} was marked FAILURE: the process running it is gone "
            f"(`headwater run show {run_id}` says why).")


def instance_with_run(run_id: str, check_health: bool = False) -> tuple[Any, Any]:
    """The instance and the record of ``run_id`` in it; a clear error when there is none.
    ``check_health``: first mark failed the runs whose process is gone."""
    instance = _existing_instance()
    if instance is not None and check_health:
        fail_dead_runs(instance)
    record = instance.get_run_record_by_id(run_id) if instance is not None else None
    if record is None:
        if instance is not None:
            instance.dispose()
        raise CliError(f"No run with id {run_id!r} in this instance. "
                       "`headwater run list` shows the recorded runs.")
    return instance, record


def _duration(record: Any) -> str:
    if record.start_time is None:
        return ""
    if record.end_time is None:
        return "running"
    return format_duration(record.end_time - record.start_time)


@click.group("run")
def run_group() -> None:
    """Runs recorded in the instance (HEADWATER_HOME)."""


@run_group.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="At most this many runs.")
@click.option("--status", metavar="STATUS",
              help="Only runs with this status (SUCCESS, FAILURE, STARTED, QUEUED, CANCELED...).")
@click.option("--job", "job_name", metavar="NAME", help="Only runs of this job.")
def list_runs(limit: int, status: str | None, job_name: str | None) -> None:
    """Runs, newest first: run id, job, status, start and end time, duration."""
    from headwater.storage import RunsFilter, RunStatus

    if status is not None:
        valid = [s.value for s in RunStatus]
        if status.upper() not in valid:
            raise CliError(f"Unknown run status {status!r}; use one of {', '.join(valid)}.")
    instance = _existing_instance()
    if instance is None:
        click.echo("No runs yet.")
        return
    with instance:
        fail_dead_runs(instance)
        records = instance.get_run_records(
            RunsFilter(job_name=job_name, statuses=[status.upper()] if status else None),
            limit=limit)
    if not records:
        click.echo("No runs match." if (status or job_name) else "No runs yet.")
        return
    rows = [[r.dagster_run.run_id, r.dagster_run.job_name, r.dagster_run.status.value,
             _partition(r.dagster_run.tags), format_time(r.start_time), format_time(r.end_time),
             _duration(r)] for r in records]
    print_table(["run id", "job", "status", "partition", "started", "ended", "duration"], rows,
                wrap=["job"])


def _partition(tags: Any) -> str:
    """The partition (or range) a run covers, from Dagster's tags."""
    from headwater.storage.runs import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
        PARTITION_NAME_TAG,
    )

    if PARTITION_NAME_TAG in tags:
        return str(tags[PARTITION_NAME_TAG])
    start = tags.get(ASSET_PARTITION_RANGE_START_TAG)
    return f"{start}...{tags.get(ASSET_PARTITION_RANGE_END_TAG)}" if start else ""


@run_group.command("show")
@click.argument("run_id")
@click.option("--follow", "-f", is_flag=True,
              help="Then print new events as they are stored (by any process) until the run "
                   "finishes; exit 1 if it did not succeed.")
def show_run(run_id: str, follow: bool) -> None:
    """A run's status, tags and times, then its event log (with errors and user logs)."""
    instance, record = instance_with_run(run_id, check_health=True)
    if follow:
        from headwater.cli.run_follow import follow_run

        with instance:
            raise SystemExit(follow_run(instance, record))
    with instance:
        entries = instance.all_logs(run_id)
        process = instance.get_run_process(run_id)
    echo_run_header(record, process)
    step_width = max([len(e.step_key or "-") for e in entries] + [4])
    kind_width = max([len(_kind(e)) for e in entries] + [4])
    for entry in entries:
        echo_event(entry, step_width, kind_width)


def echo_run_header(record: Any, process: Any = None) -> None:
    run = record.dagster_run
    click.echo(f"Run     {run.run_id}")
    click.echo(f"Job     {run.job_name}")
    click.echo(f"Status  {run.status.value}")
    click.echo(f"Started {format_time(record.start_time) or '-'}")
    click.echo(f"Ended   {format_time(record.end_time) or '-'}"
               + (f"  ({_duration(record)})" if record.end_time else ""))
    if process is not None:
        click.echo(f"Process {process.process.describe()}")
    if run.tags:
        click.echo("Tags    " + ", ".join(f"{k}={v}" for k, v in sorted(run.tags.items())))
    if run.asset_selection:
        names = sorted(k.to_user_string() for k in run.asset_selection)
        more = len(names) - MAX_LISTED_ASSETS
        click.echo(f"Assets  {len(names)}: " + ", ".join(names[:MAX_LISTED_ASSETS])
                   + (f", … ({more} more)" if more > 0 else ""))
    click.echo("")


def echo_event(entry: Any, step_width: int, kind_width: int) -> None:
    """One event line; a failure's error below it."""
    click.echo(_event_line(entry, step_width, kind_width))
    event = entry.dagster_event
    if event is not None and event.event_type_value in ("STEP_FAILURE", "PIPELINE_FAILURE"):
        text = error_text(entry)
        if text and text != entry.message:
            click.echo(indent(text, "      "))


@run_group.command("fail")
@click.argument("run_id")
@click.option("--reason", metavar="TEXT", help="Why, recorded in the run's failure event.")
@click.option("--force", is_flag=True,
              help="Mark it failed even though its process seems alive (its pid runs on this "
              "host, or its heartbeat is recent).")
def fail_run(run_id: str, reason: str | None, force: bool) -> None:
    """Mark an unfinished run FAILURE by hand (e.g. its process was killed).

    Its started and unfinished steps get a step failure, so `headwater run reexecute RUN_ID
    --from-failure` runs them (and the steps after them) again."""
    import time

    from headwater.storage import run_health
    from headwater.storage.processes import can_check

    instance, record = instance_with_run(run_id)
    with instance:
        run = record.dagster_run
        if run.is_finished:
            raise CliError(f"Run {run_id} already finished ({run.status.value}): only a run "
                           "that has not finished can be marked failed.")
        found = instance.get_run_process(run_id)
        now = time.time()
        if found is not None and not force and \
                found.gone_reason(now, run_health.DEFAULT_HEARTBEAT_TIMEOUT_S) is None:
            seen = "" if can_check(found.process) else \
                f" (its last heartbeat was {now - found.heartbeat:.0f} s ago)"
            raise CliError(
                f"Run {run_id} is {run.status.value} and its process "
                f"({found.process.describe()}) is alive{seen}. Stop that process first "
                "(`headwater run list` then marks the run failed), or pass --force to mark it "
                "failed anyway.")
        if not run_health.fail_run(instance.database, run_id, reason):
            current = instance.get_run_by_id(run_id)
            raise CliError(f"Run {run_id} finished meanwhile ({current.status.value}).")
    click.echo(f"Run {run_id} marked FAILURE. Re-execute its unfinished steps with "
               f"`headwater run reexecute {run_id} --from-failure`.")


def _kind(entry: Any) -> str:
    """The event type, or for a user log line its level (INFO, WARNING...)."""
    if entry.dagster_event is not None:
        return entry.dagster_event.event_type_value
    level = entry.level
    return level if isinstance(level, str) else logging.getLevelName(level)


def _event_line(entry: Any, step_width: int, kind_width: int) -> str:
    event = entry.dagster_event
    message = entry.user_message if event is None else entry.message
    materialization = event.materialization if event is not None else None
    if materialization is not None:
        names = sorted(materialization.metadata or {})
        message = message or f"Materialized {materialization.asset_key.to_user_string()}."
        if names:
            message += f" Metadata: {', '.join(names)}."
    when = format_time(entry.timestamp, with_date=False, millis=True)
    step = entry.step_key or "-"
    return f"{when}  {step:<{step_width}}  {_kind(entry):<{kind_width}}  {message or ''}".rstrip()


def _register_cancel() -> None:
    from headwater.cli.queue_commands import cancel_run

    run_group.add_command(cancel_run)


_register_cancel()
