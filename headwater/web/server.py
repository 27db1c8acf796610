"""Serving the app with uvicorn on a thread of this process: ``headwater webserver`` and
``headwater dev`` start it beside their other work and stop it on Ctrl-C."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from headwater.web.app import create_app
from headwater.web.context import WebContext

START_TIMEOUT_S = 30.0
log = logging.getLogger(__name__)


class WebServerError(Exception):
    """The server could not start (the port is taken, the host cannot be bound)."""


class WebServer:
    def __init__(self, ctx: WebContext, host: str = "127.0.0.1", port: int = 3000):
        import uvicorn

        self.host = host
        self.requested_port = port
        config = uvicorn.Config(create_app(ctx), host=host, port=port, log_level="warning",
                                lifespan="off", access_log=False, timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._ctx = ctx
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    def start(self) -> WebServer:
        """Start listening; returns once the socket is bound (raises ``WebServerError`` if it
        cannot be)."""
        def serve() -> None:
            try:
                self._server.run()
            except BaseException as e:  # noqa: BLE001 - uvicorn exits (SystemExit) on bind errors
                self._failure = e

        self._thread = threading.Thread(target=serve, name="headwater-web", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise WebServerError(
                    f"the web server could not listen on {self.host}:{self.requested_port} "
                    "(is the port in use? pick another with --port)")
            self._thread.join(0.01)
        threading.Thread(target=warm_up, args=(self._ctx,), name="headwater-web-warm-up",
                         daemon=True).start()
        return self

    @property
    def port(self) -> int:
        for server in getattr(self._server, "servers", ()):
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return self.requested_port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def warm_up(ctx: WebContext) -> None:
    """Do once, right after the server listens, what the first page load would otherwise wait
    for: the catalog of the locations' snapshots, the default view of the asset graph laid out
    (kept by its hash), and the storage code the status overlay imports on first use. Nothing
    depends on it: a failure (a location still loading) only means the first request does it.
    """
    from headwater.web.api.graph import graph_body, graph_status

    try:
        graph_body(ctx.catalog())
        graph_status(ctx)
    except Exception:  # noqa: BLE001 - best effort; the request path reports real errors
        log.debug("web warm-up skipped", exc_info=True)
