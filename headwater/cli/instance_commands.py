"""``headwater instance``: ``migrate`` (bring the database to the newest schema) and ``prune``
(delete old finished runs, keeping every asset's latest facts)."""

from __future__ import annotations

import os
from datetime import timedelta

import click

from headwater.cli.common import CliError, home_directory
from headwater.cli.output import format_time


@click.group("instance")
def instance_group() -> None:
    """The instance: where runs, event logs and the asset index are kept."""


@instance_group.command("migrate")
def migrate() -> None:
    """Upgrade the instance's database schema (HEADWATER_HOME, else DAGSTER_HOME)."""
    from headwater.storage import migrate_instance

    home, _ = home_directory()
    before, after = migrate_instance(home)
    if before == after:
        click.echo(f"Instance {home}: schema already at revision {after}; nothing to do.")
    else:
        click.echo(f"Instance {home}: migrated schema from revision {before or '(none)'} "
                   f"to {after}.")


_AGE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``2w``, ``45s`` (a number and a unit) as a timedelta."""
    value, unit = text.strip()[:-1], text.strip()[-1:].lower()
    try:
        number = float(value) if unit in _AGE_UNITS else -1.0
    except ValueError:
        number = -1.0
    try:
        if number >= 0:
            return timedelta(seconds=number * _AGE_UNITS[unit])
    except OverflowError:
        pass
    raise CliError(f"--older-than {text!r} is not an age: give a number and a unit, "
                   "s (seconds), m (minutes), h (hours), d (days) or w (weeks), "
                   "e.g. --older-than 30d.")


@instance_group.command("prune")
@click.option("--older-than", "older_than", required=True, metavar="AGE",
              help="Delete finished runs that ended longer ago than this: a number and a unit "
                   "(s, m, h, d, w), e.g. 30d.")
@click.option("--keep-failed", is_flag=True, help="Keep failed runs, however old.")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.option("--batch-size", type=click.IntRange(min=1), metavar="N",
              help="Runs deleted per transaction (default 200).")
def prune(older_than: str, keep_failed: bool, dry_run: bool, batch_size: int | None) -> None:
    """Delete old finished runs with their events, in batches. Runs still going are never
    touched; a run holding an asset's latest materialization, observation or check result,
    a partition's latest materialization or a failed partition is kept whole."""
    from headwater.storage import Instance

    age = parse_age(older_than)
    home, from_env = home_directory()
    if not from_env and not os.path.isdir(home):
        click.echo("No runs yet: nothing to prune.")
        return
    with Instance.local(home) as instance:
        r = instance.prune_runs(age, keep_failed=keep_failed, batch_size=batch_size,
                                dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {r.runs} run{'' if r.runs == 1 else 's'} that ended before "
               f"{format_time(r.cutoff)}: {r.events} events, {r.tags} tags, "
               f"{r.check_executions} check results, {r.planned_partitions} partition plans, "
               f"{r.backfills} backfills" + ("." if dry_run else f", in {r.batches} batches."))
    if r.kept_protected:
        click.echo(f"Kept {r.kept_protected} older runs that hold assets' latest "
                   "materializations, observations, check results or failed partitions, or "
                   "belong to a backfill in progress.")
    if r.kept_failed:
        click.echo(f"Kept {r.kept_failed} older failed runs (--keep-failed).")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
