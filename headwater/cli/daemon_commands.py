"""``headwater daemon run``: the process that ticks schedules and sensors and launches queued
runs (Dagster's ``dagster-daemon run``). One per instance; SIGTERM or Ctrl-C stops it after
the pass each part is in.

The daemon never imports user code: each code location of the workspace runs in a code server
process of its own (``--in-process`` imports them here instead: faster to start, no isolation).
"""

from __future__ import annotations

import click

from headwater.cli.common import CliError, err, open_instance
from headwater.cli.loading import WorkspaceArgs, workspace_options
from headwater.cli.serving import log_level_option, report_load_errors, stop_on_signals


@click.group("daemon")
def daemon_group() -> None:
    """The daemon: schedules, sensors, the run queue."""


@daemon_group.command("run")
@workspace_options
@click.option("--in-process", is_flag=True,
              help="Import the code locations into the daemon's own process instead of "
                   "starting a code server for each (faster start; user code can then take "
                   "the daemon down).")
@log_level_option
def run_command(workspace: WorkspaceArgs, in_process: bool) -> None:
    """Run the daemon on the instance until SIGTERM or Ctrl-C."""
    from headwater.daemon.lease import DaemonAlreadyRunningError
    from headwater.daemon.runner import default_components, run_daemon
    from headwater.locations.manager import LocationManager

    origins = workspace.origins()
    instance = open_instance(workspace.location.working_directory)
    with stop_on_signals() as stop:
        manager = LocationManager(origins, instance, in_process=in_process)
        try:
            report_load_errors(manager, "failed to load (the others keep working)")
            components = default_components(instance, manager.locations)
            names = ", ".join(repr(o.name) for o in origins)
            run_daemon(instance, components, stop, on_ready=lambda: err(
                f"headwater daemon running on {instance.describe()} with code location(s) "
                f"{names} ({', '.join(c.name for c in components)}); SIGTERM or Ctrl-C stops "
                "it."))
        except DaemonAlreadyRunningError as e:
            raise CliError(str(e)) from None
        finally:
            manager.close()
            instance.dispose()
