"""``headwater instance``: ``info`` (where the instance is and how it is configured) and
``migrate`` (bring its database to the newest schema)."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from headwater.cli.common import home_directory

HIDDEN = "(not shown)"


@click.group("instance")
def instance_group() -> None:
    """The instance: where runs, event logs and the asset index are kept."""


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
