"""The multiprocess executor: a pool of long-lived worker processes, one step each at a time.

The pool belongs to one run. A worker is started when a ready step finds no idle one (up to
``max_concurrent``); it imports the user's code once and then runs step after step, each sent
as a small message (see ``worker.py``). Workers write their steps' events to the instance
themselves; the launcher writes the run's events and, for a worker that died mid-step, that
step's failure. A dead worker is dropped; the next step that needs one starts a new one.

A worker is a fresh interpreter (``python -c``, like ``spawn``) talking over a socket pair:
it inherits the launcher's environment, working directory and ``sys.path`` as they are when it
starts, and never re-imports the launcher's ``__main__`` (so a launching script needs no
``if __name__ == "__main__"`` guard unless the job itself is defined in it). ``start_method``
(``spawn``/``forkserver``) is accepted for Dagster's config and means the same here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from typing import Any

from headwater.definitions.errors import HeadwaterError, InvalidDefinitionError
from headwater.definitions.job_pointers import JobPointer
from headwater.events.errors import SerializableErrorInfo, error_info_from_exc
from headwater.events.records import EventType, StepFailureData
from headwater.execution.executors.base import Executor, StepOutcome
from headwater.execution.executors.definition import ExecutorConfig
from headwater.execution.executors.outputs import LazyOutputs
from headwater.execution.executors.worker import WorkerInit, instance_ref

STOP_GRACE_S = 10.0  # how long a stopping worker may take to tear down before it is killed
POLL_S = 0.5  # without pidfds (not Linux): how often busy workers are checked for death
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
_BOOT = ("import sys; sys.path.insert(0, {path!r}); "
         "from headwater.execution.executors.worker import main; main({fd})")


class WorkerCrashedError(HeadwaterError):
    """The worker process running a step died before the step finished."""


class StepWorkerError(HeadwaterError):
    """A step's error, as reported by the worker that ran it (when it cannot be rebuilt)."""


