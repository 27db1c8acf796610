"""The run loop: one plan, one set of resources, steps in plan order, events at step boundaries.

Every way of launching (``materialize``, ``job.execute_in_process``, ``execute_job``, the CLI,
re-execution, backfills) builds a request for ``launch.py``, whose ``launch`` comes here. The
loop decides *what* runs next (plan order, skips, mapped-step expansion, retries, run events);
an executor (``executors/``) decides only *where* a ready step runs.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.asset_spec import DEFAULT_IO_MANAGER_KEY
from headwater.definitions.errors import (
    InvalidConfigError,
    InvalidDefinitionError,
    ResourceFunctionError,
    StorageError,
)
from headwater.definitions.retries import retry_wait
from headwater.definitions.run_config import normalize_run_config
from headwater.events.errors import error_info_from_exc
from headwater.events.records import (
    AssetPlannedData,
    Event,
    EventLogEntry,
    EventType,
    HookErroredData,
    StepFailureData,
)
from headwater.execution.compute_logs import ComputeLogManager
from headwater.execution.config import resolve_op_configs
from headwater.execution.executors.base import Executor, InProcessExecutor, StepOutcome
from headwater.execution.logs import LogManager, forward_to_loggers, start_run_loggers
from headwater.execution.partitions import (
    PartitionScope,
    requested_partitions,
    resolve_run_partitions,
    run_partition_tags,
    shared_partitions_def,
)
from headwater.execution.pickle_io import PickleFilesIOManager
from headwater.execution.plan import ExecutionPlan, Step
from headwater.execution.resources import check_resource_config, init_resources, run_masker
from headwater.execution.result import ExecuteInProcessResult
from headwater.execution.run_control import adopt_run
from headwater.execution.step import (
    attempt_step,
    record_step_failure,
    record_step_retry,
)
from headwater.execution.step_scheduler import StepScheduler

if TYPE_CHECKING:
    from headwater.execution.secrets import SecretMasker

FLUSH_INTERVAL_S = 0.1
EPHEMERAL_JOB_NAME = "__ephemeral_asset_job__"


# Logged at ERROR as Dagster logs them (the rest of the engine's events at DEBUG).
ERROR_LEVEL_EVENTS = frozenset({EventType.STEP_FAILURE, EventType.RUN_FAILURE,
                                EventType.RESOURCE_INIT_FAILURE})

class RunContext:
    """Run-wide state shared by the steps: resources, configs, the event buffer."""

    def __init__(self, *, plan: ExecutionPlan, instance: Any, run: Any, job_name: str,
                 op_configs: dict[str, Any], tags: Mapping[str, str],
                 partitions: PartitionScope | None = None, masker: SecretMasker | None = None):
        self.plan = plan
        # the run's secrets (None: its resources read no environment variable); every event,
        # log line and captured write goes through it (secrets.py)
        self.masker = masker
        self.instance = instance
        self.run = run
        self.run_id = run.run_id
        self.job_name = job_name
        self.op_configs = op_configs
        self.tags = dict(tags)
        self.partitions = partitions
        self.partition_key = partitions.single_key if partitions is not None else None
        self._asset_scopes: dict[AssetKey, PartitionScope | None] = {}
        self.resources: Any = None
        self.base_dir = instance.storage_directory()
        self.events: list[Event] = []
        self.pending: list[EventLogEntry] = []
        self.outputs: dict[tuple[str, str], Any] = {}
        self.produced: set[Any] = set()  # asset keys (and op (step, output)s) produced so far
        self.mapping_keys: dict[tuple[str, str], list[str]] = {}
        self.failures: list[tuple[Step, BaseException, bool]] = []
        self.compute_logs = ComputeLogManager.for_instance(instance)
        self.resource_setup: tuple[Any, ...] | None = None  # (defs, needed keys, config, stack)
        self._last_flush = time.monotonic()
        self.start_stored = False  # the run's start was written when a stored run was taken
        # the custom loggers the run config names (logs.start_run_loggers); usually none
        self.user_loggers: list[logging.Logger] = []

    def asset_scope(self, key: AssetKey | None) -> PartitionScope | None:
        """The partitions this run materializes of asset ``key`` (None: unpartitioned)."""
        if self.partitions is None or key is None:
            return None
        try:
            return self._asset_scopes[key]
        except KeyError:
            pdef = self.plan.graph.partitions_def_for(key)
            scope = self._asset_scopes[key] = self.partitions if pdef is not None else None
            return scope

    def init_resources(self) -> None:
        """Set up the run's resources in this process (once; torn down with the run's stack)."""
        assert self.resource_setup is not None
        defs, needed, cfg, stack = self.resource_setup
        self.resources = init_resources(defs, needed, stack, instance=self.instance, run=self.run,
                                        run_config=cfg)

    def run_attempt(self, step: Step, attempt: int) -> StepOutcome:
        """One attempt of a step, here: what every executor calls, in whichever process."""
        return run_step_attempt(self, step, attempt)

    # --- events ---
    def emit(self, event_type: EventType, step: Step | None, message: str | None,
             data: Any = None) -> None:
        step_key = step.key if step is not None else None
        masker = self.masker
        if masker is not None:
            message = masker.text(message) if message else message
            data = masker.data(data)
        ev = Event(event_type, self.job_name, step_key, step_key, message, data)
        self.events.append(ev)
        level = logging.ERROR if event_type in ERROR_LEVEL_EVENTS else logging.DEBUG
        self.pending.append(EventLogEntry(self.run_id, time.time(), level, message or "",
                                          step_key, self.job_name, ev))
        if self.user_loggers:
            self._forward(level, step_key, f"{event_type.value} - {message or ''}", message or "",
                          event_type.value)

    def record_only(self, event_type: EventType, data: Any, message: str) -> None:
        """An event for the log only, not the result (Dagster's 'planned' events)."""
        if self.masker is not None:
            message, data = self.masker.text(message), self.masker.data(data)
        ev = Event(event_type, self.job_name, None, None, message, data)
        self.pending.append(EventLogEntry(self.run_id, time.time(), logging.DEBUG, message, None,
                                          self.job_name, ev))

    def step_log(self, step: Step) -> LogManager:
        """``context.log`` of a step (and its hooks): its lines become this run's events."""
        return LogManager(lambda level, msg: self.emit_log(step, level, msg), f"{step.key} - ",
                          self.masker.text if self.masker is not None else None)

    def emit_log(self, step: Step, level: int, message: str) -> None:
        """A user log line (already masked by the step's ``LogManager``)."""
        self.pending.append(EventLogEntry(self.run_id, time.time(), level, message, step.key,
                                          self.job_name, None))
        if self.user_loggers:
            self._forward(level, step.key, message, message, None)
        if time.monotonic() - self._last_flush > FLUSH_INTERVAL_S:
            self.flush()  # a long step streams its logs

    def _forward(self, level: int, step_key: str | None, line: str, original: str,
                 event_type: str | None) -> None:
        """One run line to the custom loggers, as Dagster words it: job - run - step - line."""
        where = f"{step_key} - " if step_key else ""
        meta = {"run_id": self.run_id, "job_name": self.job_name, "step_key": step_key,
                "op_name": step_key.split("[")[0] if step_key else None,
                "orig_message": original, "event_type": event_type}
        forward_to_loggers(self.user_loggers, level,
                           f"{self.job_name} - {self.run_id} - {where}{line}", meta)

    def flush(self) -> None:
        if self.pending:
            batch, self.pending = self.pending, []
            self.instance.store_events(batch)
        self._last_flush = time.monotonic()

    # --- values ---
    def capture(self, step_key: str, output_name: str, value: Any, key: Any = None) -> None:
        self.outputs[(step_key, output_name)] = value
        if key is not None:
            self.produced.add(key)

    def record_failure(self, step: Step, error: BaseException, user_code: bool) -> None:
        self.failures.append((step, error, user_code))

    def op_produced(self, step: Step, output: str, mapping_key: str | None, value: Any) -> None:
        """An op output was stored (for a dynamic output: one mapping key of it)."""
        self.produced.add((step.key, output))
        if mapping_key is not None:
            self.mapping_keys.setdefault((step.key, output), []).append(mapping_key)
            self.outputs.setdefault((step.key, output), {})[mapping_key] = value
        else:
            self.outputs[(step.key, output)] = value


def run_step_attempt(rc: RunContext, step: Step, attempt: int) -> StepOutcome:
    """Run one attempt of a step, its stdout/stderr captured; then its hooks, or a retry.

    A failed attempt is retried as the step's RetryPolicy (or a RetryRequested) allows: the
    outcome is then "retry" with the delay to wait, and the run loop submits the next attempt.
    """
    with rc.compute_logs.capture(rc.run_id, step.key,
                                 rc.masker.text if rc.masker is not None else None):
        failed = attempt_step(rc, step, attempt)
        if failed is None:
            run_hooks(rc, step, "success", None)
            return StepOutcome(step, attempt, "success")
        wait = retry_wait(failed.error, step.retry_policy, attempt)
        if wait is None:
            record_step_failure(rc, step, failed, final=True)
            run_hooks(rc, step, "failure", failed.error)
            return StepOutcome(step, attempt, "failure")
        record_step_retry(rc, step, failed, wait)
        rc.flush()
        return StepOutcome(step, attempt, "retry", wait)


def run_hooks(rc: RunContext, step: Step, outcome: str, error: BaseException | None) -> None:
    for hook in sorted(step.hooks, key=lambda h: h.name):
        if hook.on != outcome:
            continue
        ctx = HookContext(step, rc, error)
        try:
            hook.hook_fn(ctx) if _arity(hook.hook_fn) == 1 else hook.hook_fn(ctx, None)
            rc.emit(EventType.HOOK_COMPLETED, step,
                    f'Finished the execution of hook "{hook.name}" triggered for "{step.key}".')
        except Exception as e:  # a hook's failure is reported, and does not fail the step
            rc.emit(EventType.HOOK_ERRORED, step,
                    f'Error in hook "{hook.name}" triggered for "{step.key}": '
                    f"{type(e).__name__}: {e}", HookErroredData(error_info_from_exc(e)))
    rc.flush()


def _arity(fn: Any) -> int:
    code = getattr(fn, "__code__", None)
    return code.co_argcount if code else 1


class HookContext:
    """What a hook receives: the step, its op, resources, log, and the error on failure."""

    def __init__(self, step: Step, rc: RunContext, error: BaseException | None):
        self.step_key = step.key
        self.op = step.op
        self.op_def = step.op
        self.job_name = rc.job_name
        self.run_id = rc.run_id
        self.resources = rc.resources
        self.instance = rc.instance
        self.op_exception = error
        self.log = rc.step_log(step)
        self.op_output_values = {name: v for (key, name), v in rc.outputs.items() if key == step.key}


def _step_resource_keys(plan: ExecutionPlan, step: Step) -> set[str]:
    """The resources one step uses: its op's, its outputs' and inputs' IO managers, its hooks'."""
    keys = set(step.op.required_resource_keys)
    if step.is_op:
        keys |= {o.io_manager_key or DEFAULT_IO_MANAGER_KEY for o in step.op.outs.values()}
    elif not step.is_check:
        keys |= {step.definition.io_manager_key_for(k) for k in step.asset_outputs.values()}
    for inp in step.inputs:
        keys.add(plan.graph.definition_for(inp.asset_key).io_manager_key_for(inp.asset_key))
    for oi in step.op_inputs:
        if oi.kind == "asset":  # an asset given as an op input: read with its IO manager
            in_def = step.op.ins.get(oi.param)
            keys.add((in_def.input_manager_key if in_def else None) or oi.value.io_manager_key)
    for hook in step.hooks:
        keys |= hook.required_resource_keys
    return keys


def required_resource_keys(plan: ExecutionPlan) -> set[str]:
    keys: set[str] = set()
    for step in plan.steps:
        keys |= _step_resource_keys(plan, step)
    return keys


def _check_resources_provided(plan: ExecutionPlan, needed: set[str],
                              resource_defs: Mapping[str, Any], given: Mapping[str, Any]) -> None:
    missing = sorted(needed - set(resource_defs))
    if not missing:
        return
    users = [f"{step.key!r} needs {key!r}" for step in plan.steps
             for key in sorted(_step_resource_keys(plan, step) & set(missing))]
    raise InvalidDefinitionError(
        f"Resource(s) {missing} were not provided ({'; '.join(users)}). Provided resources: "
        f"{sorted(given)}. Pass them in resources={{...}} (or Definitions(resources=...)).")


def run_resource_defs(plan: ExecutionPlan, resources: Mapping[str, Any],
                      instance: Any) -> dict[str, Any]:
    """The run's resource definitions: given ones, the assets' own, the default IO manager."""
    resource_defs = dict(resources)
    for step in plan.steps:
        for k, v in step.definition.resource_defs.items():
            resource_defs.setdefault(k, v)
    resource_defs.setdefault(DEFAULT_IO_MANAGER_KEY,
                             PickleFilesIOManager(instance.storage_directory()))
    return resource_defs


def run_partitions(plan: ExecutionPlan, job_def: Any, partition_key: str | None,
                    tags: Mapping[str, str] | None, instance: Any,
                    job_name: str) -> PartitionScope | None:
    """The run's partitions, validated before anything is recorded (None: unpartitioned)."""
    key, key_range = requested_partitions(partition_key, tags)
    if key is None and key_range is None:
        return None
    job_pdef = getattr(job_def, "partitions_def", None)
    graph = plan.graph
    pdef = (shared_partitions_def(graph, plan.asset_keys, job_pdef) if graph is not None
            else job_pdef)
    what = "this selection of assets" if job_name == EPHEMERAL_JOB_NAME else f"job {job_name!r}"
    return resolve_run_partitions(pdef, key, key_range, instance, what)


def execute_plan(plan: ExecutionPlan, *, instance: Any, resources: Mapping[str, Any],
                 run_config: Any = None, tags: Mapping[str, str] | None = None,
                 job_name: str = EPHEMERAL_JOB_NAME, raise_on_error: bool = True,
                 partition_key: str | None = None, run_id: str | None = None,
                 job_def: Any = None, executor: Executor | None = None,
                 result_cls: type[ExecuteInProcessResult] = ExecuteInProcessResult,
                 parent_run: Any = None, stored_run: Any = None) -> ExecuteInProcessResult:
    """Run ``plan`` and record it: as a new run, or as ``stored_run`` (a QUEUED/NOT_STARTED/
    STARTING row created earlier, e.g. by the queue), which then moves on under its own id."""
    executor = executor if executor is not None else InProcessExecutor()
    resource_defs = run_resource_defs(plan, resources, instance)
    needed = required_resource_keys(plan)
    _check_resources_provided(plan, needed, resource_defs, resources)
    try:
        op_configs, cfg = resolve_op_configs(plan, run_config)
        config_errors: list[str] = []
    except InvalidConfigError as e:
        op_configs, cfg, config_errors = {}, normalize_run_config(run_config), list(e.errors)
    config_errors += check_resource_config(resource_defs, needed, cfg)
    if cfg.get("loggers"):
        from headwater.definitions.loggers import default_loggers, logger_config_problems

        config_errors += logger_config_problems(
            getattr(job_def, "loggers", None) or default_loggers(), cfg.get("loggers"))
    if config_errors:  # nothing has run and no run is recorded: fix the config and retry
        raise InvalidConfigError(
            f"Run config has {len(config_errors)} error(s) (fix each path listed):", config_errors)
    asset_keys = frozenset(plan.asset_keys)
    partitions = run_partitions(plan, job_def, partition_key, tags, instance, job_name)
    if partitions is not None:
        tags = {**(tags or {}), **run_partition_tags(
            partitions.single_key, None if partitions.single_key else partitions.key_range())}
    lineage: dict[str, Any] = {}
    if parent_run is not None:  # a re-execution links to the run it re-executes
        root = parent_run.root_run_id or parent_run.run_id
        lineage = {"parent_run_id": parent_run.run_id, "root_run_id": root}
        tags = {**(tags or {}), "dagster/parent_run_id": parent_run.run_id,
                "dagster/root_run_id": root}
    if stored_run is None:
        run = instance.create_run(
            job_name=job_name, run_id=run_id or str(uuid.uuid4()), run_config=cfg,
            tags=dict(tags or {}), asset_selection=asset_keys,
            step_keys_to_execute=[s.key for s in plan.steps] if lineage else None, **lineage)
        # the run's process: recorded (with a heartbeat) so that its death can be told
        registration = instance.register_run_process(run.run_id)
    else:
        registration = instance.register_run_process(stored_run.run_id)
        try:
            run = adopt_run(instance, stored_run, tags or {}, job_name)
        except BaseException:
            registration.close()
            raise
    try:
        rc = RunContext(plan=plan, instance=instance, run=run, job_name=job_name,
                        op_configs=op_configs, tags=tags or {}, partitions=partitions,
                        masker=run_masker(resource_defs, needed, cfg))
        rc.start_stored = stored_run is not None
        return _execute_run(rc, executor, raise_on_error, (resource_defs, needed, cfg), job_def,
                            result_cls)
    finally:
        registration.close()


def _execute_run(rc: RunContext, executor: Executor, raise_on_error: bool,
                 setup: tuple[dict[str, Any], set[str], Any], job_def: Any,
                 result_cls: type[ExecuteInProcessResult]) -> ExecuteInProcessResult:
    """Record the run's plans and start, run its steps, record how it ended."""
    plan, instance, run, job_name = rc.plan, rc.instance, rc.run, rc.job_name
    stop_error: BaseException | None = None
    loggers_config = setup[2].get("loggers") if setup[2] else None
    if loggers_config:
        try:
            rc.user_loggers = start_run_loggers(job_def, loggers_config, rc.run_id)
        except Exception as e:  # noqa: BLE001 - the run fails before any step, recorded below
            stop_error = e
    for step in plan.steps:
        for key in step.asset_outputs.values():
            scope = rc.asset_scope(key)
            for partition in (scope.keys if scope is not None else (None,)):
                rc.record_only(EventType.ASSET_MATERIALIZATION_PLANNED,
                               AssetPlannedData(key, partition),
                               f"{job_name} intends to materialize asset {key.to_user_string()}"
                               + (f" partition {partition}" if partition is not None else ""))
        for spec in step.check_outputs.values():
            rc.record_only(EventType.ASSET_CHECK_EVALUATION_PLANNED,
                           AssetPlannedData(spec.asset_key, None, spec.name),
                           f"{job_name} intends to execute asset check {spec.name} on "
                           f"asset {spec.asset_key.to_user_string()}")
    started = f'Started execution of run for "{job_name}".'
    if rc.start_stored:  # written when the stored run was taken (adopt_run)
        rc.events.append(Event(EventType.RUN_START, job_name, None, None, started, None))
    else:
        rc.emit(EventType.RUN_START, None, started)
    with contextlib.ExitStack() as stack:
        rc.resource_setup = (*setup, stack)
        stack.callback(executor.close)
        if stop_error is None:
            try:
                executor.start(rc)
            except Exception as e:  # noqa: BLE001 - recorded and re-raised below
                stop_error = e
        scheduler = StepScheduler(rc, executor, raise_on_error)
        if stop_error is None:
            try:
                scheduler.run()
            except BaseException as e:  # interrupted (Ctrl-C) or a bug: the run is not left open
                why = (f"stopped: {e}" if isinstance(e, StorageError)
                       else f"was interrupted: {type(e).__name__}: {e}")
                rc.emit(EventType.RUN_FAILURE, None, f'Execution of run for "{job_name}" {why}',
                        StepFailureData(error_info_from_exc(e), None, "FRAMEWORK_ERROR"))
                with contextlib.suppress(Exception):
                    rc.flush()
                raise
    if stop_error is not None:
        info = error_info_from_exc(stop_error)
        if isinstance(stop_error, ResourceFunctionError):
            rc.emit(EventType.RESOURCE_INIT_FAILURE, None, str(stop_error),
                    StepFailureData(info, None, "FRAMEWORK_ERROR"))
        rc.emit(EventType.RUN_FAILURE, None, f"Run failed before any step ran: {stop_error}",
                StepFailureData(info, None, "FRAMEWORK_ERROR"))
        rc.flush()
        if raise_on_error or not isinstance(stop_error, ResourceFunctionError):
            raise stop_error
        return result_cls(instance.get_run_by_id(run.run_id) or run, rc.events, rc.outputs,
                          plan, job_def)
    if scheduler.cancel.requested:
        if scheduler.cancel.status == "CANCELING":
            not_run = "" if not scheduler.unfinished else (
                f" Steps not run: [{', '.join(scheduler.unfinished)}].")
            rc.emit(EventType.RUN_CANCELED, None,
                    f'Execution of run for "{job_name}" was canceled.{not_run}')
        rc.flush()  # else it was ended from outside (marked failed): its end is recorded
        refresh = instance.get_run_by_id(run.run_id) or run
        return result_cls(refresh, rc.events, rc.outputs, plan, job_def)
    if rc.failures:
        names = ", ".join(s.key for s, _, _ in rc.failures)
        rc.emit(EventType.RUN_FAILURE, None, f'Execution of run for "{job_name}" failed. '
                f"Steps failed: [{names}].")
    else:
        rc.emit(EventType.RUN_SUCCESS, None, f'Finished execution of run for "{job_name}".')
    rc.flush()
    refresh = instance.get_run_by_id(run.run_id) or run
    result = result_cls(refresh, rc.events, rc.outputs, plan, job_def)
    if rc.failures and raise_on_error:
        raise rc.failures[0][1]
    return result
