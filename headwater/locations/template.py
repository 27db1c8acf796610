"""Warm launches: a template process that has the location's code imported and forks runs.

A fresh run worker pays a new interpreter, headwater's import and the user's import (seconds
for a real project). The template pays them once: ``python -m headwater.locations.template
ORIGIN_JSON FD`` imports headwater's execution machinery and the location's code, then waits
on the socket ``FD`` for ``run RUN_ID`` lines and hands each to a forked run worker, answering
``started PID``: a spare forked ahead of time (already set up, waiting on a pipe for the id),
else one forked there and then. It is single-threaded (forking from the threaded code server would
copy its threads' locks), and it opens nothing a child could share by mistake: each child
opens its own instance.

A forked run worker starts a session of its own (a Ctrl-C in the terminal, or the template's
end, does not reach it), closes the template's socket, resets the signal handlers a fresh
interpreter has, re-seeds ``random``, makes ``fork`` the multiprocess executor's default start
method (its step workers then start warm too), opens the instance and runs
``execute_stored_run``, then leaves with ``os._exit``. The template reaps its children; when
its socket reaches end-of-file (the code server stopped or died) it exits, and runs already
started go on to their end (run monitoring handles their deaths as for any run worker).

The code server's side is ``TemplateProcess`` (one template) and ``WarmLauncher`` (the current
template of a location, restarted when it dies, replaced after a reload).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from typing import Any

from headwater.locations.origins import LocationOrigin

_log = logging.getLogger("headwater.locations.template")

SPARE_EXIT_S = 2.0  # a retired template waits this long for its spare to leave
LAUNCH_TIMEOUT_S = 10.0  # a fork answers in milliseconds; past this the template is stuck
RETIRE_GRACE_S = 3.0  # a retired template exits at end-of-file; past this it is killed
# a launch while the template is still importing (at start-up, after a reload) waits for it (a
# fresh worker would import the same code again, on the same cores) up to this long, then
# starts cold
WAIT_FOR_LOADING_S = 20.0

# what a run worker uses, imported in the template before any fork
_WARM_MODULES = (
    "headwater.execution.stored_run",
    "headwater.execution.launch",
    "headwater.execution.run",
    "headwater.execution.executors.multiprocess",
    "headwater.execution.executors.worker",
    "headwater.execution.executors.execute_job",
    "headwater.locations.reconstruct",
    "headwater.storage",
    "headwater.storage.processes",
    "headwater.storage.run_health",
    "headwater.definitions.selection",
    "encodings.ascii",  # (reading /proc for the run's process identity)
    "headwater.execution.op_plan",
    "headwater.execution.api",
    "headwater.execution.config",
    "headwater.execution.resources",
)


# ====================================================================== the template process

def serve(origin: LocationOrigin, control: socket.socket) -> int:
    """Import the location, say ``ready``, then hand each ``run RUN_ID`` line to a run worker
    until ``control`` closes. Returns the template's exit code.

    A *spare* run worker is forked ahead of each request: it has set itself up (session,
    signals, its own instance) and waits on a pipe for a run id, so a launch costs one write.
    A spare that is gone is replaced by a direct fork."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the code server decides when we stop
    try:
        defs = _prepare(origin)
    except BaseException as e:  # noqa: BLE001 - reported to the server, which falls back
        _send(control, f"error {type(e).__name__}: {e}".replace("\n", " "))
        return 1
    signal.signal(signal.SIGCHLD, _reap)
    spare = _Spare.fork(defs, control)
    _send(control, f"ready {os.getpid()}")
    reader = control.makefile("rb")
    for raw in reader:
        command, _, argument = raw.decode("utf-8", "replace").strip().partition(" ")
        if command != "run" or not argument:
            _send(control, f"error unknown request {command!r}")
            continue
        pid = spare.hand(argument) if spare is not None else None
        if pid is None:
            pid = _fork_run(argument, defs, control)
        _send(control, f"started {pid}")
        spare = _Spare.fork(defs, control)
    if spare is not None:
        spare.dismiss()
        spare.wait(SPARE_EXIT_S)  # the server waits for us: we are gone only with our spare
    _reap()
    return 0


