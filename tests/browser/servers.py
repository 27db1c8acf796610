"""Servers for the browser tests, each a context manager that yields the base URL it serves on.

``serve_static_stub`` is the stand-in used until the web app exists: the built UI from
``headwater/web/static`` plus a canned ``/api/v1`` (stdlib ``http.server``, no dependency).
``serve_asgi`` serves any ASGI app (the real Starlette app) with uvicorn on the same terms:
127.0.0.1, a free port, stopped on exit. The ``ui_url`` fixture picks one; nothing else in the
tests knows which.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# A canned API route: the parsed query string in, a JSON-able body out.
StubRoute = Callable[[dict[str, list[str]]], Any]

STUB_API: dict[str, StubRoute] = {
    "/api/v1/runs": lambda query: {"items": [], "next_cursor": None},
}


class _StubHandler(SimpleHTTPRequestHandler):
    """The UI's files, ``index.html`` for any other non-API path (client-side routes), and the
    canned API. Unknown API paths answer 404 in the API's error shape."""

    api: dict[str, StubRoute] = STUB_API

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        if parts.path.startswith("/api/"):
            self._api(parts.path, parse_qs(parts.query))
            return
        local = self.translate_path(parts.path)
        if parts.path == "/" or not os.path.isfile(local):
            if parts.path.startswith("/static/"):
                self.send_error(404)
                return
            self.path = "/index.html"
        super().do_GET()

    def _api(self, path: str, query: dict[str, list[str]]) -> None:
        route = self.api.get(path)
        status, body = (
            (200, route(query))
            if route is not None
            else (404, {"error": {"message": f"no stub for {path}", "fields": []}})
        )
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep the test output clean


@contextmanager
def serve_static_stub(static_dir: str) -> Iterator[str]:
    """Serve the built UI from ``static_dir`` and the stub API on 127.0.0.1 (a free port)."""
    handler = partial(_StubHandler, directory=static_dir)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="ui-stub-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def serve_asgi(app: Any, startup_timeout: float = 20.0) -> Iterator[str]:
    """Serve an ASGI ``app`` with uvicorn in a thread on 127.0.0.1 (a free port).

    The socket is bound here, before uvicorn starts, so the port is known without parsing logs
    and cannot be taken in between.
    """
    import uvicorn  # only the tests that serve a real app need it

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="auto")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="ui-asgi-server", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn stopped before it started serving (see the log)")
            if time.monotonic() > deadline:
                raise TimeoutError(f"uvicorn did not start within {startup_timeout} s")
            time.sleep(0.01)  # polling a flag with a deadline, not a fixed wait
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
