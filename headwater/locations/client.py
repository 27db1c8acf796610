"""``RemoteLocation``: a ``CodeLocation`` whose code runs in a code server process.

Calls go over kept-open loopback TCP connections (one per concurrent caller, pooled), in the
format of ``wire.py``. A server that is gone, refuses, closes the connection or does not answer
in time is ``LocationUnavailableError``; a server whose code did not load answers with its
error, raised here as ``LocationLoadError``.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from headwater.events.errors import SerializableErrorInfo
from headwater.locations.contracts import (
    BackfillRequest,
    CodeLocation,
    ConfigProblem,
    InvalidRequestError,
    LocationLoadError,
    LocationUnavailableError,
    SensorTickInput,
)
from headwater.locations.evaluation import Evaluation
from headwater.locations.snapshot import LocationSnapshot
from headwater.locations.wire import ConnectionClosed, no_delay, receive, send

if TYPE_CHECKING:
    from headwater.locations.process import CodeServerProcess

DEFAULT_TIMEOUT = 30.0  # a call that is not an evaluation (snapshot, reload, launch)
RELOAD_TIMEOUT = 300.0  # reloading imports the code again
BACKFILL_TIMEOUT = 120.0  # planning a backfill of many partitions
TIMEOUT_MARGIN = 5.0  # over an evaluation's own timeout: the server reports that one itself


class RemoteLocation(CodeLocation):
    """A code location served by the code server at ``host:port``; ``process`` when this
    object started the server (``close`` then stops it)."""

    def __init__(self, name: str, host: str, port: int, *,
                 process: CodeServerProcess | None = None,
                 timeout: float = DEFAULT_TIMEOUT):
        self.name = name
        self.host = host
        self.port = port
        self.process = process
        self.timeout = timeout
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()
        self._snapshot: LocationSnapshot | None = None
        self._snapshot_lock = threading.Lock()
        self._generation: int | None = None
        self._load_error: SerializableErrorInfo | None = None

    # ---------------------------------------------------------------- transport

    def call(self, op: str, args: dict[str, Any] | None = None,
             wait: float | None = None) -> Any:
        """One call (``wait``: how long to wait for the answer); its result, or
        ``LocationLoadError`` / ``LocationUnavailableError``."""
        sock = self._connection()
        try:
            sock.settimeout(wait if wait is not None else self.timeout)
            send(sock, {"op": op, "args": args or {}})
            reply = receive(sock)
        except (OSError, ConnectionClosed, ValueError) as e:
            sock.close()
            raise self._unavailable(op, e) from None
        with self._lock:
            self._idle.append(sock)
        if reply.get("ok"):
            return reply["result"]
        if reply.get("kind") == "load_error":
            info = SerializableErrorInfo.from_json(reply.get("info"))
            assert info is not None
            self._load_error = info
            raise LocationLoadError(self.name, info)
        raise RuntimeError(f"Code location {self.name!r}: {op} failed: {reply.get('message')}")

    def _connection(self) -> socket.socket:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        if self.process is not None and not self.process.alive():
            raise LocationUnavailableError(
                f"The code server of location {self.name!r} (pid {self.process.pid}) has "
                f"exited with code {self.process.process.poll()}.")
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as e:
            raise self._unavailable("connect", e) from None
        no_delay(sock)
        return sock

    def _unavailable(self, op: str, error: BaseException) -> LocationUnavailableError:
        what = "did not answer in time" if isinstance(error, TimeoutError) else f"failed ({error})"
        return LocationUnavailableError(
            f"Code location {self.name!r}: the code server at {self.host}:{self.port} {what} "
            f"during {op!r}. It may have died or hang; restart it (or reload the workspace).")

    # ---------------------------------------------------------------- the contract

    def ping(self) -> dict[str, Any]:
        status = self.call("ping")
        self._load_error = SerializableErrorInfo.from_json(status.get("load_error"))
        return status

    @property
    def load_error(self) -> SerializableErrorInfo | None:
        self.ping()
        return self._load_error

    def snapshot(self) -> LocationSnapshot:
        # One fetch at a time: callers arriving during a fetch (the web's warm-up and its first
        # request) wait for it and then find the generation unchanged, instead of each
        # fetching and decoding a large snapshot again.
        with self._snapshot_lock:
            return self._fetch_snapshot()

    def _fetch_snapshot(self) -> LocationSnapshot:
        reply = self.call("snapshot", {"known_generation": self._generation})
        self._load_error = SerializableErrorInfo.from_json(reply.get("load_error"))
        if reply.get("unchanged") and self._snapshot is not None:
            return self._snapshot
        if reply.get("snapshot") is None:
            info = self._load_error or SerializableErrorInfo("the code has not loaded", [], None)
            raise LocationLoadError(self.name, info)
        self._snapshot = LocationSnapshot.from_json(reply["snapshot"])
        self._generation = reply["generation"]
        return self._snapshot

    def evaluate_schedule(self, name: str, scheduled_time: float,
                          timeout: float | None = None) -> Evaluation:
        result = self.call("evaluate_schedule", {"name": name, "scheduled_time": scheduled_time,
                                                 "timeout": timeout},
                           _eval_timeout(timeout, self.timeout))
        return Evaluation.from_json(result)

    def evaluate_sensor(self, name: str, tick: SensorTickInput,
                        timeout: float | None = None) -> Evaluation:
        result = self.call("evaluate_sensor", {"name": name, "tick": asdict(tick),
                                               "timeout": timeout},
                           _eval_timeout(timeout, self.timeout))
        return Evaluation.from_json(result)

    def launch_run(self, run_id: str) -> None:
        self.call("launch_run", {"run_id": run_id})

    def launch_backfill(self, request: BackfillRequest) -> str:
        # planning reads every partition key: wait as long as for an evaluation
        result = self.call("launch_backfill", {"request": request.to_json()},
                           max(self.timeout, BACKFILL_TIMEOUT))
        if "invalid" in result:
            raise InvalidRequestError(result["invalid"])
        return str(result["backfill_id"])

    def validate_run_config(self, job_name: str, run_config: dict[str, Any] | None,
                            asset_selection: tuple[tuple[str, ...], ...] | None = None,
                            ) -> list[ConfigProblem]:
        result = self.call("validate_run_config", {
            "job_name": job_name, "run_config": run_config,
            "asset_selection": None if asset_selection is None
            else [list(p) for p in asset_selection]})
        if "invalid" in result:
            raise InvalidRequestError(result["invalid"])
        return [ConfigProblem.from_json(p) for p in result["problems"]]

    def reload(self) -> None:
        status = self.call("reload", wait=RELOAD_TIMEOUT)
        self._load_error = SerializableErrorInfo.from_json(status.get("load_error"))

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        if self.process is not None and self.process.alive():
            try:
                self.call("shutdown", wait=5.0)
            except (LocationUnavailableError, LocationLoadError, RuntimeError):
                pass
        with self._lock:
            idle, self._idle = idle + self._idle, []
        for sock in idle:
            sock.close()
        if self.process is not None:
            self.process.stop()


def _eval_timeout(timeout: float | None, default: float) -> float:
    return default if timeout is None else timeout + TIMEOUT_MARGIN