class _Spare:
    """A forked run worker waiting for its run id (the template's side of it)."""

    def __init__(self, pid: int, pipe: int):
        self.pid = pid
        self.pipe = pipe  # the write end; the spare exits at end-of-file

    @staticmethod
    def fork(defs: Any, control: socket.socket) -> _Spare | None:
        read_end, write_end = os.pipe()
        _flush()
        try:
            pid = os.fork()
        except OSError as e:
            _log.warning("no spare run worker (%s); runs are forked on request", e)
            os.close(read_end)
            os.close(write_end)
            return None
        if pid:
            os.close(read_end)
            return _Spare(pid, write_end)
        code = 1
        try:
            os.close(write_end)
            os.setsid()
            control.close()
            code = _wait_then_run(read_end, defs)
        except BaseException:  # noqa: BLE001 - the run's own failures are recorded on the run
            import traceback

            traceback.print_exc()
        finally:
            _flush()
            os._exit(code)

    def hand(self, run_id: str) -> int | None:
        """Give the spare ``run_id``: its pid, or None if it is gone."""
        try:
            os.write(self.pipe, run_id.encode() + b"\n")
        except OSError:  # its end is closed: it died
            return None
        finally:
            os.close(self.pipe)
        return self.pid

    def dismiss(self) -> None:
        os.close(self.pipe)  # end-of-file: the spare exits without running anything

    def wait(self, timeout: float) -> None:
        """Until the dismissed spare has exited (bounded: it may be opening the instance)."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            try:
                done, _ = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped by the SIGCHLD handler already
                return
            if done or time.monotonic() > deadline:
                return
            time.sleep(0.005)  # a bounded wait for a child's exit (no pidfd everywhere)


def _wait_then_run(pipe: int, defs: Any) -> int:
    """In a spare: get ready for a run (all but the run id), then wait for the id."""
    instance = None
    try:
        instance = become_run_worker()
    except Exception:  # noqa: BLE001 - opened again (and reported) once there is a run
        pass
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(pipe, 4096)
        if not chunk:
            return 0  # dismissed: the template is gone or retired
        data += chunk
    os.close(pipe)
    return execute(data.decode().strip(), defs, instance)


def _prepare(origin: LocationOrigin) -> Any:
    import importlib

    from headwater.locations.loader import load_definitions

    for name in _WARM_MODULES:
        importlib.import_module(name)
    defs = load_definitions(origin).defs
    _warm_jobs(defs)
    _warm_instance_imports()
    if threading.active_count() > 1:
        _log.warning("code location %r started %d thread(s) at import; forked run workers do "
                     "not inherit them", origin.name, threading.active_count() - 1)
    return defs


def _warm_jobs(defs: Any) -> None:
    """Resolve each job once, so that what resolving imports is imported before the forks."""
    for job in getattr(defs, "jobs", ()):
        try:
            defs.get_job_def(job.name)
        except Exception:  # noqa: BLE001 - the run that asks for it reports the error
            pass


def _warm_instance_imports() -> None:
    """Import what opening the instance imports (storage engine, config), without keeping
    anything open: a connection must not be shared with the forked children."""
    from headwater.storage import Instance

    try:
        instance = Instance.get()
    except Exception:  # noqa: BLE001 - each run worker reports its own instance error
        return
    dispose = getattr(instance, "dispose", None)
    if dispose is not None:
        dispose()


def _send(control: socket.socket, line: str) -> None:
    try:
        control.sendall(line.encode() + b"\n")
    except OSError:
        pass  # the server is gone: the read loop ends at end-of-file


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass


def _reap(*_: object) -> None:
    """Collect every ended child (SIGCHLD handler): a finished run leaves no zombie."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _fork_run(run_id: str, defs: Any, control: socket.socket) -> int:
    _flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        os.setsid()
        control.close()
        code = execute(run_id, defs, become_run_worker())
    except BaseException:  # noqa: BLE001 - the run's own failures are recorded on the run
        import traceback

        traceback.print_exc()
    finally:
        _flush()
        os._exit(code)


def become_run_worker() -> Any:
    """In a freshly forked child: the signal handlers of a fresh interpreter, a new random
    seed, ``fork`` as the multiprocess default, and an instance of its own (returned)."""
    import random

    from headwater.execution.executors.definition import set_default_start_method
    from headwater.storage import Instance
    from headwater.storage.processes import current_process

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    random.seed()
    set_default_start_method("fork")  # step workers forked from here start warm too
    os.environ[WARM_ENV] = "1"
    current_process()  # this process's identity, as its run records it
    return Instance.get()


def execute(run_id: str, defs: Any, instance: Any) -> int:
    """Execute the stored run (its failures are recorded on it); the exit code."""
    from headwater.execution.stored_run import execute_stored_run
    from headwater.storage import Instance

    execute_stored_run(run_id, instance if instance is not None else Instance.get(), defs)
    return 0


WARM_ENV = "HEADWATER_WARM_WORKER"  # set in a run worker forked from a template


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.exit("usage: python -m headwater.locations.template ORIGIN_JSON FD")
    origin = LocationOrigin.from_json(json.loads(args[0]))
    control = socket.socket(fileno=int(args[1]))
    code = serve(origin, control)
    sys.stdout.flush()
    os._exit(code)  # no interpreter teardown: the children own their resources


# ====================================================================== the code server's side

