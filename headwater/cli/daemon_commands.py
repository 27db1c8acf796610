"""``headwater daemon run``: the process that ticks schedules and sensors and launches queued
runs (Dagster's ``dagster-daemon run``). One per instance; SIGTERM or Ctrl-C stops it after
the pass each part is in."""

from __future__ import annotations

import logging
import signal
import threading

import click

from headwater.cli.common import CliError, err, open_instance
from headwater.cli.loading import LocationArgs, code_location_options


@click.group("daemon")
def daemon_group() -> None:
    """The daemon: schedules, sensors, the run queue."""


@daemon_group.command("run")
@code_location_options
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info",
                                                "debug"]), default="info", show_default=True,
              help="How much the daemon logs (to stderr).")
def run_command(location: LocationArgs, log_level: str) -> None:
    """Run the daemon on the instance until SIGTERM or Ctrl-C."""
    from headwater.cli.instigator_common import open_location
    from headwater.daemon.lease import DaemonAlreadyRunningError
    from headwater.daemon.runner import default_components, run_daemon

    logging.basicConfig(level=log_level.upper(),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    instance = open_instance(location.working_directory)
    code = open_location(location, instance)
    if code.load_error is not None:
        raise CliError(f"Code location {code.name!r} failed to load:\n"
                       f"{code.load_error.to_string()}")
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    components = default_components(instance, lambda: [code])
    try:
        run_daemon(instance, components, stop, on_ready=lambda: err(
            f"headwater daemon running on {instance.describe()} with code location "
            f"{code.name!r} ({', '.join(c.name for c in components)}); SIGTERM or Ctrl-C "
            "stops it."))
    except DaemonAlreadyRunningError as e:
        raise CliError(str(e)) from None
    finally:
        code.close()
        instance.dispose()
