"""Test-side helpers of the executor tests: a socket the ops check in at, a run in a thread.

Ops call ``hwexec_jobs.checkpoint(message)`` and block until the test answers, so the test
controls when each step goes on. ``GUARD_S`` only bounds how long a broken test may hang; no
assertion depends on time.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from typing import Any

GUARD_S = 120.0


class Checkpoints:
    """The test's end of the ops' checkpoints (a Unix socket)."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="hwx")  # short: Unix socket paths are limited
        self.path = os.path.join(self.folder, "sync.sock")
        self.markers = os.path.join(self.folder, "markers")
        os.makedirs(self.markers)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(16)
        self._server.settimeout(GUARD_S)

    def arrive(self) -> tuple[socket.socket, str]:
        """Wait for the next op to check in; return its connection and message."""
        conn, _ = self._server.accept()
        conn.settimeout(GUARD_S)
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(1024)
            if not chunk:
                break
            data += chunk
        return conn, data.decode().strip()

    @staticmethod
    def release(conn: socket.socket) -> None:
        """Let the op that checked in on ``conn`` go on."""
        conn.sendall(b"go\n")
        conn.close()

    def running(self, group: str = "") -> list[str]:
        try:
            return sorted(os.listdir(os.path.join(self.markers, group)))
        except FileNotFoundError:
            return []

    def close(self) -> None:
        self._server.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class InThread:
    """Run ``fn()`` in a thread (a run whose steps wait for the test); ``result()`` joins."""

    def __init__(self, fn: Callable[[], Any]):
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            self._value = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised in result()
            self._error = e

    def result(self) -> Any:
        self._thread.join(GUARD_S)
        assert not self._thread.is_alive(), "the run did not finish"
        if self._error is not None:
            raise self._error
        return self._value


def worker_pids() -> list[int]:
    """This process's live worker processes (read from /proc: Linux only)."""
    if not os.path.isdir("/proc"):
        import pytest

        pytest.skip("counting worker processes needs /proc")
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == me and fields[0] != "Z" and b"executors.worker" in cmdline:
            found.append(int(entry))
    return found
