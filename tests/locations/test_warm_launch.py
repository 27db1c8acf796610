"""Warm launches through a real code server on 127.0.0.1: runs are forked from the location's
template process (the user's module is not imported again), multiprocess steps are forked from
the warm run worker, a dead template is replaced (the launch in between starts a fresh worker),
a reload gives runs the new code, a killed run worker is failed by monitoring, and stopping the
server leaves no template behind while a started run goes on to its end."""

from __future__ import annotations

import os
import signal
import textwrap
import time
from pathlib import Path

import pytest

import headwater as dg
from headwater.daemon.monitoring import MonitoringComponent
from headwater.events.records import EventType
from headwater.execution.launch import LaunchRequest
from headwater.execution.stored_run import mark_starting, queue_run
from headwater.locations.client import RemoteLocation
from headwater.locations.factory import load_location
from headwater.locations.origins import LocationOrigin, OriginKind
from headwater.storage import RunStatus
from tests.execution.hwexec_sync import Checkpoints

GUARD_S = 60.0  # bounds a broken test only; no assertion depends on time

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not os.path.isdir("/proc"),
                                reason="warm launches fork; the checks read /proc")

MODULE = textwrap.dedent('''
    import os
    import socket
    import threading

    import headwater as dg

    VERSION = "{version}"
    with open(os.environ["HWWARM_IMPORTS"], "a") as f:  # one line per import of this module
        f.write(f"{{os.getpid()}}\\n")
    if os.environ.get("HWWARM_THREAD"):  # user code that starts a thread at import
        threading.Thread(target=threading.Event().wait, daemon=True).start()


    def note(what):
        with open(os.environ["HWWARM_STEPS"], "a") as f:
            f.write(f"{{what}} {{VERSION}} {{os.getpid()}} {{os.getppid()}}\\n")


    @dg.op
    def hwwarm_step():
        note("step")


    @dg.op
    def hwwarm_blocking():
        note("blocking")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(os.environ["HWWARM_SYNC"])
            s.sendall(b"%d\\n" % os.getpid())
            s.recv(16)  # until the test answers or hangs up


    @dg.job(executor_def=dg.in_process_executor)
    def hwwarm_job():
        hwwarm_step()


    @dg.job(executor_def=dg.multiprocess_executor)
    def hwwarm_mp_job():
        hwwarm_step()


    @dg.job(executor_def=dg.in_process_executor)
    def hwwarm_block_job():
        hwwarm_blocking()


    @dg.job(executor_def=dg.multiprocess_executor)
    def hwwarm_mp_block_job():
        hwwarm_blocking()


    defs = dg.Definitions(jobs=[hwwarm_job, hwwarm_mp_job, hwwarm_block_job,
                                hwwarm_mp_block_job])
''')


class Project:
    def __init__(self, root: Path):
        self.root = root
        self.module = root / "hwwarm_project.py"
        self.imports = root / "imports.log"
        self.steps = root / "steps.log"

    def write(self, version: str) -> None:
        self.module.write_text(MODULE.format(version=version))

    def import_pids(self) -> list[int]:
        return [int(x) for x in self.imports.read_text().split()] if self.imports.exists() \
            else []

    def step_lines(self) -> list[tuple[str, str, int, int]]:
        if not self.steps.exists():
            return []
        out = []
        for line in self.steps.read_text().splitlines():
            what, version, pid, ppid = line.split()
            out.append((what, version, int(pid), int(ppid)))
        return out


@pytest.fixture(autouse=True)
def _no_bytecode(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # rewritten files: never a stale .pyc


@pytest.fixture
def sync(monkeypatch):
    checkpoints = Checkpoints()
    monkeypatch.setenv("HWWARM_SYNC", checkpoints.path)
    yield checkpoints
    checkpoints.close()


@pytest.fixture
def project(tmp_path, monkeypatch, sync):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HEADWATER_HOME", str(home))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("HEADWATER_WARM_LAUNCH", raising=False)
    p = Project(tmp_path)
    monkeypatch.setenv("HWWARM_IMPORTS", str(p.imports))
    monkeypatch.setenv("HWWARM_STEPS", str(p.steps))
    p.write("v1")
    return p


@pytest.fixture
def instance(project):
    with dg.Instance.get() as instance:
        yield instance


@pytest.fixture
def server(project):
    origin = LocationOrigin(OriginKind.PYTHON_FILE, str(project.module), location_name="warm")
    location = load_location(origin, None)
    assert isinstance(location, RemoteLocation)
    try:
        yield location
    finally:
        location.close()


def wait_until(condition, what: str):
    deadline = time.monotonic() + GUARD_S
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def gone(pid: int) -> bool:
    """No such process (or only its zombie, which is not ours to reap)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def reaped(pid: int) -> bool:
    return not os.path.exists(f"/proc/{pid}")


def template_family(project: Project) -> dict[int, int]:
    """The live processes running this project's template code (templates, their spare run
    workers, forked runs), pid -> parent pid."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if (b"headwater.locations.template" in cmdline and str(project.module).encode()
                in cmdline and fields[0] != "Z"):
            found[int(entry)] = int(fields[1])
    return found


