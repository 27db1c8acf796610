"""``headwater instance migrate``: bring the instance's database to the newest schema."""

from __future__ import annotations

import click

from headwater.cli.common import home_directory


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
