"""``headwater instance``: ``info`` (where the instance is and how it is configured),
``migrate`` (bring its database to the newest schema), ``check`` (is its database whole) and
``prune`` (delete old finished runs, keeping every asset's latest facts)."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import Any

import click

from headwater.cli.common import CliError, home_directory
from headwater.cli.concurrency_commands import concurrency_group
from headwater.cli.output import format_time

HIDDEN = "(not shown)"


@click.group("instance")
def instance_group() -> None:
    """The instance: where runs, event logs and the asset index are kept."""


instance_group.add_command(concurrency_group)


@instance_group.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def info(as_json: bool) -> None:
    """Show the home folder, the configuration file read, the database (password hidden) and
    the settings. A bad configuration file exits 2 with what to fix."""
    from headwater.storage.config import CONFIG_FILE_NAMES, SECTIONS_WITH_EFFECT, InstanceConfig

    home, from_env = home_directory()
    config = InstanceConfig.load(home)
    ignored = [os.path.join(home, n) for n in CONFIG_FILE_NAMES
               if config.source and os.path.join(home, n) != config.source
               and os.path.isfile(os.path.join(home, n))]
    root = config.artifact_directory()
    settings = {name: _section(config, name) for name in config.sections_set()}
    if as_json:
        click.echo(json.dumps({
            "home": home, "home_from_environment": from_env, "config_file": config.source,
            "ignored_files": ignored, "storage": {
                "kind": "postgresql" if config.is_postgres else "sqlite",
                "url": config.display_url()},
            "storage_directory": os.path.join(root, "storage"),
            "compute_logs_directory": os.path.join(root, "compute_logs"),
            "settings": settings,
            "settings_in_effect": [n for n in settings if n in SECTIONS_WITH_EFFECT]}, indent=2))
        return
    click.echo(f"Home:       {home}" + ("" if from_env else "  (no HEADWATER_HOME set)"))
    if config.source is None:
        click.echo("Config:     none (no headwater.yaml or dagster.yaml): the defaults")
    else:
        click.echo(f"Config:     {config.source}")
    for path in ignored:
        click.echo(f"            {path} is ignored: {os.path.basename(config.source or '')} "
                   "takes precedence")
    kind = "PostgreSQL" if config.is_postgres else "SQLite"
    click.echo(f"Storage:    {kind}  {config.display_url()}")
    click.echo(f"Files:      {os.path.join(root, 'storage')} (asset values), "
               f"{os.path.join(root, 'compute_logs')} (step output)")
    if not settings:
        return
    click.echo("Settings:   (* in effect now; the others are checked and kept for the daemon)")
    import yaml

    for name, value in settings.items():
        mark = "*" if name in SECTIONS_WITH_EFFECT else " "
        text = yaml.safe_dump({name: value}, sort_keys=False, default_flow_style=False)
        lines = text.rstrip("\n").split("\n")
        click.echo(f"  {mark} {lines[0]}")
        for line in lines[1:]:
            click.echo(f"    {line}")


def _section(config: Any, name: str) -> Any:
    """A section as plain data for display: defaults filled in, no secret shown."""
    from headwater.storage.config import ConfigurableClass, LegacyStorage

    value = getattr(config, name)
    if name == "secrets":
        return dict.fromkeys(value, HIDDEN)
    if isinstance(value, (ConfigurableClass, LegacyStorage)):
        shown: dict[str, Any] = {"module": value.module, "class": value.class_name}
        settings = value.settings() if isinstance(value, LegacyStorage) else value.settings
        if settings is None:  # a class Headwater does not run: its config is kept, not shown
            shown["config"] = dict.fromkeys(value.config, HIDDEN)
            shown["used_by_headwater"] = False
        else:
            shown["config"] = _plain(settings)
        return shown
    if name == "storage":
        return {"url": config.display_url(), **_plain(value)}
    if name == "retention":  # the days in force for each tick status, defaults filled in
        return {"schedule": {"purge_after_days": value.schedule.days()},
                "sensor": {"purge_after_days": value.sensor.days()},
                "runs": _plain(value.runs)}
    return _plain(value)


def _plain(model: Any) -> Any:
    return _drop_secrets(model.model_dump(mode="json", by_alias=True, exclude_none=True))


def _drop_secrets(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: HIDDEN if k in ("password", "postgres_url") and v is not None
                else _drop_secrets(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_drop_secrets(v) for v in data]
    return data


@instance_group.command("migrate")
def migrate() -> None:
    """Upgrade the instance's database schema (HEADWATER_HOME, else DAGSTER_HOME)."""
    from headwater.storage import migrate_instance
    from headwater.storage.config import find_config_file

    home, _ = home_directory()
    label = f"Instance {home}"
    if find_config_file(home) is None:
        before, after = migrate_instance(home)
    else:
        from headwater.storage.config import InstanceConfig, SqliteTarget

        config = InstanceConfig.load(home)
        target = config.storage_target
        if isinstance(target, SqliteTarget):
            os.makedirs(os.path.dirname(target.path), exist_ok=True)
        before, after = migrate_instance(url=config.database_url())
        label += f" ({config.display_url()})"
    if before == after:
        click.echo(f"{label}: schema already at revision {after}; nothing to do.")
    else:
        click.echo(f"{label}: migrated schema from revision {before or '(none)'} to {after}.")


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
@click.option("--older-than", "older_than", metavar="AGE",
              help="Delete finished runs that ended longer ago than this: a number and a unit "
                   "(s, m, h, d, w), e.g. 30d. Default: retention.runs.max_age_days of the "
                   "instance configuration.")
