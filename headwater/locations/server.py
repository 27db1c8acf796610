"""The code server: one process per code location, serving it over loopback TCP.

It imports the user's code once at start (before any thread starts), keeps the error if that
fails and still answers, and serves ``ping``, ``snapshot``, ``evaluate_schedule``,
``evaluate_sensor``, ``launch_run``, ``launch_backfill``, ``validate_run_config``, ``reload``
and ``shutdown`` (wire format: ``wire.py``).
A run is executed in a separate worker process, so a run that crashes never takes the server
down: forked from the location's template process (``template.py``: the code imported once,
started with the server and again after each reload), or, when the template is not ready or
died, a fresh ``run_worker.py`` process (and the template is restarted). Started by ``process.py`` it watches its stdin: end-of-file means the
parent is gone, and the server exits (no orphans).

Run it with ``headwater code-server start`` or ``python -m headwater.locations.server ORIGIN``.
"""

from __future__ import annotations

import json
import logging
import os
import socketserver
import subprocess
import sys
import threading
from typing import Any

from headwater.events.errors import error_info_from_exc
from headwater.locations.contracts import (
    BackfillRequest,
    InvalidRequestError,
    LocationLoadError,
    SensorTickInput,
)
from headwater.locations.in_process import InProcessLocation
from headwater.locations.loader import load_definitions, user_modules_since
from headwater.locations.origins import LocationOrigin
from headwater.locations.template import WarmLauncher
from headwater.locations.wire import ConnectionClosed, no_delay, receive, send

_log = logging.getLogger("headwater.locations.server")

LISTENING = "headwater code server listening on"  # the line a parent reads the port from


class CodeServer:
    """A loaded location and the handlers of its calls (transport-free, so tests can call
    ``handle`` directly)."""

    def __init__(self, origin: LocationOrigin):
        import headwater.locations.reconstruct  # noqa: F401 - jobs' pointers for worker processes

        self.origin = origin
        self._baseline = set(sys.modules)
        self._instance: Any = None
        self._workers: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self.warm = WarmLauncher(origin)
        self.warm.start()  # imports in parallel with ours, below
        self.location = InProcessLocation(origin.name, self._load, None, origin.describe())
        self._generation = 1

    def _load(self) -> Any:
        from headwater.locations.loader import forget_modules

        forget_modules(user_modules_since(self._baseline))  # a reload imports afresh
        return load_definitions(self.origin).defs

    @property
    def instance(self) -> Any:
        if self._instance is None:
            from headwater.storage import Instance

            self._instance = Instance.get()
            self.location.instance = self._instance
        return self._instance

    # ---------------------------------------------------------------- calls

    def handle(self, message: dict[str, Any]) -> dict[str, Any]:
        op = message.get("op")
        args = message.get("args") or {}
        handler = getattr(self, f"_op_{op}", None)
        if handler is None:
            return {"ok": False, "kind": "bad_request", "message": f"unknown call {op!r}"}
        try:
            return {"ok": True, "result": handler(**args)}
        except LocationLoadError as e:
            return {"ok": False, "kind": "load_error", "message": str(e),
                    "info": e.info.to_json()}
        except TypeError as e:
            return {"ok": False, "kind": "bad_request", "message": f"{op}: {e}"}
        except Exception as e:  # noqa: BLE001 - reported to the caller; the server stays up
            _log.exception("call %s failed", op)
            return {"ok": False, "kind": "internal", "message": str(e),
                    "info": error_info_from_exc(e, user_frames_only=False).to_json()}

    def _status(self) -> dict[str, Any]:
        error = self.location.load_error
        return {"pid": os.getpid(), "location_name": self.origin.name,
                "generation": self._generation,
                "load_error": error.to_json() if error else None,
                "template": self.warm.status()}

    def _op_ping(self) -> dict[str, Any]:
        return self._status()

    def _op_snapshot(self, known_generation: int | None = None) -> dict[str, Any]:
        status = self._status()
        try:
            snapshot = self.location.snapshot()
        except LocationLoadError:
            return {**status, "snapshot": None}
        if known_generation == self._generation:
            return {**status, "unchanged": True}  # the caller has it: skip the big payload
        # the dataclasses themselves: orjson encodes them natively, ~30x faster than asdict()
        return {**status, "snapshot": snapshot}

    def _op_reload(self) -> dict[str, Any]:
        with self._lock:
            template = self.warm.begin_reload()  # imports the new code beside ours
            before = self.location._snapshot  # noqa: SLF001 - same package: detect a new load
            self.location.reload()
            loaded = self.location._snapshot is not before  # noqa: SLF001
            if loaded:
                self._generation += 1
            self.warm.finish_reload(template, loaded)
        return self._status()

    def _op_evaluate_schedule(self, name: str, scheduled_time: float,
                              timeout: float | None = None) -> dict[str, Any]:
        self.instance  # noqa: B018 - opened before the user's function needs it
        return self.location.evaluate_schedule(name, scheduled_time, timeout).to_json()

    def _op_evaluate_sensor(self, name: str, tick: dict[str, Any] | None = None,
                            timeout: float | None = None) -> dict[str, Any]:
        self.instance  # noqa: B018
        return self.location.evaluate_sensor(name, SensorTickInput(**(tick or {})),
                                             timeout).to_json()

    def _op_launch_run(self, run_id: str) -> dict[str, Any]:
        self.location.definitions  # noqa: B018 - refuse (load_error) when the code is broken
        pid = self.warm.launch(run_id)
        if pid is not None:
            return {"pid": pid, "warm": True}
        worker = subprocess.Popen(
            [sys.executable, "-m", "headwater.locations.run_worker",
             json.dumps(self.origin.to_json()), run_id],
            stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno(), start_new_session=True)
        with self._lock:
            self._workers = [w for w in self._workers if w.poll() is None] + [worker]
        return {"pid": worker.pid, "warm": False}

    def _op_launch_backfill(self, request: dict[str, Any]) -> dict[str, Any]:
        self.instance  # noqa: B018 - the backfill is stored on it
        try:
            backfill_id = self.location.launch_backfill(BackfillRequest.from_json(request))
        except InvalidRequestError as e:  # the user's to fix: the caller raises it again
            return {"invalid": str(e)}
        return {"backfill_id": backfill_id}

    def _op_validate_run_config(self, job_name: str, run_config: dict[str, Any] | None = None,
                                asset_selection: list[list[str]] | None = None,
                                ) -> dict[str, Any]:
        # no instance needed: config is checked against the loaded definitions only
        try:
            problems = self.location.validate_run_config(
                job_name, run_config,
                None if asset_selection is None else tuple(tuple(p) for p in asset_selection))
        except InvalidRequestError as e:
            return {"invalid": str(e)}
        return {"problems": [p.to_json() for p in problems]}

    def close(self) -> None:
        """Stop the template and wait for it (runs already started go on)."""
        self.warm.close(wait=True)

    def _op_shutdown(self) -> dict[str, Any]:
        self.stopping.set()
        return {"pid": os.getpid()}


