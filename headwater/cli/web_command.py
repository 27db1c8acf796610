"""``headwater webserver``: the web UI and the HTTP API (Dagster's ``dagster-webserver``).

It starts a code server for each code location of the workspace (the webserver never imports
user code) and serves ``http://127.0.0.1:3000`` until Ctrl-C or SIGTERM. ``--read-only``
refuses every write (launches, cancels, reloads, toggles).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import click

from headwater.cli.common import CliError, err, open_instance
from headwater.cli.loading import WorkspaceArgs, workspace_options
from headwater.cli.serving import (
    host_port_options,
    log_level_option,
    report_load_errors,
    stop_on_signals,
)

if TYPE_CHECKING:
    from headwater.web.server import WebServer


@click.command("webserver")
@workspace_options
@host_port_options
@click.option("--read-only", is_flag=True,
              help="Refuse every write: launches, cancels, reloads, schedule/sensor toggles.")
@log_level_option
def webserver_command(workspace: WorkspaceArgs, host: str, port: int, read_only: bool) -> None:
    """Serve the web UI and the HTTP API until Ctrl-C."""
    from headwater.locations.manager import LocationManager
    from headwater.web.server import WebServerError

    origins = workspace.origins()
    instance = open_instance(workspace.location.working_directory)
    preload = preload_web()
    with stop_on_signals() as stop:
        manager = LocationManager(origins, instance)
        preload.join()
        try:
            report_load_errors(manager, "failed to load (the others keep working)")
            try:
                server = start_web(instance, manager, host, port, read_only)
            except WebServerError as e:
                raise CliError(str(e)) from None
            err(f"headwater webserver: serving {server.url} on {instance.describe()}"
                f"{' (read-only)' if read_only else ''}; Ctrl-C stops it.")
            try:
                stop.wait()
            finally:
                server.stop()
        finally:
            manager.close()
            instance.dispose()


def preload_web() -> threading.Thread:
    """Import the web app and build its routes (~0.4 s of imports and pydantic models) on a
    thread while the code servers start, which is mostly waiting on their processes: the UI is
    up that much sooner. ``start_web`` then finds everything imported (an import error shows
    there, as before)."""
    def load() -> None:
        try:
            from headwater.web.api import load_endpoints
            from headwater.web.server import WebServer  # noqa: F401

            load_endpoints()
        except Exception:  # noqa: BLE001, S110 - start_web imports again and reports it
            pass

    thread = threading.Thread(target=load, name="headwater-web-preload", daemon=True)
    thread.start()
    return thread


def start_web(instance: Any, manager: Any, host: str, port: int,
              read_only: bool = False) -> WebServer:
    """The web server over ``instance`` and ``manager``'s locations, listening."""
    from headwater.web.context import WebContext
    from headwater.web.server import WebServer

    ctx = WebContext(instance, manager.locations, read_only=read_only,
                     reload_location=manager.reload)
    return WebServer(ctx, host, port).start()