class TemplateProcess:
    """One template process, seen from the code server: started at once, ready once its
    code has loaded; ``launch`` asks it for a run worker (None if it cannot)."""

    def __init__(self, origin: LocationOrigin):
        self.origin = origin
        ours, theirs = socket.socketpair()
        try:
            fd = theirs.fileno()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "headwater.locations.template",
                 json.dumps(origin.to_json()), str(fd)],
                pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno())
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._sock = ours
        self._reader = ours.makefile("rb")
        self._lock = threading.Lock()  # one launch at a time
        self._stop_lock = threading.Lock()
        self._stopped = False
        self._settled = threading.Event()  # ready, or failed
        self.ready_once = False
        self.failure: str | None = None
        self.retired = False
        threading.Thread(target=self._await_ready, daemon=True,
                         name=f"headwater-template-{self.process.pid}").start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _await_ready(self) -> None:
        try:
            line = self._reader.readline().decode("utf-8", "replace").strip()
        except (OSError, ValueError) as e:
            line = f"error {e}"
        if line.startswith("ready"):
            self.ready_once = True
        else:
            self.failure = line[len("error "):] if line.startswith("error ") else \
                "the template process exited before its code loaded"
        self._settled.set()

    def wait_ready(self, timeout: float | None) -> bool:
        self._settled.wait(timeout)
        return self.ready()

    def loading(self) -> bool:
        """Still importing the code (neither ready nor failed), and alive."""
        return not self._settled.is_set() and self.process.poll() is None

    def ready(self) -> bool:
        return self.ready_once and self.failure is None and not self.retired \
            and self.process.poll() is None

    def alive(self) -> bool:
        return self.process.poll() is None and self.failure is None

    def launch(self, run_id: str) -> int | None:
        """The pid of a run worker forked for ``run_id``; None if this template cannot (not
        ready, dead, stuck): the caller starts one another way."""
        with self._lock:
            if not self.ready():
                return None
            try:
                self._sock.settimeout(LAUNCH_TIMEOUT_S)
                self._sock.sendall(f"run {run_id}\n".encode())
                line = self._reader.readline().decode("utf-8", "replace").strip()
            except (OSError, ValueError) as e:
                line = f"error {e}"
            if line.startswith("started "):
                return int(line.split()[1])
            self.failure = line or "the template process exited"
            _log.warning("code location %r: the template process (pid %s) failed to fork a "
                         "run: %s", self.origin.name, self.pid, self.failure)
            self._stop()
            return None

    def retire(self, wait: bool = False) -> None:
        """Stop the template (its runs go on): end-of-file on its socket, then reaped (here
        and now with ``wait``, else on a thread)."""
        with self._lock:
            self.retired = True
        self._stop(wait)

    def _stop(self, wait: bool = False) -> None:
        with self._stop_lock:
            first = not self._stopped
            self._stopped = True
        if first:
            for closable in (self._reader, self._sock):
                try:
                    closable.close()
                except OSError:
                    pass
        if wait:
            self._reap()
        elif first:
            threading.Thread(target=self._reap, daemon=True).start()

    def _reap(self) -> None:
        try:
            self.process.wait(RETIRE_GRACE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WarmLauncher:
    """A location's current template: started with the server, asked first for every launch,
    restarted when it died after it had been ready, replaced (from the new code) by a reload.
    ``HEADWATER_WARM_LAUNCH=0`` turns warm launches off (every run spawns a fresh worker)."""

    def __init__(self, origin: LocationOrigin):
        self.origin = origin
        self.enabled = (os.environ.get("HEADWATER_WARM_LAUNCH", "1") != "0"
                        and hasattr(os, "fork"))
        self._lock = threading.Lock()
        self.current: TemplateProcess | None = None
        self.restarts = 0

    def start(self) -> None:
        if self.enabled:
            with self._lock:
                self.current = self._new()

    def _new(self) -> TemplateProcess | None:
        try:
            return TemplateProcess(self.origin)
        except OSError as e:
            _log.warning("code location %r: no template process (%s); runs start cold",
                         self.origin.name, e)
            return None

    def launch(self, run_id: str) -> int | None:
        """A warm run worker's pid, else None (the caller spawns a cold one). A template that
        died after it was ready is replaced, for the next launch."""
        with self._lock:
            template = self.current
        if template is None:
            return None
        if template.loading():
            template.wait_ready(WAIT_FOR_LOADING_S)
        pid = template.launch(run_id)
        if pid is None and template.ready_once and not template.alive():
            self._replace_dead(template)
        return pid

    def _replace_dead(self, dead: TemplateProcess) -> None:
        with self._lock:
            if self.current is not dead:
                return  # replaced meanwhile
            _log.warning("code location %r: the template process (pid %s) is gone; starting "
                         "another", self.origin.name, dead.pid)
            self.current = self._new()
            self.restarts += 1
        dead.retire()

    def begin_reload(self) -> TemplateProcess | None:
        """A template importing the code afresh, started with the server's own reload."""
        return self._new() if self.enabled else None

    def finish_reload(self, new: TemplateProcess | None, loaded: bool) -> None:
        """The server's reload ended: when the new code ``loaded``, the new template replaces
        the old one at once (a launch meanwhile waits for it to load: never the old code);
        otherwise it is dropped and the old one stays."""
        if new is None:
            return
        if not loaded:
            new.retire()
            return
        with self._lock:
            old, self.current = self.current, new
        if old is not None:
            old.retire()

    def status(self) -> dict[str, Any] | None:
        template = self.current
        if template is None:
            return None
        return {"pid": template.pid, "ready": template.ready(), "restarts": self.restarts,
                "failure": template.failure}

    def close(self, wait: bool = False) -> None:
        """Stop the template (``wait``: until it has exited, its spare with it)."""
        with self._lock:
            template, self.current = self.current, None
        if template is not None:
            template.retire(wait)


if __name__ == "__main__":
    main()
