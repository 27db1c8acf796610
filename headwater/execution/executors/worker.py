"""A worker process of the multiprocess executor: load the job once, then run steps as asked.

Life of a worker (one per slot of a run, started when a step first needs it):

1. start (``python -c``, see ``multiprocess.py``): receives the launcher's ``sys.path`` and
   working directory, then a ``WorkerInit`` (the job's pointer, the instance's address, the
   run's config and selection);
2. first step: imports the user's code, rebuilds the job and the run's plan (the same inputs
   give the same plan), opens its own connection to the instance, sets up the resources;
3. each ``("step", template key, step key, mapping key, attempt, mapping keys)`` message: runs
   the attempt through the same code as in-process (``RunContext.run_attempt``), stores the
   step's events itself (at step start, and at the step boundary), and replies
   ``("done", kind, delay, events, produced, mapping keys, outputs, failure)``;
4. ``("stop",)`` (or the launcher gone): tears the resources down and exits.

Values never travel in messages: outputs go through the IO manager, as between runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import signal
import sys
from dataclasses import dataclass
from typing import Any

from headwater.definitions.job_pointers import JobPointer
from headwater.events.errors import SerializableErrorInfo, error_info_from_exc
from headwater.events.records import EventType
from headwater.execution.compute_logs import ComputeLogManager
from headwater.execution.outputs import NO_VALUE
from headwater.execution.run import RunContext, run_partitions


@dataclass(frozen=True)
class WorkerInit:
    """What every worker of a run receives once, when it starts."""

    job: JobPointer
    instance_ref: tuple[str, ...]
    compute_log_dir: str
    run_id: str
    job_name: str
    run_config: Any
    op_selection: Any
    asset_selection: Any
    tags: dict[str, str]


def instance_ref(instance: Any) -> tuple[str, ...] | None:
    """How another process opens this instance; None for an in-memory one."""
    db = instance.database
    if instance.is_ephemeral or getattr(db, "is_memory", False):
        return None
    from headwater.storage.instance import DB_RELATIVE_PATH

    root = instance.root_directory
    if db.path is not None and db.path == os.path.join(root, DB_RELATIVE_PATH):
        return ("local", root)
    return ("url", db.url, instance.storage_directory())


def open_instance(ref: tuple[str, ...]) -> Any:
    from headwater.storage import Instance

    if ref[0] == "local":  # the parent has validated the configuration file
        return Instance.local(ref[1], defer_config=True)
    return Instance.from_url(ref[1], storage_directory=ref[2])


class WorkerRunContext(RunContext):
    """A run's context inside a worker: step starts are stored at once (a crash keeps them);
    the outputs a step stored are noted (``new_outputs``) for the reply."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.new_outputs: list[tuple[Any, ...]] = []

    def emit(self, event_type: EventType, step: Any, message: str | None,
             data: Any = None) -> None:
        super().emit(event_type, step, message, data)
        if event_type is EventType.STEP_START or event_type is EventType.STEP_RESTARTED:
            self.flush()

    def capture(self, step_key: str, output_name: str, value: Any, key: Any = None) -> None:
        super().capture(step_key, output_name, value, key)
        self.new_outputs.append((step_key, output_name, None, key, _is_none(value)))

    def op_produced(self, step: Any, output: str, mapping_key: str | None, value: Any) -> None:
        super().op_produced(step, output, mapping_key, value)
        self.new_outputs.append((step.key, output, mapping_key, None, _is_none(value)))


def _is_none(value: Any) -> bool:
    return value is None or value is NO_VALUE


