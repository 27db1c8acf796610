"""The ``.env`` file of the folder a command runs in, loaded into the environment first.

Dagster does this for every command that loads code (``dagster dev``, the webserver, the daemon,
``dagster asset materialize``...), so projects keep local settings and secrets in ``.env`` and
read them with ``EnvVar``/``os.environ``. Code servers started by the command inherit them.
"""

from __future__ import annotations

import os
from pathlib import Path

import click


def load_env_file(folder: Path) -> list[str]:
    """Set the variables of ``folder/.env`` (they win over the shell's, as in Dagster); their
    names, never their values, are returned for the log line."""
    path = folder / ".env"
    if not path.is_file():
        return []
    from dotenv import dotenv_values  # lazy: most commands run without a .env file

    values = {k: v for k, v in dotenv_values(path).items() if v is not None}
    os.environ.update(values)
    return sorted(values)


def announce_env_file(folder: Path) -> None:
    names = load_env_file(folder)
    if names:
        click.echo(f"Loaded environment variables from .env file: {', '.join(names)}", err=True)
