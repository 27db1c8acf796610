"""``headwater code-server start``: serve one code location on loopback (Dagster's
``dagster code-server start``). Prints ``headwater code server listening on HOST:PORT`` on
stdout once it listens (``--port 0`` picks a free port), so a parent process can read it."""

from __future__ import annotations

import dataclasses
import os

import click

from headwater.cli.common import CliError, home_directory
from headwater.cli.loading import LocationArgs, code_location_options


@click.group("code-server")
def code_server_group() -> None:
    """Run a code location's server (what the daemon and `headwater dev` talk to)."""


@code_server_group.command("start")
@code_location_options
@click.option("--package-name", metavar="PACKAGE",
              help="Python package holding the definitions (instead of -m/-f).")
@click.option("--location-name", metavar="NAME",
              help="The location's name (default: the module, package or file name).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep it on loopback).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port to listen on; 0 picks a free one (printed on stdout).")
@click.option("--watch-stdin", is_flag=True, hidden=True,
              help="Exit when stdin reaches end-of-file (started by a parent process).")
def start_command(location: LocationArgs, package_name: str | None, location_name: str | None,
                  host: str, port: int, watch_stdin: bool) -> None:
    """Import the code once and serve its snapshot, evaluations and runs until stopped."""
    from headwater.locations.origins import LocationOrigin, OriginKind
    from headwater.locations.server import run_server

    if package_name and (location.module_name or location.python_file):
        raise CliError("Give one of --package-name, -m/--module-name or -f/--python-file.")
    if package_name:
        wd = os.path.abspath(location.working_directory or os.getcwd())
        if not os.path.isdir(wd):
            raise CliError(f"Working directory {location.working_directory!r} does not exist "
                           "or is not a folder.")
        origin = LocationOrigin(OriginKind.PYTHON_PACKAGE, package_name, location.attribute, wd)
    else:
        origin = location.origin()
    if location_name:
        origin = dataclasses.replace(origin, location_name=location_name)
    home, _ = home_directory(origin.working_directory)
    os.environ["HEADWATER_HOME"] = home  # evaluations and run workers open this instance
    try:
        run_server(origin, host, port, watch_stdin)
    except OSError as e:
        raise CliError(f"Cannot listen on {host}:{port}: {e.strerror or e}.") from None
    except KeyboardInterrupt:
        pass