class _Worker:
    def __init__(self, init: WorkerInit | None):
        self.init = init
        self.rc: WorkerRunContext | None = None
        self.templates: dict[str, Any] = {}
        self.stack = contextlib.ExitStack()
        self.instance: Any = None
        self.setup_error: tuple[str, SerializableErrorInfo, bytes | None, bool] | None = None

    def _setup(self) -> None:
        """Import the user's code, rebuild job and plan, open the instance, make resources."""
        from headwater.definitions.errors import ResourceFunctionError
        from headwater.execution.api import build_job_plan
        from headwater.execution.config import resolve_op_configs
        from headwater.execution.resources import run_masker
        from headwater.execution.run import required_resource_keys, run_resource_defs

        init = self.init
        assert init is not None
        stage = f"load job {init.job.describe()}"
        masker = None
        try:
            job = init.job.get_definition()
            stage = "build the run's plan"
            plan = build_job_plan(job, run_config=init.run_config,
                                  op_selection=init.op_selection,
                                  asset_selection=init.asset_selection)
            stage = "open the instance"
            self.instance = open_instance(init.instance_ref)
            self.stack.callback(self.instance.dispose)
            run = self.instance.get_run_by_id(init.run_id)
            op_configs, cfg = resolve_op_configs(plan, init.run_config)
            resource_defs = run_resource_defs(plan, job.resource_defs, self.instance)
            needed = required_resource_keys(plan)
            # this worker resolves the resources itself: it masks what they read, as the
            # launcher does (same definitions, same environment)
            masker = run_masker(resource_defs, needed, cfg)
            rc = WorkerRunContext(plan=plan, instance=self.instance, run=run,
                                  job_name=init.job_name, op_configs=op_configs, tags=init.tags,
                                  partitions=run_partitions(plan, job, None, init.tags,
                                                            self.instance, init.job_name),
                                  masker=masker)
            rc.compute_logs = ComputeLogManager(init.compute_log_dir)
            if cfg.get("loggers"):  # the run's custom loggers, made again in this process
                from headwater.execution.logs import start_run_loggers

                stage = "set up the run's loggers"
                rc.user_loggers = start_run_loggers(job, cfg["loggers"], init.run_id)
            rc.resource_setup = (resource_defs, needed, cfg, self.stack)
            self.templates = {s.key: s for s in plan.steps}
            stage = "set up the run's resources"
            rc.init_resources()
            self.rc = rc
        except BaseException as e:  # reported for every step this worker is asked to run
            user = isinstance(e, ResourceFunctionError) or stage.startswith("load")
            message = (f"worker process (pid {os.getpid()}) could not {stage}: "
                       f"{type(e).__name__}: {e}")
            info = error_info_from_exc(e)
            if masker is not None:  # (the launcher masks them too; nothing leaves unmasked)
                message, info = masker.text(message), masker.data(info)
            self.setup_error = (message, info, _pickled(e), user)

    def run_step(self, template_key: str, step_key: str, mapping_key: str | None,
                 attempt: int, mapping_keys: dict[Any, list[str]]) -> tuple[Any, ...]:
        if self.rc is None and self.setup_error is None:
            self._setup()
        if self.setup_error is not None:
            return ("error", *self.setup_error)
        rc = self.rc
        assert rc is not None
        template = self.templates[template_key]
        step = template if step_key == template.key else dataclasses.replace(
            template, key=step_key, mapping_key=mapping_key)
        rc.mapping_keys.update(mapping_keys)
        before = {k: len(v) for k, v in rc.mapping_keys.items()}
        rc.events, rc.produced, rc.new_outputs = [], set(), []
        outcome = rc.run_attempt(step, attempt)
        new_keys = {k: v[before.get(k, 0):] for k, v in rc.mapping_keys.items()
                    if len(v) > before.get(k, 0)}
        failure = None
        if outcome.kind == "failure" and rc.failures:
            _, error, user_code = rc.failures.pop()
            failure = (type(error).__name__, str(error), _pickled(error), user_code)
        reply = ("done", outcome.kind, outcome.delay, rc.events, rc.produced, new_keys,
                 rc.new_outputs, failure)
        rc.outputs.clear()  # values live in the IO manager; a worker keeps none
        return reply

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stack.close()


def _pickled(error: BaseException) -> bytes | None:
    try:
        return pickle.dumps(error)
    except Exception:  # noqa: BLE001 - the launcher rebuilds it from its name and message
        return None


def _prepare(sys_path: tuple[str, ...], cwd: str) -> None:
    with contextlib.suppress(ValueError, OSError):  # Ctrl-C is for the launcher to handle
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.path[:] = [*sys_path, *(p for p in sys.path if p not in sys_path)]
    with contextlib.suppress(OSError):
        if os.getcwd() != cwd:
            os.chdir(cwd)


def main(fd: int, launcher_pid: int | None = None) -> None:
    """A worker's life: set up from the first two messages, then one reply per message."""
    from multiprocessing.connection import Connection

    if not _end_with_launcher(launcher_pid or os.getppid()):
        return
    conn = Connection(fd)
    try:
        sys_path, cwd = conn.recv()
        _prepare(sys_path, cwd)
        raw = conn.recv_bytes()
    except (EOFError, OSError):  # the launcher is gone already
        return
    worker = _Worker(None)
    try:
        worker.init = pickle.loads(raw)
    except Exception as e:  # noqa: BLE001 - reported for every step this worker is sent
        worker.setup_error = (f"worker process (pid {os.getpid()}) could not read the run's "
                              f"setup: {type(e).__name__}: {e}", error_info_from_exc(e), None,
                              False)
    serve(conn, worker)
    os._exit(0)  # everything is closed and flushed: skip the interpreter's slow teardown


def _end_with_launcher(launcher_pid: int) -> bool:
    """Ask Linux to send this worker SIGTERM when its launcher dies (a run worker killed with
    SIGKILL must not leave a step running on as an orphan); False if the launcher is gone
    already. Elsewhere a worker notices only between steps (end-of-file on its socket)."""
    if not sys.platform.startswith("linux"):
        return True
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return True
    return os.getppid() == launcher_pid


def serve(conn: Any, worker: _Worker) -> None:
    """The worker's loop: one message in, one reply out, until told to stop."""
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):  # the launcher is gone
                return
            if message[0] == "stop":
                return
            try:
                reply = worker.run_step(*message[1:])
            except BaseException as e:  # a bug here must not leave the launcher waiting
                reply = ("error", f"worker process (pid {os.getpid()}) failed running step "
                         f"{message[2]!r}: {type(e).__name__}: {e}", error_info_from_exc(e),
                         _pickled(e), False)
            try:
                conn.send(reply)
            except (EOFError, OSError):
                return
            except Exception as e:  # noqa: BLE001 - e.g. an event that cannot be pickled
                conn.send(("error", f"worker process (pid {os.getpid()}) could not send the "
                           f"result of step {message[2]!r}: {type(e).__name__}: {e}",
                           error_info_from_exc(e), None, False))
    finally:
        worker.close()
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
