"""``headwater dev`` as a user runs it: code servers, the daemon and the web server up, a
sensor's runs going through the queue and listed by the API, reload on save, Ctrl-C stopping everything (runs included), no orphans."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

import headwater as hw

REPO = Path(__file__).resolve().parents[2]
GUARD_S = 90.0  # bounds a broken test only; no assertion depends on time

PROJECT = '''
import os
import time

import headwater as hw

VERSION = {version}


@hw.asset
def numbers():
    if os.path.exists(os.environ["DEV_BLOCK_FILE"]):
        while True:  # a long step: Ctrl-C of dev must stop it
            time.sleep(0.05)
    return VERSION


numbers_job = hw.define_asset_job("numbers_job", selection=["numbers"])


@hw.sensor(job=numbers_job, minimum_interval_seconds=1,
           default_status=hw.DefaultSensorStatus.RUNNING)
def each_version(context):
    return hw.RunRequest(run_key=f"version-{{VERSION}}")


defs = hw.Definitions(assets=[numbers], jobs=[numbers_job], sensors=[each_version])
'''


class Dev:
    """A ``headwater dev`` process in its own process group, its stderr collected."""

    def __init__(self, project: Path, env: dict[str, str]):
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from headwater.cli.main import main; main()", "dev",
             "-f", str(project), "--log-level", "warning", "--port", "0"],
            cwd=project.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def ctrl_c(self) -> int:
        os.killpg(self.proc.pid, signal.SIGINT)  # what a terminal does: the whole group
        return self.proc.wait(GUARD_S)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def wait_for(condition, what: str):
    deadline = time.monotonic() + GUARD_S
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def processes_mentioning(text: str) -> list[str]:
    out = subprocess.run(["pgrep", "-af", text], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "pgrep" not in line]


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def env_for(home: Path | None, block: Path) -> dict[str, str]:
    env = {**os.environ, "DEV_BLOCK_FILE": str(block),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    env.pop("DAGSTER_HOME", None)
    env.pop("HEADWATER_HOME", None)
    if home is not None:
        env["HEADWATER_HOME"] = str(home)
    return env


def write_project(path: Path, version: int) -> None:
    path.write_text(textwrap.dedent(PROJECT.format(version=version)))


def succeeded(instance, key: str):
    return instance.get_runs(hw.RunsFilter(tags={"dagster/run_key": key},
                                           statuses=[hw.RunStatus.SUCCESS]))


def test_dev_runs_sensors_through_the_queue_reloads_on_save_and_stops_cleanly(tmp_path):
    project = tmp_path / "dev_project.py"
    write_project(project, 1)
    home = tmp_path / "home"
    dev = Dev(project, env_for(home, tmp_path / "no-such-file"))
    try:
        wait_for(lambda: home.exists() and any("are up" in line for line in dev.lines),
                 "headwater dev to start")
        with hw.Instance.local(home) as instance:
            wait_for(lambda: succeeded(instance, "version-1"), "version 1's run")
            # the web UI and API are served on loopback, showing the same runs
            url = next(x for x in dev.lines if "serving the web UI at" in x).split(" at ")[1]
            url = url.split(";")[0].strip()
            assert url.startswith("http://127.0.0.1:")
            with urllib.request.urlopen(f"{url}/api/v1/runs?status=SUCCESS") as response:
                listed = json.loads(response.read())["items"]
            assert [r["tags"]["dagster/run_key"] for r in listed] == ["version-1"]
            write_project(project, 2)  # the user saves a change: the location reloads
            wait_for(lambda: succeeded(instance, "version-2"), "version 2's run after reload")
            assert instance.get_run_records(hw.RunsFilter(tags={"dagster/run_key": "version-1"})
                                            ).__len__() == 1
        assert processes_mentioning(str(project))  # its code server runs
        assert dev.ctrl_c() == 0, "".join(dev.lines)
        assert processes_mentioning(str(project)) == []
        assert any("stopped." in line for line in dev.lines)
    finally:
        dev.kill()


def test_ctrl_c_stops_a_run_in_progress_and_a_temporary_instance_is_removed(tmp_path):
    project = tmp_path / "dev_blocking.py"
    write_project(project, 1)
    block = tmp_path / "block"
    block.write_text("the run's step loops until stopped")
    dev = Dev(project, env_for(None, block))
    try:
        line = wait_for(lambda: next((x for x in dev.lines if "(temporary" in x), None),
                        "headwater dev to start on a temporary instance")
        home = Path(line.split("instance: ")[1].split(" (temporary")[0])
        assert home.is_dir()
        with hw.Instance.local(home) as instance:
            run = wait_for(lambda: instance.get_runs(hw.RunsFilter(
                statuses=[hw.RunStatus.STARTED])), "the run to start")[0]
            worker = wait_for(lambda: instance.get_run_process(run.run_id), "its worker")
        assert dev.ctrl_c() == 0, "".join(dev.lines)
        assert any("stopped 1 run(s) in progress" in x for x in dev.lines), "".join(dev.lines)
        assert not home.exists()  # the temporary instance is gone with dev
        assert processes_mentioning(str(project)) == []
        wait_for(lambda: not alive(worker.process.pid), "the run's worker to be gone")
    finally:
        dev.kill()