class _Handler(socketserver.BaseRequestHandler):
    server: _TcpServer

    def handle(self) -> None:
        sock = self.request
        no_delay(sock)
        code = self.server.code
        while True:
            try:
                message = receive(sock)
            except (ConnectionClosed, OSError):
                return
            try:
                send(sock, code.handle(message))
            except OSError:
                return
            if code.stopping.is_set():
                threading.Thread(target=self.server.shutdown, daemon=True).start()
                return


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], code: CodeServer):
        self.code = code
        super().__init__(address, _Handler)


def run_server(origin: LocationOrigin, host: str = "127.0.0.1", port: int = 0,
               watch_stdin: bool = False) -> None:
    """Load ``origin``, print the bound address on stdout, serve until ``shutdown`` (or stdin
    closes, with ``watch_stdin``)."""
    code = CodeServer(origin)
    error = code.location.load_error
    if error is not None:
        from headwater.locations.loader import describe_load_error

        print(f"code location {origin.name!r} failed to load (serving the error):\n"
              f"{describe_load_error(error)}", file=sys.stderr, flush=True)
    server = _TcpServer((host, port), code)
    bound_host, bound_port = server.socket.getsockname()[:2]
    print(f"{LISTENING} {bound_host}:{bound_port}", flush=True)
    if watch_stdin:
        threading.Thread(target=_exit_when_stdin_closes, args=(code,),
                         name="headwater-parent-watch", daemon=True).start()
    if threading.current_thread() is threading.main_thread():
        _shut_down_on_sigterm(server)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        code.close()


def _shut_down_on_sigterm(server: _TcpServer) -> None:
    """SIGTERM (how a parent stops a server) ends ``serve_forever`` like ``shutdown`` does, so
    that ``run_server`` stops the template (and its spare) before the server exits: a stopped
    server leaves no process of its location behind. The handler only starts that (the main
    thread may be stopping the template already: nothing here may wait on it)."""
    import signal

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)


def _exit_when_stdin_closes(code: CodeServer) -> None:
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    code.close()  # the template (and its spare) first
    os._exit(0)  # the parent is gone: leave no orphan (runs live in their own workers)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m headwater.locations.server")
    parser.add_argument("origin", help="the location's origin as JSON (LocationOrigin.to_json)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--watch-stdin", action="store_true",
                        help="exit when stdin reaches end-of-file (the parent is gone)")
    args = parser.parse_args(argv)
    if args.watch_stdin:
        # A managed server: its parent decides when it stops (Ctrl-C in a terminal reaches the
        # whole process group; the parent then stops the servers in order, runs first).
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
    run_server(LocationOrigin.from_json(json.loads(args.origin)), args.host, args.port,
               args.watch_stdin)


if __name__ == "__main__":
    main()

