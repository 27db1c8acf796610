"""The run loop: one plan, one set of resources, steps in order, events at step boundaries.

Every way of launching (``materialize``, ``job.execute_in_process``, the CLI) comes here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from headwater.definitions.errors import (
    Failure,
    HeadwaterError,
    InvalidConfigError,
    InvalidDefinitionError,
    ResourceFunctionError,
    RetryRequested,
)
from headwater.definitions.run_config import normalize_run_config
from headwater.events.errors import error_info_from_exc
from headwater.events.records import (
    AssetPlannedData,
    Event,
    EventLogEntry,
    EventType,
    StepFailureData,
)
from headwater.execution.config import resolve_op_configs
from headwater.execution.pickle_io import PickleFilesIOManager
from headwater.execution.plan import ExecutionPlan, Step
from headwater.execution.resources import check_resource_config, init_resources
from headwater.execution.result import ExecuteInProcessResult
from headwater.execution.step import execute_step

FLUSH_INTERVAL_S = 0.1
EPHEMERAL_JOB_NAME = "__ephemeral_asset_job__"


class RunContext:
    """Run-wide state shared by the steps: resources, configs, the event buffer."""

    def __init__(self, *, plan: ExecutionPlan, instance: Any, run: Any, job_name: str,
                 op_configs: dict[str, Any], tags: Mapping[str, str], partition_key: str | None):
        self.plan = plan
        self.instance = instance
        self.run = run
        self.run_id = run.run_id
        self.job_name = job_name
        self.op_configs = op_configs
        self.tags = dict(tags)
        self.partition_key = partition_key
        self.resources: Any = None
        self.base_dir = instance.storage_directory()
        self.events: list[Event] = []
        self.pending: list[EventLogEntry] = []
        self.outputs: dict[tuple[str, str], Any] = {}
        self.produced: set[Any] = set()  # asset keys (and op (step, output)s) produced so far
        self.mapping_keys: dict[tuple[str, str], list[str]] = {}
        self.failures: list[tuple[Step, BaseException, bool]] = []
        self._last_flush = time.monotonic()

    # --- events ---
    def emit(self, event_type: EventType, step: Step | None, message: str | None,
             data: Any = None) -> None:
        step_key = step.key if step is not None else None
        ev = Event(event_type, self.job_name, step_key, step_key, message, data)
        self.events.append(ev)
        self.pending.append(EventLogEntry(self.run_id, time.time(), logging.DEBUG, message or "",
                                          step_key, self.job_name, ev))

    def record_only(self, event_type: EventType, data: Any, message: str) -> None:
        """An event for the log only, not the result (Dagster's 'planned' events)."""
        ev = Event(event_type, self.job_name, None, None, message, data)
        self.pending.append(EventLogEntry(self.run_id, time.time(), logging.DEBUG, message, None,
                                          self.job_name, ev))

    def emit_log(self, step: Step, level: int, message: str) -> None:
        self.pending.append(EventLogEntry(self.run_id, time.time(), level, message, step.key,
                                          self.job_name, None))
        if time.monotonic() - self._last_flush > FLUSH_INTERVAL_S:
            self.flush()  # a long step streams its logs

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

    def input_manager_key(self, step: Step, inp: Any) -> str | None:
        return None

    def input_metadata(self, step: Step, inp: Any) -> Mapping[str, Any]:
        return {}


def _unproduced_inputs(rc: RunContext, plan: ExecutionPlan, step: Step) -> list[str]:
    missing = [i.param for i in step.inputs if i.source_step is not None
               and i.asset_key not in rc.produced]
    for oi in step.op_inputs:
        if oi.kind in ("output", "fan_in"):
            if any((plan.steps[src].key, name) not in rc.produced for src, name in oi.sources):
                missing.append(oi.param)
    return missing


def _expand(rc: RunContext, plan: ExecutionPlan, step: Step) -> list[Step]:
    """A mapped step runs once per mapping key its dynamic upstream yielded (``op[key]``)."""
    if step.mapped_from is None:
        return [step]
    src, output = step.mapped_from
    keys = rc.mapping_keys.get((plan.steps[src].key, output), [])
    rc.mapping_keys[(step.key, "__mapped__")] = list(keys)
    return [dataclasses.replace(step, key=f"{step.key}[{mk}]", mapping_key=mk) for mk in keys]


def run_with_retries(rc: RunContext, step: Step) -> bool:
    """Run a step; on failure, retry as its RetryPolicy (or a RetryRequested) allows."""
    attempt = 0
    while True:
        ok = execute_step(rc, step, restarted=attempt > 0)
        if ok:
            run_hooks(rc, step, "success", None)
            return True
        _, error, _ = rc.failures[-1]
        policy = step.retry_policy
        max_retries = (error.max_retries if isinstance(error, RetryRequested)
                       else policy.max_retries if policy is not None else 0)
        allowed = not (isinstance(error, Failure) and not error.allow_retries)
        if not allowed or attempt >= (max_retries or 0):
            run_hooks(rc, step, "failure", error)
            return False
        attempt += 1
        rc.failures.pop()  # it will be retried: not a failure of the run (yet)
        delay = (error.seconds_to_wait if isinstance(error, RetryRequested) and
                 error.seconds_to_wait else policy.calculate_delay(attempt) if policy else 0)
        rc.emit(EventType.STEP_UP_FOR_RETRY, step,
                f'Execution of step "{step.key}" failed and has requested a retry'
                + (f" in {delay:g} seconds." if delay else "."))
        rc.flush()
        if delay:
            time.sleep(delay)  # the retry policy's own wait, not synchronisation


def run_hooks(rc: RunContext, step: Step, outcome: str, error: BaseException | None) -> None:
    for hook in sorted(step.hooks, key=lambda h: h.name):
        if hook.on != outcome:
            continue
        ctx = HookContext(step, rc, error)
        try:
            hook.hook_fn(ctx) if _arity(hook.hook_fn) == 1 else hook.hook_fn(ctx, None)
        except Exception as e:  # a hook's failure is reported, and does not fail the step
            rc.emit_log(step, logging.ERROR, f"Hook {hook.name!r} failed: {type(e).__name__}: {e}")
    rc.flush()


def _arity(fn: Any) -> int:
    code = getattr(fn, "__code__", None)
    return code.co_argcount if code else 1


class HookContext:
    """What a hook receives: the step, its op, resources, log, and the error on failure."""

    def __init__(self, step: Step, rc: RunContext, error: BaseException | None):
        from headwater.execution.logs import LogManager

        self.step_key = step.key
        self.op = step.op
        self.op_def = step.op
        self.job_name = rc.job_name
        self.run_id = rc.run_id
        self.resources = rc.resources
        self.instance = rc.instance
        self.op_exception = error
        self.log = LogManager(lambda level, msg: rc.emit_log(step, level, msg), f"{step.key} - ")
        self.op_output_values = {name: v for (key, name), v in rc.outputs.items() if key == step.key}


def required_resource_keys(plan: ExecutionPlan) -> set[str]:
    keys: set[str] = set()
    graph = plan.graph
    for step in plan.steps:
        keys |= step.op.required_resource_keys
        if step.is_op:
            keys |= {o.io_manager_key or "io_manager" for o in step.op.outs.values()}
        elif not step.is_check:
            keys |= {step.definition.io_manager_key_for(k) for k in step.asset_outputs.values()}
        for inp in step.inputs:
            keys.add(graph.definition_for(inp.asset_key).io_manager_key_for(inp.asset_key))
        for hook in step.hooks:
            keys |= hook.required_resource_keys
    return keys


def _check_resources_provided(plan: ExecutionPlan, needed: set[str],
                              resource_defs: Mapping[str, Any], given: Mapping[str, Any]) -> None:
    missing = sorted(needed - set(resource_defs))
    if not missing:
        return
    users = []
    for step in plan.steps:
        wants = set(step.op.required_resource_keys)
        if not step.is_check:
            wants |= {step.definition.io_manager_key_for(k) for k in step.asset_outputs.values()}
        for inp in step.inputs:
            wants.add(plan.graph.definition_for(inp.asset_key).io_manager_key_for(inp.asset_key))
        for key in sorted(wants & set(missing)):
            users.append(f"{step.key!r} needs {key!r}")
    raise InvalidDefinitionError(
        f"Resource(s) {missing} were not provided ({'; '.join(users)}). Provided resources: "
        f"{sorted(given)}. Pass them in resources={{...}} (or Definitions(resources=...)).")


def execute_plan(plan: ExecutionPlan, *, instance: Any, resources: Mapping[str, Any],
                 run_config: Any = None, tags: Mapping[str, str] | None = None,
                 job_name: str = EPHEMERAL_JOB_NAME, raise_on_error: bool = True,
                 partition_key: str | None = None, run_id: str | None = None,
                 job_def: Any = None) -> ExecuteInProcessResult:
    resource_defs = dict(resources)
    for step in plan.steps:
        for k, v in step.definition.resource_defs.items():
            resource_defs.setdefault(k, v)
    resource_defs.setdefault("io_manager", PickleFilesIOManager(instance.storage_directory()))
    needed = required_resource_keys(plan)
    _check_resources_provided(plan, needed, resource_defs, resources)
    try:
        op_configs, cfg = resolve_op_configs(plan, run_config)
        config_errors: list[str] = []
    except InvalidConfigError as e:
        op_configs, cfg, config_errors = {}, normalize_run_config(run_config), list(e.errors)
    config_errors += check_resource_config(resource_defs, needed, cfg)
    if config_errors:  # nothing has run and no run is recorded: fix the config and retry
        raise InvalidConfigError(
            f"Run config has {len(config_errors)} error(s) (fix each path listed):", config_errors)
    asset_keys = frozenset(plan.asset_keys)
    run = instance.create_run(job_name=job_name, run_id=run_id or str(uuid.uuid4()),
                              run_config=cfg, tags=dict(tags or {}), asset_selection=asset_keys)
    rc = RunContext(plan=plan, instance=instance, run=run, job_name=job_name,
                    op_configs=op_configs, tags=tags or {}, partition_key=partition_key)
    for step in plan.steps:
        for key in step.asset_outputs.values():
            rc.record_only(EventType.ASSET_MATERIALIZATION_PLANNED,
                           AssetPlannedData(key, partition_key),
                           f"{job_name} intends to materialize asset {key.to_user_string()}")
        for spec in step.check_outputs.values():
            rc.record_only(EventType.ASSET_CHECK_EVALUATION_PLANNED,
                           AssetPlannedData(spec.asset_key, None, spec.name),
                           f"{job_name} intends to execute asset check {spec.name} on "
                           f"asset {spec.asset_key.to_user_string()}")
    rc.emit(EventType.RUN_START, None, f'Started execution of run for "{job_name}".')
    status: dict[int, str] = {}
    stop_error: BaseException | None = None
    with contextlib.ExitStack() as stack:
        try:
            rc.resources = init_resources(resource_defs, needed, stack, instance=instance, run=run,
                                          run_config=cfg)
        except HeadwaterError as e:
            stop_error = e
        except Exception as e:  # noqa: BLE001 - recorded and re-raised below
            stop_error = e
        if stop_error is None:
            for step in plan.steps:
                dep_status = {status.get(d) for d in step.deps}
                if dep_status & {"failed", "not_run"}:
                    status[step.index] = "not_run"  # downstream of a failure: not executed
                    continue
                unproduced = _unproduced_inputs(rc, plan, step)
                if "skipped" in dep_status or unproduced:
                    status[step.index] = "skipped"
                    rc.emit(EventType.STEP_SKIPPED, step,
                            f'Skipping step "{step.key}": its input(s) {unproduced} were not '
                            "produced upstream (an optional output was not yielded).")
                    rc.flush()
                    continue
                ok = all([run_with_retries(rc, concrete) for concrete in _expand(rc, plan, step)])
                status[step.index] = "ok" if ok else "failed"
                if not ok and raise_on_error:
                    break
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
        return ExecuteInProcessResult(instance.get_run_by_id(run.run_id) or run, rc.events,
                                      rc.outputs, plan, job_def)
    if rc.failures:
        names = ", ".join(s.key for s, _, _ in rc.failures)
        rc.emit(EventType.RUN_FAILURE, None, f'Execution of run for "{job_name}" failed. '
                f"Steps failed: [{names}].")
    else:
        rc.emit(EventType.RUN_SUCCESS, None, f'Finished execution of run for "{job_name}".')
    rc.flush()
    refresh = instance.get_run_by_id(run.run_id) or run
    result = ExecuteInProcessResult(refresh, rc.events, rc.outputs, plan, job_def)
    if rc.failures and raise_on_error:
        step, error, user_code = rc.failures[0]
        raise error
    return result
