"""``headwater backfill launch|resume|list|show|cancel``: backfills of partitioned assets.

``launch`` stores the backfill with the plan of its runs and returns at once: the daemon
(``headwater daemon run``, or ``headwater dev``) queues its runs and the run queue launches them
within the instance's limits. ``launch --wait`` carries it out in this process instead, run
after run, with a progress bar, and exits when it is done (no daemon needed: what scripts and CI
want); ``resume`` continues one that stopped: one launched for the daemon is handed back to
it (REQUESTED) and the command returns at once, unless ``--wait`` (carried out here, as one
launched with ``--wait`` always is).
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import click

from headwater.cli.asset_commands import tags_from
from headwater.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_RUN_FAILED,
    CliError,
    err,
    is_tty,
    open_instance,
)
from headwater.cli.definitions_commands import load_valid
from headwater.cli.loading import LocationArgs, code_location_options
from headwater.cli.output import format_duration, format_time, print_table

_POLICY = re.compile(r"^(auto|single-run|per-partition|multi-run:(\d+))$")


def _per_run(policy: str) -> Any:
    m = _POLICY.match(policy)
    if m is None:
        raise CliError(f"--policy {policy!r} is not one of auto, single-run, per-partition, "
                       "multi-run:N (e.g. multi-run:30)")
    if policy == "auto":
        return "policy"
    if policy == "single-run":
        return None
    if policy == "per-partition":
        return 1
    n = int(m.group(2))
    if n < 1:
        raise CliError("--policy multi-run:N needs N >= 1")
    return n


@click.group("backfill")
def backfill_group() -> None:
    """Backfill partitioned assets over many partitions."""


@backfill_group.command("launch")
@click.option("--select", required=True, metavar="SELECTION",
              help='Which assets, e.g. "daily_snow*" or "group:raw"; all must share one '
                   "partitions definition.")
@click.option("--partitions", "spec", metavar="KEYS",
              help='A range "2024-01-01...2024-12-31", a list "a,b,c", or one key.')
@click.option("--from", "from_key", metavar="KEY",
              help="With --to: the range from KEY to --to's key (Dagster's --from/--to).")
@click.option("--to", "to_key", metavar="KEY", help="The last partition of a --from range.")
@click.option("--all-partitions", "--all", "all_partitions", is_flag=True,
              help="Every partition of the definition.")
@click.option("--policy", default="auto", show_default=True,
              help="Partitions per run: auto (the assets' BackfillPolicy; one run per partition "
                   "without one), single-run, per-partition, multi-run:N.")
@click.option("--title", help="A name for the backfill, shown by list and show.")
@click.option("--tags", "tags_json", metavar="JSON", help="Tags for every run, as JSON.")
@click.option("--wait", is_flag=True,
              help="Carry the backfill out in this process, run after run, with a progress "
                   "bar, and exit when it is done (exit 1 if a run failed); no daemon needed.")
@click.option("--noprompt", is_flag=True, hidden=True,
              help="Accepted for Dagster's `job backfill`; nothing is ever asked.")
@click.option("-l", "--location", "location_name", metavar="NAME",
              help="The code location the daemon runs it in (default: the name the daemon "
                   "gives it: the module name or the file's name).")
@code_location_options
def launch(location: LocationArgs, select: str, spec: str | None, from_key: str | None,
           to_key: str | None, all_partitions: bool, policy: str, title: str | None,
           tags_json: str | None, wait: bool, noprompt: bool,
           location_name: str | None) -> None:
    """Store a backfill for the daemon, print its id and return at once (--wait: carry it out
    here)."""
    from headwater.cli.queue_commands import location_name as name_of
    from headwater.definitions.selection import AssetSelection
    from headwater.execution.backfill import launch_backfill, parse_partition_spec

    if (from_key is None) != (to_key is None):
        raise CliError("--from and --to go together: --from 2024-01-01 --to 2024-01-31")
    if from_key is not None:
        if spec is not None:
            raise CliError("Pass --partitions or --from/--to, not both")
        spec = f"{from_key}...{to_key}"
    if (spec is None) == (not all_partitions):
        raise CliError("Pass --partitions KEYS (e.g. 2024-01-01...2024-12-31), --from/--to, or "
                       "--all-partitions (one of them)")
    per_run = _per_run(policy)
    tags = tags_from(tags_json)
    key_range, keys = parse_partition_spec(spec) if spec is not None else (None, None)
    loc = load_valid(location)
    instance = open_instance(loc.working_directory)
    try:
        name = None if wait else name_of(location, location_name)
        backfill = launch_backfill(loc.defs, AssetSelection.from_string(select),
                                   instance=instance, partition_keys=keys,
                                   partition_range=key_range, all_partitions=all_partitions,
                                   max_partitions_per_run=per_run, tags=tags, title=title,
                                   location_name=name)
        runs = "one run" if backfill.max_partitions_per_run is None else (
            "one run per partition" if backfill.max_partitions_per_run == 1
            else f"runs of up to {backfill.max_partitions_per_run} partitions")
        err(f"Backfill {backfill.backfill_id}: {len(backfill.asset_selection)} asset(s) x "
            f"{len(backfill.partition_keys)} partition(s), {runs}.")
        if not wait:
            click.echo(backfill.backfill_id)
            err(f"Queued for the daemon of code location {name!r}, which submits its runs to "
                "the run queue (`headwater daemon run`, or `headwater dev`). Follow it with "
                f"`headwater backfill show {backfill.backfill_id}`; stop it with "
                f"`headwater backfill cancel {backfill.backfill_id}`.")
            return
        code = _carry_out(loc.defs, instance, backfill.backfill_id)
    finally:
        instance.dispose()
    click.get_current_context().exit(code)


@backfill_group.command("resume")
@click.argument("backfill_id")
@click.option("--wait", is_flag=True,
              help="Carry the backfill out in this process, with a progress bar, and exit when "
                   "it is done (exit 1 if a run failed); no daemon needed.")
@code_location_options
def resume(location: LocationArgs, backfill_id: str, wait: bool) -> None:
    """Continue a backfill that stopped (crash, Ctrl-C, a code location that was missing):
    finished partitions are not rerun. One launched for the daemon is handed back to it and the
    command returns at once, as `launch` does (--wait: carry it out here; one launched with
    --wait is always carried out here)."""
    if location.working_directory and not os.path.isdir(location.working_directory):
        raise CliError(f"Working directory {location.working_directory!r} does not exist or is "
                       "not a folder.")
    instance = open_instance(location.working_directory)
    try:
        backfill = _get(instance, backfill_id)
        if backfill.is_finished and backfill.status.value != "FAILED":
            raise CliError(f"Backfill {backfill_id} already finished "
                           f"({backfill.status.value}); launch a new one to run it again")
        if backfill.plan is not None and not wait:
            _request_again(instance, backfill_id)
            return
        loc = load_valid(location)  # only a backfill carried out here imports the code
        code = _carry_out(loc.defs, instance, backfill_id)
    finally:
        instance.dispose()
    click.get_current_context().exit(code)


def _request_again(instance: Any, backfill_id: str) -> None:
    from headwater.definitions.errors import InvalidInvocationError
    from headwater.definitions.tags import CODE_LOCATION_TAG
    from headwater.execution.backfill import request_backfill

    try:
        backfill, changed = request_backfill(instance, backfill_id)
    except InvalidInvocationError as e:
        raise CliError(str(e)) from None
    name = backfill.tags.get(CODE_LOCATION_TAG)
    click.echo(backfill_id)
    err((f"Backfill {backfill_id}: REQUESTED again for the daemon of code location {name!r}; "
         "its finished partitions are not rerun." if changed else
         f"Backfill {backfill_id} is already REQUESTED: the daemon of code location {name!r} "
         "carries it out (a daemon that died is taken over by the next one).")
        + " Start the daemon with `headwater daemon run` (or `headwater dev`); follow it with "
        f"`headwater backfill show {backfill_id}`; carry it out here instead with "
        f"`headwater backfill resume --wait {backfill_id}`.")


def _carry_out(defs: Any, instance: Any, backfill_id: str) -> int:
    from headwater.execution.backfill import execute_backfill

    bar = _ProgressBar(backfill_id)
    try:
        with bar:
            final = execute_backfill(defs, backfill_id, instance=instance,
                                     on_progress=bar.update, on_run_start=bar.run_start)
    except KeyboardInterrupt:
        err(f"\nInterrupted. Backfill {backfill_id} is kept: `headwater backfill resume "
            f"{backfill_id}` continues it without redoing finished partitions.")
        return EXIT_INTERRUPTED
    status = final.status.value
    p = bar.last
    counts = (f"{p.done} of {p.total} partitions materialized, {p.failed} failed, "
              f"{p.runs} run(s)" if p is not None else "")
    click.echo(f"Backfill {backfill_id}: {status}. {counts}. Details: headwater backfill show "
               f"{backfill_id}")
    return EXIT_OK if status in ("COMPLETED_SUCCESS", "COMPLETED") else EXIT_RUN_FAILED


class _ProgressBar:
    """A rich bar on a terminal; otherwise one line per finished run."""

    def __init__(self, backfill_id: str):
        self.backfill_id = backfill_id
        self.last: Any = None
        self._progress: Any = None
        self._chunk: list[str] = []

    def __enter__(self) -> _ProgressBar:
        if is_tty(sys.stderr):
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TimeRemainingColumn(),
                console=Console(stderr=True, highlight=False), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(f"backfill {self.backfill_id}", total=None)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.stop()

    def run_start(self, chunk: list[str]) -> None:
        self._chunk = chunk
        if self._progress is not None:
            what = chunk[0] if len(chunk) == 1 else f"{chunk[0]}...{chunk[-1]}"
            self._progress.update(self._task, description=what)

    def update(self, p: Any) -> None:
        first = self.last is None
        self.last = p
        if self._progress is not None:
            self._progress.update(self._task, total=p.total, completed=p.done + p.failed)
            if p.last_run_success is False:
                self._progress.console.print(
                    f"[red]FAILED[/red] {_chunk_text(self._chunk)} (run {p.last_run_id}: "
                    f"headwater run show {p.last_run_id})")
            return
        if first:
            if p.done or p.failed:
                err(f"Resuming: {p.done} partition(s) already materialized.")
            return
        width = len(str(p.total))
        status = "ok" if p.last_run_success else "FAILED"
        err(f"[{p.done + p.failed:>{width}}/{p.total}] {status:<6} {_chunk_text(self._chunk)} "
            f"(run {p.last_run_id})")


def _chunk_text(chunk: list[str]) -> str:
    if not chunk:
        return ""
    return chunk[0] if len(chunk) == 1 else f"{chunk[0]}...{chunk[-1]} ({len(chunk)})"


def _existing_instance() -> Any:
    from headwater.cli.run_commands import _existing_instance as existing

    return existing()


def _get(instance: Any, backfill_id: str) -> Any:
    backfill = instance.get_backfill(backfill_id) if instance is not None else None
    if backfill is None:
        raise CliError(f"No backfill {backfill_id!r} in this instance; "
                       "`headwater backfill list` shows them.")
    return backfill


def _partitions_text(backfill: Any) -> str:
    keys = backfill.partition_keys
    if len(keys) == 1:
        return keys[0]
    return f"{len(keys)}: {keys[0]}...{keys[-1]}"


def _run_counts(instance: Any, backfill: Any) -> dict[str, int]:
    """Runs of the backfill by status (from the run index)."""
    counts: dict[str, int] = {}
    for run in instance.get_backfill_runs(backfill.backfill_id):
        counts[run.status.value] = counts.get(run.status.value, 0) + 1
    return counts


@backfill_group.command("list")
@click.option("--status", metavar="STATUS", help="Only backfills with this status "
              "(REQUESTED, CANCELING, CANCELED, COMPLETED_SUCCESS, COMPLETED_FAILED, FAILED).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
def list_backfills(status: str | None, limit: int) -> None:
    """Backfills, newest first."""
    instance = _existing_instance()
    if instance is None:
        click.echo("No backfills yet.")
        return
    try:
        backfills = instance.get_backfills(status=status.upper() if status else None, limit=limit)
        if not backfills:
            click.echo("No backfills" + (f" with status {status.upper()}." if status else " yet."))
            return
        rows = []
        for b in backfills:
            runs = _run_counts(instance, b)
            rows.append([b.backfill_id, b.status.value, format_time(b.create_timestamp),
                         ", ".join(k.to_user_string() for k in b.asset_selection[:3])
                         + (" ..." if len(b.asset_selection) > 3 else ""),
                         _partitions_text(b),
                         f"{runs.get('SUCCESS', 0)} ok, {runs.get('FAILURE', 0)} failed",
                         b.title or ""])
        print_table(["id", "status", "created", "assets", "partitions", "runs", "title"], rows)
    finally:
        instance.dispose()


@backfill_group.command("show")
@click.argument("backfill_id")
@click.option("--runs", "max_runs", default=20, show_default=True, type=click.IntRange(min=0),
              help="List at most this many of its runs (newest).")
def show(backfill_id: str, max_runs: int) -> None:
    """One backfill: status, assets, partitions done/failed/pending (of its first stage when
    its assets have several partitionings), its runs."""
    instance = _existing_instance()
    backfill = _get(instance, backfill_id)
    try:
        runs = instance.get_backfill_runs(backfill_id)
        per_run = backfill.max_partitions_per_run
        click.echo(f"Backfill {backfill.backfill_id}: {backfill.status.value}"
                   + (f" ({backfill.title})" if backfill.title else ""))
        click.echo(f"  created    {format_time(backfill.create_timestamp)}"
                   + (f", finished after "
                      f"{format_duration(backfill.end_timestamp - backfill.create_timestamp)}"
                      if backfill.end_timestamp else ""))
        click.echo("  assets     " + ", ".join(k.to_user_string() for k in backfill.asset_selection))
        click.echo(f"  partitions {_partitions_text(backfill)}")
        click.echo("  runs       " + ("one for all partitions" if per_run is None else
                                     "one per partition" if per_run == 1 else
                                     f"up to {per_run} partitions each"))
        first = [r for r in runs if r.stage in (None, "0")]
        done, failed, running = _partition_counts(backfill, first)
        pending = len(backfill.partition_keys) - done - failed - running
        click.echo(f"  progress   {done} materialized, {failed} failed, {running} in progress, "
                   f"{pending} not yet run")
        later = [r for r in runs if r.stage not in (None, "0")]
        if later:  # stages downstream in other partitionings (e.g. days after hours)
            ok = sum(r.status.value == "SUCCESS" for r in later)
            click.echo(f"  later stages {len(later)} run(s): {ok} succeeded, "
                       f"{sum(r.is_finished for r in later) - ok} failed")
        if backfill.error:
            click.echo(f"  error      {backfill.error}")
        if runs and max_runs:
            click.echo()
            shown = runs[-max_runs:]
            print_table(["run", "status", "partitions"], [
                [r.run_id, r.status.value,
                 r.partition_key or (f"{r.partition_range_start}...{r.partition_range_end}"
                                     if r.partition_range_start else "")] for r in shown])
            if len(runs) > len(shown):
                click.echo(f"({len(runs) - len(shown)} earlier run(s) not shown; --runs N)")
    finally:
        instance.dispose()


def _partition_counts(backfill: Any, runs: list[Any]) -> tuple[int, int, int]:
    """Partitions covered by successful, failed and unfinished runs (the latest run wins)."""
    position = {k: i for i, k in enumerate(backfill.partition_keys)}
    latest: dict[str, str] = {}
    for run in runs:  # oldest first
        if run.partition_key is not None:
            keys = [run.partition_key]
        elif run.partition_range_start in position and run.partition_range_end in position:
            keys = backfill.partition_keys[position[run.partition_range_start]:
                                           position[run.partition_range_end] + 1]
        else:
            continue
        state = ("done" if run.status.value == "SUCCESS" else
                 "failed" if run.is_finished else "running")
        for k in keys:
            latest[k] = state
    values = list(latest.values())
    return values.count("done"), values.count("failed"), values.count("running")


@backfill_group.command("cancel")
@click.argument("backfill_id")
def cancel(backfill_id: str) -> None:
    """Stop a backfill: its queued runs are canceled, no new run starts (runs in progress
    finish), then it is CANCELED."""
    from headwater.execution.backfill import cancel_backfill

    instance = _existing_instance()
    _get(instance, backfill_id)
    try:
        status = cancel_backfill(instance, backfill_id).status.value
    finally:
        instance.dispose()
    if status == "CANCELING":
        click.echo(f"Backfill {backfill_id}: CANCELING. Its queued runs are canceled; the "
                   "process carrying it out (the daemon, or `backfill launch --wait`) starts no "
                   "new run and marks it CANCELED once its runs in progress finish.")
    else:
        click.echo(f"Backfill {backfill_id}: {status} (no process was carrying it out).")
