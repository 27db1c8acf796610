"""What the long-running commands (``headwater daemon run``, ``headwater dev``, ``headwater
webserver``) share: their ``--log-level`` option, the web server's ``--host``/``--port``, a stop
event set by SIGTERM or Ctrl-C, and the report of code locations that failed to load."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

import click

from headwater.cli.common import err


def log_level_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--log-level``: how much the service logs to stderr; logging is set up before the
    command runs."""

    def configure(ctx: click.Context, param: click.Parameter, value: str) -> str:
        logging.basicConfig(level=value.upper(),
                            format="%(asctime)s %(name)s %(levelname)s %(message)s")
        return value

    return click.option("--log-level", type=click.Choice(
        ["critical", "error", "warning", "info", "debug"]), default="info", show_default=True,
        callback=configure, expose_value=False, help="How much is logged (to stderr).")(fn)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event that SIGTERM and SIGINT set (the previous handlers come back on exit)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def host_port_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``-h/--host`` and ``-p/--port`` of the web server (loopback unless told otherwise)."""
    fn = click.option("-p", "--port", type=click.IntRange(0, 65535), default=3000,
                      show_default=True, help="The web server's port (0: any free port).")(fn)
    return click.option("-h", "--host", default="127.0.0.1", show_default=True,
                        help="Where the web server listens (0.0.0.0 exposes it to the "
                             "network).")(fn)


def report_load_errors(manager: Any, what: str) -> None:
    """Say on stderr which code locations failed to load, and why (``what``: the hint)."""
    for name, error in manager.load_errors().items():
        err(f"code location {name!r} {what}:\n{error.to_string()}")
