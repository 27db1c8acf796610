"""Start and stop a code server process for a ``LocationOrigin``.

The server runs under the origin's ``executable_path`` (else this Python), with HEADWATER_HOME
pointing at the instance. Its stdin is a pipe that only this process holds: when this process
dies, the server sees end-of-file and exits, so no server outlives its parent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from headwater.locations.contracts import LocationUnavailableError
from headwater.locations.origins import LocationOrigin

DEFAULT_START_TIMEOUT = 60.0  # importing a big project can take a while
_LISTENING = "headwater code server listening on"  # server.LISTENING, without importing it


@dataclass
class CodeServerProcess:
    """A running code server: its address, and how to stop it."""

    origin: LocationOrigin
    process: subprocess.Popen[bytes]
    host: str
    port: int
    _stdout_drain: threading.Thread | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the server (then kill it if it does not exit within ``timeout``)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


def start_code_server(origin: LocationOrigin, *, home: str | None = None,
                      host: str = "127.0.0.1", timeout: float = DEFAULT_START_TIMEOUT,
                      ) -> CodeServerProcess:
    """Start a code server for ``origin`` and wait (up to ``timeout``) for its address.

    ``home``: the instance folder its evaluations and runs use (HEADWATER_HOME), else the
    environment's. Raises ``LocationUnavailableError`` if it exits or stays silent.
    """
    env = dict(os.environ)
    if home is not None:
        env["HEADWATER_HOME"] = home
    # the server imports headwater from where we do, whatever its working directory
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    command = [origin.executable_path or sys.executable, "-m", "headwater.locations.server",
               json.dumps(origin.to_json()), "--host", host, "--port", "0", "--watch-stdin"]
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   env=env, cwd=origin.working_directory or None)
    except OSError as e:
        what = (f"its executable_path {origin.executable_path!r}" if origin.executable_path
                else f"Python ({sys.executable})")
        raise LocationUnavailableError(
            f"The code server for location {origin.name!r} cannot start: {what} cannot be run "
            f"in {origin.working_directory or os.getcwd()!r} ({e.strerror or e}). Fix "
            "executable_path / working_directory in the workspace file.") from None
    try:
        host_, port = _read_address(process, origin, timeout)
    except BaseException:
        process.kill()
        process.wait()
        raise
    server = CodeServerProcess(origin, process, host_, port)
    # whatever the server (or its code) prints later must not fill the pipe and block it
    server._stdout_drain = threading.Thread(target=_drain, args=(process,), daemon=True,
                                            name=f"headwater-drain-{process.pid}")
    server._stdout_drain.start()
    return server


def _read_address(process: subprocess.Popen[bytes], origin: LocationOrigin,
                  timeout: float) -> tuple[str, int]:
    """The server's ``host:port`` line, read with a deadline (a thread does the blocking read)."""
    found: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith(_LISTENING):
                found.append(line[len(_LISTENING):].strip())
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not done.wait(0.05):
        if process.poll() is not None and not done.is_set():
            done.wait(0.5)  # its last line may still be in the pipe
            break
        if time.monotonic() > deadline:
            raise LocationUnavailableError(
                f"The code server for location {origin.name!r} did not start within "
                f"{timeout:g}s (pid {process.pid}).")
    if not found:
        raise LocationUnavailableError(
            f"The code server for location {origin.name!r} exited with code "
            f"{process.poll()} before listening; its error is on stderr above.")
    host, _, port = found[0].rpartition(":")
    return host, int(port)


def _drain(process: subprocess.Popen[bytes]) -> None:
    try:
        assert process.stdout is not None
        for _ in process.stdout:
            pass
    except (OSError, ValueError):
        pass