def ready_template(location: RemoteLocation) -> dict:
    return wait_until(lambda: (t := location.ping()["template"]) and t["ready"] and t,
                      "the template to be ready")


def launch(instance, location, job_name: str) -> str:
    run = queue_run(instance, LaunchRequest(job_name=job_name), "warm")
    assert mark_starting(instance, run)
    location.launch_run(run.run_id)
    return run.run_id


def finished(instance, run_id: str):
    return wait_until(lambda: (r := instance.get_run_by_id(run_id)) and r.is_finished and r,
                      f"run {run_id} to finish")


def test_runs_are_forked_from_the_template_without_importing_the_code_again(
        project, instance, server):
    server_pid = server.process.pid
    for _ in range(2):  # the first one at once: it waits for the template if it is loading
        run_id = launch(instance, server, "hwwarm_job")
        assert finished(instance, run_id).status == RunStatus.SUCCESS
    template = ready_template(server)
    steps = project.step_lines()
    assert [(what, version) for what, version, _, _ in steps] == [("step", "v1")] * 2
    assert {ppid for *_, ppid in steps} == {template["pid"]}  # each run: a child of the template
    assert len({pid for _, _, pid, _ in steps}) == 2  # a process per run
    # the module was imported by the server and by the template, never by a run
    assert sorted(project.import_pids()) == sorted([server_pid, template["pid"]])


def test_multiprocess_steps_of_a_warm_run_are_forked_from_the_run_worker(
        project, instance, server):
    template = ready_template(server)
    run_id = launch(instance, server, "hwwarm_mp_job")
    assert finished(instance, run_id).status == RunStatus.SUCCESS
    [(_, _, step_pid, run_worker_pid)] = project.step_lines()
    assert step_pid != run_worker_pid
    assert run_worker_pid not in (template["pid"], server.process.pid)  # a forked run worker
    assert len(project.import_pids()) == 2  # the step worker did not import the module: forked
    assert template["pid"] in project.import_pids()


def test_a_dead_template_is_replaced_and_the_launch_meanwhile_starts_cold(
        project, instance, server):
    old = ready_template(server)
    os.kill(old["pid"], signal.SIGKILL)
    wait_until(lambda: gone(old["pid"]), "the template to die")

    run_id = launch(instance, server, "hwwarm_job")  # falls back to a fresh run worker
    assert finished(instance, run_id).status == RunStatus.SUCCESS
    [(_, _, cold_pid, cold_parent)] = project.step_lines()
    assert cold_parent == server.process.pid
    assert cold_pid in project.import_pids()  # a fresh worker imports the code itself

    new = ready_template(server)
    assert new["pid"] != old["pid"] and new["restarts"] == 1
    run_id = launch(instance, server, "hwwarm_job")
    assert finished(instance, run_id).status == RunStatus.SUCCESS
    assert project.step_lines()[-1][3] == new["pid"]
    wait_until(lambda: reaped(old["pid"]), "the dead template to be reaped")


def test_a_reload_gives_runs_the_new_code_from_a_new_template(project, instance, server):
    old = ready_template(server)
    run_id = launch(instance, server, "hwwarm_job")
    assert finished(instance, run_id).status == RunStatus.SUCCESS

    project.write("v2")
    server.reload()
    run_id = launch(instance, server, "hwwarm_job")  # at once: it waits for the new template
    assert finished(instance, run_id).status == RunStatus.SUCCESS
    new = ready_template(server)
    assert new["pid"] != old["pid"]
    assert [(v, ppid) for _, v, _, ppid in project.step_lines()] == [
        ("v1", old["pid"]), ("v2", new["pid"])]
    wait_until(lambda: reaped(old["pid"]), "the old template to exit")
    # the old template's spare run worker left with it: only the new one and its children
    wait_until(lambda: all(pid == new["pid"] or parent == new["pid"]
                           for pid, parent in template_family(project).items()),
               "the old template's spare to exit")


def test_a_broken_reload_keeps_the_template_of_the_code_that_loaded(project, instance, server):
    old = ready_template(server)
    project.module.write_text("raise RuntimeError('hwwarm broken')\n")
    server.reload()
    assert server.load_error is not None
    assert server.ping()["template"]["pid"] == old["pid"]
    run_id = launch(instance, server, "hwwarm_job")  # the last good code still runs
    assert finished(instance, run_id).status == RunStatus.SUCCESS
    _, version, _, parent = project.step_lines()[-1]
    assert (version, parent) == ("v1", old["pid"])


