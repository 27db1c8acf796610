"""One step: build its context, load inputs, call the user's function, store outputs, record.

This is the hot path; everything run-wide (plan, resources, IO manager bindings, config) was
prepared once by the run, and events go to the run's buffer, written at the step boundary.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from headwater.definitions.checks import AssetChecksDefinition
from headwater.definitions.errors import (
    AssetCheckFailedError,
    Failure,
    InvalidDefinitionError,
    InvariantViolationError,
    StepOutputNotFoundError,
    TypeCheckDidNotPass,
)
from headwater.definitions.metadata import normalize_metadata
from headwater.definitions.op import DynamicOut
from headwater.definitions.results import AssetCheckSeverity, AssetMaterialization, AssetObservation
from headwater.definitions.types import resolve_type
from headwater.events.errors import SerializableErrorInfo, error_info_from_exc
from headwater.events.records import (
    AssetCheckEvaluation,
    EventType,
    HandledOutputData,
    LoadedInputData,
    StepFailureData,
    StepInputData,
    StepMaterializationData,
    StepOutputData,
    StepOutputHandle,
)
from headwater.execution.context import (
    AssetCheckExecutionContext,
    AssetExecutionContext,
    OpExecutionContext,
)
from headwater.execution.io_context import InputContext, OutputContext
from headwater.execution.logs import LogManager
from headwater.execution.outputs import NO_VALUE, collect
from headwater.execution.plan import Step

_VALID_MAPPING_KEY = re.compile(r"^[A-Za-z0-9_]+$")

# The class name a step failure's error info carries, as Dagster's event log spells it.
COMPAT_STEP_ERROR = "DagsterExecutionStepExecutionError"


class StepFailed(Exception):
    """Internal: a step failed; ``error`` is what the user should see."""

    def __init__(self, error: BaseException, user_code: bool):
        super().__init__(str(error))
        self.error = error
        self.user_code = user_code


def _what(step: Step) -> str:
    d = step.definition
    if isinstance(d, AssetChecksDefinition):
        return f"asset check {step.key!r}"
    keys = sorted(k.to_user_string() for k in step.asset_outputs.values())
    return f"asset {keys[0]!r}" if len(keys) == 1 else f"multi-asset {step.key!r} ({keys})"


def execute_step(rc: Any, step: Step, restarted: bool = False) -> bool:
    """Run one step, recording its events. Returns True on success."""
    if restarted:
        rc.emit(EventType.STEP_RESTARTED, step, f'Started re-execution of step "{step.key}".')
    else:
        rc.emit(EventType.STEP_START, step, f'Started execution of step "{step.key}".')
    try:
        _run(rc, step)
    except StepFailed as f:
        _fail(rc, step, f.error, f.user_code)
        return False
    finally:
        rc.flush()
    return True


def _fail(rc: Any, step: Step, error: BaseException, user_code: bool) -> None:
    info = error_info_from_exc(error, user_frames_only=user_code)
    if user_code:  # as Dagster records it: the step error, caused by the user's exception
        info = SerializableErrorInfo(
            f'{COMPAT_STEP_ERROR}: Error occurred while executing step "{step.key}":\n', [],
            COMPAT_STEP_ERROR, info)
    metadata = error.metadata if isinstance(error, Failure) else None
    rc.emit(EventType.STEP_FAILURE, step, f'Execution of step "{step.key}" failed: '
            f"{type(error).__name__}: {error}",
            StepFailureData(info, {"metadata": {k: str(v) for k, v in metadata.items()}}
                            if metadata else None,
                            "USER_CODE_ERROR" if user_code else "FRAMEWORK_ERROR"))
    rc.record_failure(step, error, user_code)


def _run(rc: Any, step: Step) -> None:
    what = _what(step)
    op = step.op
    log = LogManager(lambda level, msg: rc.emit_log(step, level, msg), f"{step.key} - ")
    ctx_cls = (AssetCheckExecutionContext if step.is_check else OpExecutionContext if step.is_op
               else AssetExecutionContext)
    context = ctx_cls(run_id=rc.run_id, job_name=rc.job_name, op=op, resources=rc.resources,
                      log=log, instance=rc.instance, run=rc.run,
                      op_config=rc.op_configs.get(step.template_key),
                      assets_def=None if step.is_check or step.is_op else step.definition,
                      checks_def=step.definition if step.is_check else None,
                      selected_keys=None if step.is_check else frozenset(step.asset_outputs.values()),
                      partition_key=rc.partition_key, tags=rc.tags, step_key=step.key)
    kwargs: dict[str, Any] = {}
    try:
        for inp in step.inputs:
            kwargs[inp.param] = _load_input(rc, step, inp, log)
        for oi in step.op_inputs:
            kwargs[oi.param] = _load_op_input(rc, step, oi, log)
    except StepFailed:
        raise
    except Exception as e:
        raise StepFailed(e, True) from None
    for param in [*(i.param for i in step.inputs), *(oi.param for oi in step.op_inputs)]:
        rc.emit(EventType.STEP_INPUT, step, f'Got input "{param}".', StepInputData(param))
    for p in op.params:
        role = p.role
        if role == "context":
            kwargs[p.name] = context
        elif role == "resource":
            kwargs[p.name] = getattr(rc.resources, p.name)
        elif role == "config":
            kwargs[p.name] = rc.op_configs.get(step.template_key)
    var_kwargs = any(p.role == "var_kwargs" for p in op.params)
    if not var_kwargs:
        named = {p.name for p in op.params}
        kwargs = {k: v for k, v in kwargs.items() if k in named}
    try:
        result = op.compute_fn(**kwargs)
        if inspect.iscoroutine(result):
            import asyncio

            result = asyncio.run(result)
        collected = collect(step, result, what)
    except InvalidDefinitionError as e:
        raise StepFailed(e, False) from None
    except Exception as e:
        wrapped = e
        raise StepFailed(wrapped, True) from None
    try:
        _handle_outputs(rc, step, context, collected, what)
    except StepFailed:
        raise
    except Exception as e:
        raise StepFailed(e, False) from None
    rc.emit(EventType.STEP_SUCCESS, step, f'Finished execution of step "{step.key}".')


def _load_op_input(rc: Any, step: Step, oi: Any, log: LogManager) -> Any:
    """An op input: a constant, or upstream op output(s) loaded through their IO managers."""
    if oi.kind == "value":
        return oi.value
    if oi.kind == "fan_in":
        return [_load_op_output(rc, step, oi.param, i, name, None, log) for i, name in oi.sources]
    (src, name), = oi.sources
    if oi.kind == "mapped":
        return _load_op_output(rc, step, oi.param, src, name, step.mapping_key, log)
    if oi.kind == "sibling":  # the same mapping key's copy of a mapped upstream step
        return _load_op_output(rc, step, oi.param, src, name, None, log,
                               key_suffix=f"[{step.mapping_key}]")
    if oi.kind == "collect":
        upstream = rc.plan.steps[src].key
        return [_load_op_output(rc, step, oi.param, src, name, None, log, key_suffix=f"[{mk}]")
                for mk in rc.mapping_keys.get((upstream, "__mapped__"), [])]
    return _load_op_output(rc, step, oi.param, src, name, None, log)


def _load_op_output(rc: Any, step: Step, param: str, src: int, output: str,
                    mapping_key: str | None, log: LogManager, key_suffix: str = "") -> Any:
    up = rc.plan.steps[src]
    out_def = up.op.outs.get(output)
    io_key = (out_def.io_manager_key if out_def else None) or "io_manager"
    upstream = OutputContext(name=output, step_key=up.key + key_suffix, run_id=rc.run_id,
                             definition_metadata=out_def.metadata if out_def else None,
                             resources=rc.resources, op_def=up.op, log=log,
                             dagster_type=resolve_type(out_def.dagster_type if out_def else None))
    upstream._mapping_key = mapping_key  # type: ignore[attr-defined]
    upstream._default_base_dir = rc.base_dir  # type: ignore[attr-defined]
    in_def = step.op.ins.get(param)
    ctx = InputContext(name=param, upstream_output=upstream, resources=rc.resources,
                       definition_metadata=in_def.metadata if in_def else None, op_def=step.op,
                       log=log, step_key=step.key,
                       dagster_type=resolve_type(in_def.dagster_type if in_def else None))
    ctx._default_base_dir = rc.base_dir  # type: ignore[attr-defined]
    value = getattr(rc.resources, io_key).load_input(ctx)
    rc.emit(EventType.LOADED_INPUT, step, f'Loaded input "{param}" using input manager "{io_key}"',
            LoadedInputData(param, io_key))
    return value


def _load_input(rc: Any, step: Step, inp: Any, log: LogManager) -> Any:
    graph = rc.plan.graph
    up_def = graph.definition_for(inp.asset_key)
    in_def = step.op.ins.get(inp.param)
    io_key = (in_def.input_manager_key if in_def else None) or up_def.io_manager_key_for(inp.asset_key)
    manager = getattr(rc.resources, io_key)
    up_spec = up_def.get_asset_spec(inp.asset_key)
    upstream = OutputContext(name=up_def.output_name_for_key(inp.asset_key),
                             asset_key=inp.asset_key,
                             step_key=up_def.op.name if up_def.op else None, run_id=rc.run_id,
                             definition_metadata=up_spec.metadata, resources=rc.resources,
                             op_def=up_def.op, log=log, partition_key=rc.partition_key,
                             asset_spec=up_spec)
    upstream._default_base_dir = rc.base_dir  # type: ignore[attr-defined]
    in_def = step.op.ins.get(inp.param)
    ctx = InputContext(name=inp.param, asset_key=inp.asset_key, upstream_output=upstream,
                       definition_metadata=in_def.metadata if in_def else None,
                       resources=rc.resources, op_def=step.op, log=log,
                       partition_key=rc.partition_key, step_key=step.key,
                       dagster_type=resolve_type(in_def.dagster_type if in_def else None))
    upstream.dagster_type = resolve_type(up_def.op.outs[upstream.name].dagster_type
                                         if up_def.op and upstream.name in up_def.op.outs else None)
    ctx._default_base_dir = rc.base_dir  # type: ignore[attr-defined]
    value = manager.load_input(ctx)
    _check_type(step, ctx.dagster_type, value, f"input {inp.param!r}")
    rc.emit(EventType.LOADED_INPUT, step,
            f'Loaded input "{inp.param}" using input manager "{io_key}"',
            LoadedInputData(inp.param, io_key))
    return value


def _handle_outputs(rc: Any, step: Step, context: Any, collected: Any, what: str) -> None:
    definition = step.definition
    produced = set()
    for ev in context.logged_events:  # logged while the function ran: before its outputs
        if isinstance(ev, (AssetMaterialization, AssetObservation)):
            rc.emit(EventType.ASSET_OBSERVATION if isinstance(ev, AssetObservation)
                    else EventType.ASSET_MATERIALIZATION, step, None, StepMaterializationData(ev))
    for out in collected.outputs:
        name = out.output_name
        if name in step.check_outputs:
            continue
        if step.is_op:
            _handle_op_output(rc, step, context, out)
            produced.add(name)
            continue
        key = step.asset_outputs[name]
        produced.add(name)
        metadata = {**out.metadata, **context.get_output_metadata(name)}
        rc.emit(EventType.STEP_OUTPUT, step, f'Yielded output "{name}".',
                StepOutputData(StepOutputHandle(step.key, name), {}))
        handled = None
        out_type = resolve_type(step.op.outs[name].dagster_type)
        if out.value is not NO_VALUE:
            _check_type(step, out_type, out.value, f"output {name!r}")
            io_key = definition.io_manager_key_for(key)
            manager = getattr(rc.resources, io_key)
            spec = definition.get_asset_spec(key)
            octx = OutputContext(name=name, asset_key=key, step_key=step.key, run_id=rc.run_id,
                                 definition_metadata=spec.metadata, resources=rc.resources,
                                 op_def=step.op, log=context.log, partition_key=rc.partition_key,
                                 asset_spec=spec, dagster_type=out_type)
            octx._default_base_dir = rc.base_dir  # type: ignore[attr-defined]
            try:
                manager.handle_output(octx, out.value)
            except Exception as e:
                _note(e, f"{what}: IO manager {io_key!r} ({type(manager).__name__}) could not "
                           f"store the returned {type(out.value).__name__}")
                raise StepFailed(e, True) from None
            metadata.update(octx.output_metadata)
            handled = io_key
        rc.capture(step.key, name, out.value, key)
        rc.emit(EventType.ASSET_MATERIALIZATION, step, f"Materialized value {key.to_user_string()}.",
                StepMaterializationData(AssetMaterialization(
                    key, None, normalize_metadata(metadata, where=f"{what} metadata"),
                    rc.partition_key, out.tags or None)))
        if handled is not None:
            rc.emit(EventType.HANDLED_OUTPUT, step,
                    f'Handled output "{name}" using IO manager "{handled}"',
                    HandledOutputData(name, handled, {}))
    for ev in collected.events:
        is_obs = isinstance(ev, AssetObservation)
        rc.emit(EventType.ASSET_OBSERVATION if is_obs else EventType.ASSET_MATERIALIZATION, step,
                None, StepMaterializationData(ev))
    if step.is_op:
        missing = [n for n, o in step.op.outs.items() if o.is_required and n not in produced]
        if missing:
            raise StepFailed(StepOutputNotFoundError(
                f"op {step.key!r} did not yield required output(s) {missing}; yield a value for "
                "each (or declare Out(is_required=False))"), False)
        return
    missing = [n for n in step.asset_outputs if n not in produced
               and step.op.outs.get(n) is not None and step.op.outs[n].is_required
               and not definition.get_asset_spec(step.asset_outputs[n]).skippable]
    if missing:
        raise StepFailed(StepOutputNotFoundError(
            f"{what} did not produce required output(s) {missing}; return or yield a value for "
            "each (or declare it is_required=False)"), False)
    failed_blocking = _record_checks(rc, step, collected.checks, what)
    if failed_blocking:
        raise StepFailed(AssetCheckFailedError(
            f"Blocking check(s) failed: {', '.join(failed_blocking)}. Assets downstream of the "
            "checked asset will not run."), False)


def _record_checks(rc: Any, step: Step, results: list[Any], what: str) -> list[str]:
    failed_blocking = []
    specs = step.check_outputs
    done: set[Any] = set()
    for r in results:
        spec = None
        for s in specs.values():
            if (r.check_name is None or r.check_name == s.name) and (
                    r.asset_key is None or r.asset_key == s.asset_key):
                if r.check_name is None and r.asset_key is None and len(specs) > 1:
                    raise StepFailed(InvalidDefinitionError(
                        f"{what} returned an AssetCheckResult without check_name, but it defines "
                        f"several checks {sorted(s.name for s in specs.values())}; pass check_name="),
                        False)
                spec = s
                break
        if spec is None:
            raise StepFailed(InvariantViolationError(
                f"{what} returned a result for check {r.check_name!r}"
                + (f" on {r.asset_key.to_user_string()!r}" if r.asset_key else "")
                + f", which it does not define (it defines "
                f"{sorted(s.name for s in specs.values())})"), False)
        done.add(spec.key)
        rc.emit(EventType.STEP_OUTPUT, step, f'Yielded output "{spec.output_name()}".',
                StepOutputData(StepOutputHandle(step.key, spec.output_name()), {}))
        rc.emit(EventType.ASSET_CHECK_EVALUATION, step,
                f"Check {spec.name} on {spec.asset_key.to_user_string()} "
                f"{'passed' if r.passed else 'failed'}",
                AssetCheckEvaluation(spec.asset_key, spec.name, r.passed, dict(r.metadata),
                                     r.severity, r.description, None, spec.blocking))
        if spec.blocking and not r.passed and r.severity == AssetCheckSeverity.ERROR:
            failed_blocking.append(f"{spec.asset_key.to_user_string()}:{spec.name}")
    missing = sorted(s.name for s in specs.values() if s.key not in done)
    if missing:
        raise StepFailed(StepOutputNotFoundError(
            f"{what} did not return a result for its check(s) {missing}; return or yield an "
            "AssetCheckResult for each"), False)
    return failed_blocking


def _note(error: BaseException, text: str) -> None:
    """Say which asset and IO manager were involved, without changing the user's exception."""
    add_note = getattr(error, "add_note", None)  # Python 3.11+
    if add_note is not None:
        add_note(text)


