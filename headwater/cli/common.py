"""What every command shares: the error type that exits 2, and opening the instance."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, Any

import click

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

FALLBACK_HOME = ".headwater_home"


class CliError(click.ClickException):
    """Bad input from the user (code location, selection, config, run id): message, exit 2."""

    exit_code = EXIT_BAD_INPUT


def err(message: str = "", nl: bool = True) -> None:
    """Write a line to stderr (progress and notes; results go to stdout)."""
    click.echo(message, err=True, nl=nl)


def is_tty(stream: IO[Any] | None = None) -> bool:
    stream = stream if stream is not None else sys.stdout
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def home_directory(working_directory: str | os.PathLike[str] | None = None) -> tuple[str, bool]:
    """The instance folder and whether it came from the environment; says on stderr if not.

    $HEADWATER_HOME, else $DAGSTER_HOME (``resolve_home``), else ``.headwater_home`` in the
    working directory.
    """
    from headwater.storage import InstanceNotConfiguredError
    from headwater.storage.instance import resolve_home

    try:
        return resolve_home(), True
    except InstanceNotConfiguredError:
        pass
    base = Path(working_directory) if working_directory else Path.cwd()
    home = str((base / FALLBACK_HOME).resolve())
    err(f"Neither HEADWATER_HOME nor DAGSTER_HOME is set: using the instance in {home}. "
        "Set HEADWATER_HOME to keep runs elsewhere.")
    return home, False


def open_instance(working_directory: str | os.PathLike[str] | None = None,
                  instance_cls: Any = None) -> Any:
    """The persistent instance (see ``home_directory``); says once on stderr if it fell back."""
    if instance_cls is None:
        from headwater.storage import Instance

        instance_cls = Instance
    home, _ = home_directory(working_directory)
    return instance_cls.local(home)