def test_a_killed_warm_run_worker_is_failed_by_monitoring(project, instance, server, sync):
    template = ready_template(server)
    run_id = launch(instance, server, "hwwarm_block_job")
    conn, message = sync.arrive()  # the op holds the run worker until we answer
    try:
        worker = int(message)
        assert project.step_lines()[-1][3] == template["pid"]
        monitoring = MonitoringComponent(instance)
        monitoring.run_iteration()
        assert monitoring.ended == []  # alive: untouched
        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: reaped(worker), "the template to reap the killed worker")
    finally:
        conn.close()
    monitoring.run_iteration()
    assert monitoring.ended == [(run_id, RunStatus.FAILURE)]
    failure = instance.all_logs(run_id, of_type=EventType.RUN_FAILURE)[-1].dagster_event.message
    assert f"pid {worker}" in failure


def test_a_step_worker_ends_with_its_killed_run_worker(project, instance, server, sync):
    ready_template(server)
    run_id = launch(instance, server, "hwwarm_mp_block_job")
    conn, message = sync.arrive()  # the step runs in a worker forked from the run worker
    try:
        step_worker = int(message)
        [(_, _, pid, run_worker)] = project.step_lines()
        assert pid == step_worker and run_worker != server.process.pid
        os.kill(run_worker, signal.SIGKILL)
        # no orphan: the step worker is told (SIGTERM) when its run worker dies
        wait_until(lambda: gone(step_worker), "the step worker to end with its run worker")
    finally:
        conn.close()
    monitoring = MonitoringComponent(instance)
    wait_until(lambda: reaped(run_worker), "the template to reap the killed run worker")
    monitoring.run_iteration()
    assert monitoring.ended == [(run_id, RunStatus.FAILURE)]


def test_stopping_the_server_stops_the_template_but_a_started_run_finishes(
        project, instance, server, sync):
    template = ready_template(server)
    run_id = launch(instance, server, "hwwarm_block_job")
    conn, message = sync.arrive()
    worker = int(message)
    try:
        server.close()  # SIGTERM: the server waits for its template, the template for its spare
        assert gone(server.process.pid) and reaped(template["pid"])
        assert list(template_family(project)) == [worker]  # only the run, which goes on
    finally:
        Checkpoints.release(conn)
    assert finished(instance, run_id).status == RunStatus.SUCCESS
    wait_until(lambda: gone(worker), "the run worker to exit")
    wait_until(lambda: not template_family(project), "no template, spare or run left")


def test_warm_launches_can_be_turned_off(project, instance, monkeypatch):
    monkeypatch.setenv("HEADWATER_WARM_LAUNCH", "0")
    origin = LocationOrigin(OriginKind.PYTHON_FILE, str(project.module), location_name="warm")
    location = load_location(origin, None)
    try:
        assert location.ping()["template"] is None
        run_id = launch(instance, location, "hwwarm_job")
        assert finished(instance, run_id).status == RunStatus.SUCCESS
        assert project.step_lines()[-1][3] == location.process.pid
    finally:
        location.close()


@pytest.mark.parametrize("user_thread", [False, True], ids=["forked", "thread-at-import"])
def test_a_cold_run_worker_forks_its_steps_unless_the_code_started_threads(
        project, instance, monkeypatch, user_thread):
    monkeypatch.setenv("HEADWATER_WARM_LAUNCH", "0")
    if user_thread:
        monkeypatch.setenv("HWWARM_THREAD", "1")
    (Path(os.environ["HEADWATER_HOME"]) / "dagster.yaml").write_text(
        "run_coordinator:\n  module: dagster.core.run_coordinator\n"
        "  class: QueuedRunCoordinator\n  config:\n    max_concurrent_runs: 4\n")
    origin = LocationOrigin(OriginKind.PYTHON_FILE, str(project.module), location_name="warm")
    location = load_location(origin, None)
    try:
        run_id = launch(instance, location, "hwwarm_mp_job")
        assert finished(instance, run_id).status == RunStatus.SUCCESS
        [(_, _, step_pid, run_worker_pid)] = project.step_lines()
        assert run_worker_pid != location.process.pid  # a fresh run worker...
        assert run_worker_pid in project.import_pids()  # ...that imported the code itself
        # forked steps share the run worker's import; with a user thread they start fresh
        assert (step_pid in project.import_pids()) is user_thread
    finally:
        location.close()


def test_a_server_killed_with_sigkill_leaves_no_template_behind(project, server):
    template = ready_template(server)
    assert template["pid"] in template_family(project)
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.process.wait()
    # end-of-file on its socket: the template leaves, and its spare run worker with it
    wait_until(lambda: not template_family(project), "the template and its spare to exit")
