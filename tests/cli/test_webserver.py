"""``headwater webserver`` as a user runs it: a code server for the project, the API on
loopback, ``--read-only`` refusing writes, a taken port a clear error, SIGTERM stopping all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUARD_S = 60.0  # bounds a broken test only

PROJECT = '''
import headwater as hw


@hw.asset
def snow_depth():
    return 42


defs = hw.Definitions(assets=[snow_depth])
'''


class Webserver:
    def __init__(self, project: Path, home: Path, *args: str):
        env = {**os.environ, "HEADWATER_HOME": str(home),
               "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        env.pop("DAGSTER_HOME", None)
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from headwater.cli.main import main; main()", "webserver",
             "-f", str(project), "--log-level", "warning", *args],
            cwd=project.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def url(self) -> str:
        deadline = time.monotonic() + GUARD_S
        while time.monotonic() < deadline:
            for line in self.lines:
                if "serving http://" in line:
                    return line.split("serving ", 1)[1].split()[0]
            if self.proc.poll() is not None:
                raise AssertionError("webserver exited: " + "".join(self.lines))
            time.sleep(0.02)
        raise AssertionError("webserver did not start: " + "".join(self.lines))

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(GUARD_S)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def get(url: str) -> dict:
    with urllib.request.urlopen(url) as response:
        return json.loads(response.read())


def test_the_webserver_serves_the_api_read_only_and_stops_on_sigterm(tmp_path):
    project = tmp_path / "web_project.py"
    project.write_text(PROJECT)
    server = Webserver(project, tmp_path / "home", "--port", "0", "--read-only")
    try:
        url = server.url()
        assert url.startswith("http://127.0.0.1:")
        [location] = get(f"{url}/api/v1/code_locations")["items"]
        assert (location["name"], location["status"], location["asset_count"]) == (
            "web_project.py", "LOADED", 1)
        request = urllib.request.Request(f"{url}/api/v1/code_locations/web_project.py/reload",
                                         method="POST")
        try:
            urllib.request.urlopen(request)
            raise AssertionError("a write was accepted by a read-only server")
        except urllib.error.HTTPError as e:
            assert e.code == 403
        assert server.stop() == 0
        out = subprocess.run(["pgrep", "-af", str(project)], capture_output=True, text=True)
        assert [x for x in out.stdout.splitlines() if "pgrep" not in x] == []
    finally:
        server.kill()


def test_a_port_in_use_is_a_clear_error(tmp_path):
    project = tmp_path / "web_project.py"
    project.write_text(PROJECT)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Webserver(project, tmp_path / "home", "--port", str(port))
        try:
            assert server.proc.wait(GUARD_S) == 2
            assert f"127.0.0.1:{port}" in "".join(server.lines)
            assert "--port" in "".join(server.lines)
            assert "Traceback" not in "".join(server.lines)
        finally:
            server.kill()