class _ForkedProcess:
    """The Popen-like handle of a worker forked from this process (``start_method="fork"``)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


class _WorkerProcess:
    __slots__ = ("process", "conn", "exit_fd", "step", "attempt")

    def __init__(self, process: Any, conn: Connection):
        self.process = process
        self.conn = conn
        self.exit_fd: int | None = None  # readable once the process has ended (Linux pidfd)
        pidfd_open = getattr(os, "pidfd_open", None)
        if pidfd_open is not None:
            with contextlib.suppress(OSError):
                self.exit_fd = pidfd_open(process.pid)
        self.step: Any = None
        self.attempt = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def release(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.exit_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.exit_fd)
            self.exit_fd = None


class MultiprocessExecutor(Executor):
    name = "multiprocess"

    def __init__(self, job: JobPointer, config: ExecutorConfig, *, instance: Any,
                 run_config: Any = None, op_selection: Any = None, asset_selection: Any = None):
        super().__init__(config.tag_limits)
        self.job = job
        self.max_concurrent = max(1, config.max_concurrent)
        self.run_config = run_config
        self.op_selection = op_selection
        self.asset_selection = asset_selection
        ref = instance_ref(instance)
        if ref is None:
            raise InvalidDefinitionError(
                f"Job {job.describe()} runs with the multiprocess executor, whose worker "
                "processes write to the instance themselves; an in-memory (ephemeral) instance "
                "cannot be shared between processes. Pass a persistent instance "
                "(Instance.get() with HEADWATER_HOME set, Instance.local(path), "
                "instance_for_test()), or use the in_process_executor.")
        self.instance_ref = ref
        _check_picklable(job, run_config, op_selection, asset_selection)
        self._workers: list[_WorkerProcess] = []
        self._init = b""
        self.start_method = config.start_method
        self._terminating = False

    # --- the contract ---
    def start(self, rc: Any) -> None:
        init = WorkerInit(
            self.job, self.instance_ref, rc.compute_logs.base_dir, rc.run_id, rc.job_name,
            self.run_config, self.op_selection, self.asset_selection, dict(rc.tags))
        self._init = pickle.dumps(init, protocol=pickle.HIGHEST_PROTOCOL)
        resource_defs = rc.resource_setup[0] if rc.resource_setup else {}
        rc.outputs = LazyOutputs(rc.plan, resource_defs, rc.instance, rc.run_id, rc)
        rc.flush()  # the run's start is stored before any worker stores a step's

    def submit(self, rc: Any, step: Any, attempt: int) -> None:
        template = rc.plan.steps[step.index]
        wanted = {}
        for oi in step.op_inputs:
            if oi.kind == "collect":
                key = (rc.plan.steps[oi.sources[0][0]].key, "__mapped__")
                wanted[key] = list(rc.mapping_keys.get(key, []))
        message = ("step", template.key, step.key, step.mapping_key, attempt, wanted)
        worker = next((w for w in self._workers if w.step is None), None)
        for _ in range(2):  # an idle worker may have died meanwhile: then start a fresh one
            try:
                if worker is None:
                    worker = self._start_worker()
                worker.conn.send(message)
                break
            except OSError:
                if worker is not None:
                    self._drop(worker)
                worker = None
        else:
            raise WorkerCrashedError(f"Could not start a worker process for step {step.key!r}")
        worker.step, worker.attempt = step, attempt

    def wait(self, rc: Any, timeout: float | None) -> list[StepOutcome]:
        busy = [w for w in self._workers if w.step is not None]
        by_handle: dict[Any, _WorkerProcess] = {}
        for w in busy:
            by_handle[w.conn] = w
            if w.exit_fd is not None:
                by_handle[w.exit_fd] = w
        polled = any(w.exit_fd is None for w in busy)
        if polled:
            timeout = POLL_S if timeout is None else min(timeout, POLL_S)
        ready = wait_for(list(by_handle), timeout)
        if polled:  # no pidfd: a worker whose children keep its socket open is seen here
            ready += [w.conn for w in busy if w.exit_fd is None and not w.alive()]
        outcomes = []
        seen: set[int] = set()
        for handle in ready:
            w = by_handle[handle]
            if id(w) not in seen:
                seen.add(id(w))
                outcomes.append(self._collect(rc, w))
        return outcomes

    def terminate(self, rc: Any) -> None:
        """The run was canceled: end the busy workers (SIGTERM); their steps come back from
        ``wait`` as failed, saying so."""
        self._terminating = True
        for w in self._workers:
            if w.step is not None:
                with contextlib.suppress(Exception):
                    w.process.terminate()

    def close(self) -> None:
        workers, self._workers = self._workers, []
        for w in workers:
            if w.step is None:
                with contextlib.suppress(Exception):
                    w.conn.send(("stop",))
            else:  # still busy: the run was interrupted
                with contextlib.suppress(Exception):
                    w.process.terminate()
        for w in workers:
            try:
                w.process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                w.process.kill()
                w.process.wait()
            w.release()

    # --- workers ---
    def _start_worker(self) -> _WorkerProcess:
        if self.start_method == "fork" and hasattr(os, "fork"):
            return self._fork_worker()
        ours, theirs = socket.socketpair()  # neither end is inherited by other processes
        try:
            fd = theirs.fileno()
            process = subprocess.Popen(
                [sys.executable, "-c", _BOOT.format(path=_PACKAGE_PARENT, fd=fd)],
                pass_fds=(fd,), stdin=subprocess.DEVNULL)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()  # so that the worker's death reads as end-of-file here
        worker = _WorkerProcess(process, Connection(ours.detach()))
        self._workers.append(worker)
        # the first message sets sys.path, so that the second can name the user's classes
        worker.conn.send((tuple(p for p in sys.path if isinstance(p, str)), os.getcwd()))
        worker.conn.send_bytes(self._init)
        return worker

    def _fork_worker(self) -> _WorkerProcess:
        """A worker forked from this process: the job's code is imported already, so it is
        ready in milliseconds. It opens its own instance connection (never the parent's) and
        leaves with os._exit, running no finalizer of the parent's objects."""
        ours, theirs = socket.socketpair()
        for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
            with contextlib.suppress(Exception):
                stream.flush()
        launcher = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                ours.close()
                for other in self._workers:  # other workers' launcher ends are not ours
                    with contextlib.suppress(Exception):
                        other.conn.close()
                from headwater.execution.executors.worker import main as worker_main

                worker_main(theirs.detach(), launcher)
                code = 0
            finally:
                os._exit(code)
        theirs.close()
        worker = _WorkerProcess(_ForkedProcess(pid), Connection(ours.detach()))
        self._workers.append(worker)
        worker.conn.send((tuple(p for p in sys.path if isinstance(p, str)), os.getcwd()))
        worker.conn.send_bytes(self._init)
        return worker

    def _drop(self, worker: _WorkerProcess) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        if worker.alive():
            worker.process.kill()
        worker.process.wait()
        worker.release()

    def _collect(self, rc: Any, w: _WorkerProcess) -> StepOutcome:
        step, attempt = w.step, w.attempt
        w.step = None
        try:
            if not w.conn.poll():
                raise EOFError
            reply = w.conn.recv()
        except (EOFError, OSError):
            return self._crashed(rc, w, step, attempt)
        except Exception as e:  # noqa: BLE001 - a reply that cannot be read: the step failed
            return self._failed(rc, step, attempt, WorkerCrashedError(
                f"The result of step {step.key!r} from worker process (pid {w.pid}) could not be "
                f"read: {type(e).__name__}: {e}"), error_info_from_exc(e), False)
        if reply[0] == "error":
            _, message, info, raw, user_code = reply
            error = _rebuild(raw, "WorkerError", message)
            return self._failed(rc, step, attempt, error, info, user_code, message)
        _, kind, delay, events, produced, mapping_keys, outputs, failure = reply
        rc.events.extend(events)
        rc.produced.update(produced)
        for key, keys in mapping_keys.items():
            rc.mapping_keys.setdefault(key, []).extend(keys)
        rc.outputs.add(rc.plan.steps[step.index], outputs)
        if failure is not None:
            cls_name, message, raw, user_code = failure
            rc.record_failure(step, _rebuild(raw, cls_name, message), user_code)
        return StepOutcome(step, attempt, kind, delay)

    def _crashed(self, rc: Any, w: _WorkerProcess, step: Any, attempt: int) -> StepOutcome:
        pid = w.pid
        try:
            code: int | None = w.process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:  # its socket closed, yet it lives on: end it
            code = None
        self._drop(w)
        if code is not None and code < 0:
            try:
                how = f"was killed by signal {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        op_name = getattr(step.op, "name", step.key)
        if self._terminating:
            how = "was stopped because the run was canceled"
        error = WorkerCrashedError(
            f"The worker process (pid {pid}) running step {step.key!r} (op {op_name!r}) {how} "
            "before the step finished. Events the step recorded until then are in the run's "
            "event log; its stdout/stderr up to then are in its compute logs.")
        return self._failed(rc, step, attempt, error, error_info_from_exc(error), False)

    def _failed(self, rc: Any, step: Any, attempt: int, error: BaseException,
                info: SerializableErrorInfo, user_code: bool,
                message: str | None = None) -> StepOutcome:
        """A failure the worker could not record itself: recorded here, for that step."""
        rc.emit(EventType.STEP_FAILURE, step, f'Execution of step "{step.key}" failed: '
                f"{message or f'{type(error).__name__}: {error}'}",
                StepFailureData(info, None, "USER_CODE_ERROR" if user_code else "FRAMEWORK_ERROR"))
        rc.record_failure(step, error, user_code)
        rc.flush()
        return StepOutcome(step, attempt, "failure")


def _check_picklable(job: JobPointer, run_config: Any, op_selection: Any,
                     asset_selection: Any) -> None:
    """What every worker is sent must survive the trip: checked before the run is recorded."""
    parts: list[tuple[str, Any]] = [("the job's pointer", job), ("op_selection", op_selection),
                                    ("asset_selection", asset_selection)]
    config = dict(run_config or {})
    for name, entry in dict(config.pop("ops", None) or {}).items():
        parts.append((f"the run config of op {name!r} (ops.{name})", entry))
    for key, value in config.items():
        parts.append((f"run config {key!r}", value))
    for what, value in parts:
        try:
            pickle.dumps(value)
        except Exception as e:  # noqa: BLE001 - say which part, and what to do
            raise InvalidDefinitionError(
                f"Job {job.describe()}: {what} cannot be sent to a worker process "
                f"({type(e).__name__}: {e}). Use plain values (numbers, strings, dicts, Config "
                "classes defined at module level), or the in_process_executor.") from None


def _rebuild(raw: bytes | None, cls_name: str, message: str) -> BaseException:
    """The step's own exception if it survives the trip, else one that keeps its text."""
    if raw is not None:
        try:
            error = pickle.loads(raw)
            if isinstance(error, BaseException):
                return error
        except Exception:  # noqa: BLE001 - e.g. an exception class that needs init arguments
            pass
    return StepWorkerError(f"{cls_name}: {message}")