@click.option("--keep-failed", is_flag=True, default=None,
              help="Keep failed runs, however old (default: retention.runs.keep_failed).")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.option("--batch-size", type=click.IntRange(min=1), metavar="N",
              help="Runs deleted per transaction (default 200).")
def prune(older_than: str | None, keep_failed: bool | None, dry_run: bool,
          batch_size: int | None) -> None:
    """Delete old finished runs with their events, in batches. Runs still going are never
    touched; a run holding an asset's latest materialization, observation or check result,
    a partition's latest materialization or a failed partition is kept whole."""
    from headwater.storage import Instance

    age = parse_age(older_than) if older_than is not None else None
    home, from_env = home_directory()
    if not from_env and not os.path.isdir(home):
        click.echo("No runs yet: nothing to prune.")
        return
    with Instance.local(home) as instance:
        configured = instance.config.retention.runs
        if age is None:
            age = configured.max_age
            if age is None:
                raise CliError("Give --older-than AGE (e.g. 30d), or set retention: runs: "
                               "max_age_days: N in the instance's dagster.yaml.")
        if keep_failed is None:
            keep_failed = configured.keep_failed
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


@instance_group.command("check")
def check() -> None:
    """Check the instance's database: SQLite's integrity check (PostgreSQL: the connection, the
    tables) and the schema revision. Exit 2 when there are problems."""
    from headwater.cli.common import EXIT_BAD_INPUT, err
    from headwater.storage.config import InstanceConfig, SqliteTarget
    from headwater.storage.database import Database
    from headwater.storage.integrity import check_database

    home, _ = home_directory()
    config = InstanceConfig.load(home)
    target = config.storage_target
    if isinstance(target, SqliteTarget) and not os.path.exists(target.path):
        click.echo(f"Instance {home}: no database yet ({target.path}): nothing to check.")
        return
    db = Database(config.database_url())
    err(f"Checking {db.describe()}...")
    try:
        report = check_database(db)
    finally:
        db.dispose()
    click.echo(f"Database  {report.database}\nRevision  {report.revision or '(none)'}")
    for note in report.notes:
        click.echo(f"Note      {note}")
    if report.ok:
        click.echo("Result    OK")
        return
    click.echo(f"Result    {len(report.problems)} problem(s):")
    for problem in report.problems:
        click.echo(f"  - {problem}")
    if report.advice:
        click.echo(f"What to do: {report.advice}")
    click.get_current_context().exit(EXIT_BAD_INPUT)