def _check_type(step: Step, dagster_type: Any, value: Any, what: str) -> None:
    if dagster_type.is_nothing:
        if value is not None:
            raise StepFailed(TypeCheckDidNotPass(
                f"{_what(step)}: {what} is declared to carry no value (an AssetSpec output or "
                f"a Nothing type), but a {type(value).__name__} was given. Return "
                "MaterializeResult(...) instead, or declare a value-carrying output.",
                dagster_type=dagster_type), False)
        return
    ok, description = dagster_type.type_check(None, value)
    if not ok:
        raise StepFailed(TypeCheckDidNotPass(
            description or f"{_what(step)}: {what} should be {dagster_type.display_name}, got "
            f"{type(value).__name__} {value!r:.80}", dagster_type=dagster_type), False)


def _handle_op_output(rc: Any, step: Step, context: Any, out: Any) -> None:
    name = out.output_name
    out_def = step.op.outs[name]
    is_dynamic = isinstance(out_def, DynamicOut)
    if is_dynamic and out.mapping_key is None:
        raise StepFailed(InvalidDefinitionError(
            f"op {step.key!r} output {name!r} is a DynamicOut: yield DynamicOutput(value, "
            "mapping_key=...) for it"), False)
    if out.mapping_key is not None and not _VALID_MAPPING_KEY.match(out.mapping_key):
        raise StepFailed(InvalidDefinitionError(
            f"op {step.key!r} yielded mapping key {out.mapping_key!r}: mapping keys may contain "
            "only letters, digits and '_'"), False)
    out_type = resolve_type(out_def.dagster_type)
    rc.emit(EventType.STEP_OUTPUT, step, f'Yielded output "{name}".',
            StepOutputData(StepOutputHandle(step.key, name, out.mapping_key), {}))
    if out.value is NO_VALUE or out_type.is_nothing:
        rc.op_produced(step, name, out.mapping_key, None)
        return
    _check_type(step, out_type, out.value, f"output {name!r}")
    io_key = out_def.io_manager_key or "io_manager"
    manager = getattr(rc.resources, io_key)
    octx = OutputContext(name=name, step_key=step.key, run_id=rc.run_id,
                         definition_metadata=out_def.metadata, resources=rc.resources,
                         op_def=step.op, log=context.log, dagster_type=out_type)
    octx._mapping_key = out.mapping_key  # type: ignore[attr-defined]
    octx._default_base_dir = rc.base_dir  # type: ignore[attr-defined]
    try:
        manager.handle_output(octx, out.value)
    except Exception as e:
        _note(e, f"op {step.key!r}: IO manager {io_key!r} ({type(manager).__name__}) could not "
                 f"store output {name!r}")
        raise StepFailed(e, True) from None
    rc.emit(EventType.HANDLED_OUTPUT, step, f'Handled output "{name}" using IO manager "{io_key}"',
            HandledOutputData(name, io_key, {}))
    rc.op_produced(step, name, out.mapping_key, out.value)
