"""One step: build its context, load inputs, call the user's function, store outputs, record.

This is the hot path; everything run-wide (plan, resources, IO manager bindings, config) was
prepared once by the run, and events go to the run's buffer, written at the step boundary.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from headwater.definitions.asset_spec import DEFAULT_IO_MANAGER_KEY
from headwater.definitions.checks import AssetChecksDefinition
from headwater.definitions.errors import (
    AssetCheckFailedError,
    Failure,
    HeadwaterError,
    InvalidDefinitionError,
    InvariantViolationError,
    MaxRetriesExceededError,
    RetryRequested,
    StepOutputNotFoundError,
    StorageError,
    TypeCheckDidNotPass,
)
from headwater.definitions.metadata import normalize_metadata
from headwater.definitions.op import DynamicOut
from headwater.definitions.results import AssetCheckSeverity, AssetMaterialization, AssetObservation
from headwater.definitions.types import ANY, resolve_type
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
    StepRetryData,
    TypeCheckData,
    UserFailureData,
)
from headwater.execution.context import (
    AssetCheckExecutionContext,
    AssetExecutionContext,
    OpExecutionContext,
    current_context,
)
from headwater.execution.io_context import InputContext, OutputContext
from headwater.execution.logs import LogManager
from headwater.execution.outputs import NO_VALUE, Yielded, collect
from headwater.execution.partitions import upstream_scope
from headwater.execution.pickle_io import IOManagerStorageError
from headwater.execution.plan import Step

_VALID_MAPPING_KEY = re.compile(r"^[A-Za-z0-9_]+$")

# The class name a step failure's error info carries, as Dagster's event log spells it.
COMPAT_STEP_ERROR = "DagsterExecutionStepExecutionError"


class StepFailed(Exception):
    """Internal: a step failed; ``error`` is what the user should see.

    ``wrapper`` names the framework error Dagster records around a user exception
    (``DagsterExecutionStepExecutionError`` by default) and its message; ``during`` says what
    the step was doing when it is not the step's own function (an IO manager storing or
    loading a value), for the failure's message."""

    def __init__(self, error: BaseException, user_code: bool,
                 wrapper: tuple[str, str] | None = None, during: str | None = None):
        super().__init__(str(error))
        self.error = error
        self.user_code = user_code
        self.wrapper = wrapper
        self.during = during


def _what(step: Step) -> str:
    d = step.definition
    if step.is_op:
        return f'op "{step.key}"'
    if isinstance(d, AssetChecksDefinition):
        return f"asset check {step.key!r}"
    keys = sorted(k.to_user_string() for k in step.asset_outputs.values())
    return f"asset {keys[0]!r}" if len(keys) == 1 else f"multi-asset {step.key!r} ({keys})"


def attempt_step(rc: Any, step: Step, retry_number: int = 0) -> StepFailed | None:
    """One attempt at a step: STEP_START (STEP_RESTARTED on a retry), then its events up to
    STEP_SUCCESS. Returns None on success, or the failure, which is not recorded yet."""
    if retry_number:
        rc.emit(EventType.STEP_RESTARTED, step,
                f'Started re-execution (attempt # {retry_number + 1}) of step "{step.key}".')
    else:
        rc.emit(EventType.STEP_START, step, f'Started execution of step "{step.key}".')
    try:
        _run(rc, step, retry_number)
    except StepFailed as f:
        if isinstance(f.error, StorageError):  # the instance cannot be used: the run stops
            raise f.error from None
        return f
    finally:
        rc.flush()
    return None


def _error_info(step: Step, failed: StepFailed) -> SerializableErrorInfo:
    error = failed.error
    if isinstance(error, Failure):  # the user's own signal: recorded as itself
        return error_info_from_exc(error)
    if isinstance(error, RetryRequested):
        return SerializableErrorInfo(f"Exceeded max_retries of {error.max_retries}\n", [],
                                     "RetryRequested")
    if isinstance(error, IOManagerStorageError):  # the message says it all; no internal frames
        name = type(error).__name__
        return SerializableErrorInfo(f"{name}: {error}\n", [], name)
    info = error_info_from_exc(error, user_frames_only=failed.user_code)
    if failed.user_code:  # as Dagster records it: the step error, caused by the user's exception
        cls_name, message = failed.wrapper or (
            COMPAT_STEP_ERROR, f'Error occurred while executing step "{step.key}":')
        return SerializableErrorInfo(f"{cls_name}: {message}\n", [], cls_name, info)
    if isinstance(error, HeadwaterError):  # Dagster spells its framework errors "Dagster..."
        name = type(error).__name__
        compat = "DagsterError" if name == "HeadwaterError" else f"Dagster{name}"
        return SerializableErrorInfo(f"{compat}: {error}\n", info.stack, compat, info.cause,
                                     info.context)
    return info


def record_step_failure(rc: Any, step: Step, failed: StepFailed, final: bool = False) -> None:
    """STEP_FAILURE, and the failure the run reports (and raises with ``raise_on_error``).

    ``final``: the run loop has decided the step will not be retried; a ``RetryRequested``
    then fails the run as "Exceeded max_retries", as Dagster reports it."""
    error = failed.error
    user_failure = None
    if isinstance(error, Failure):
        user_failure = UserFailureData("intentional-failure", error.description,
                                       dict(error.metadata))
    source = "USER_CODE_ERROR" if failed.user_code and not isinstance(
        error, (Failure, RetryRequested)) else "FRAMEWORK_ERROR"
    if isinstance(error, IOManagerStorageError):
        detail = str(error)
    elif failed.during:
        detail = f"{failed.during}: {type(error).__name__}: {error}"
    else:
        detail = f"{type(error).__name__}: {error}"
    rc.emit(EventType.STEP_FAILURE, step, f'Execution of step "{step.key}" failed: {detail}',
            StepFailureData(_error_info(step, failed), user_failure, source))
    if final and isinstance(error, RetryRequested):
        exceeded = MaxRetriesExceededError(f"Exceeded max_retries of {error.max_retries}")
        exceeded.__cause__ = error
        error = exceeded
    rc.record_failure(step, error, failed.user_code)


def record_step_retry(rc: Any, step: Step, failed: StepFailed, wait: float) -> None:
    """STEP_UP_FOR_RETRY for a failure that will be retried after ``wait`` seconds."""
    info = error_info_from_exc(failed.error, user_frames_only=failed.user_code)
    if not isinstance(failed.error, RetryRequested):  # retried by policy: caused by the error
        info = SerializableErrorInfo("RetryRequestedFromPolicy\n", [], "RetryRequestedFromPolicy",
                                     info)
    rc.emit(EventType.STEP_UP_FOR_RETRY, step,
            f'Execution of step "{step.key}" failed and has requested a retry'
            + (f" in {wait:g} seconds." if wait else "."),
            StepRetryData(info, wait or None))


def _run(rc: Any, step: Step, retry_number: int = 0) -> None:
    what = _what(step)
    op = step.op
    log = rc.step_log(step)
    ctx_cls = (AssetCheckExecutionContext if step.is_check else OpExecutionContext if step.is_op
               else AssetExecutionContext)
    context = ctx_cls(run_id=rc.run_id, job_name=rc.job_name, op=op, resources=rc.resources,
                      log=log, instance=rc.instance, run=rc.run,
                      op_config=rc.op_configs.get(step.template_key),
                      assets_def=None if step.is_check or step.is_op else step.definition,
                      checks_def=step.definition if step.is_check else None,
                      selected_keys=None if step.is_check else frozenset(step.asset_outputs.values()),
                      partitions=rc.partitions, tags=rc.tags, step_key=step.key,
                      retry_number=retry_number, mapping_key=step.mapping_key)
    kwargs: dict[str, Any] = {}
    try:
        for inp in step.inputs:
            kwargs[inp.param] = _load_input(rc, step, inp, log, context)
        for oi in step.op_inputs:
            kwargs[oi.param] = _load_op_input(rc, step, oi, log)
    except StepFailed:
        raise
    except Exception as e:
        raise StepFailed(e, True) from None
    for param in [*(i.param for i in step.inputs), *(oi.param for oi in step.op_inputs)]:
        in_def = op.ins.get(param)
        in_type = resolve_type(in_def.dagster_type if in_def is not None else None)
        check = _type_check(step, context, in_type, kwargs[param], param, "input")
        rc.emit(EventType.STEP_INPUT, step, _typed_message(f'Got input "{param}"', in_type, check),
                StepInputData(param, check))
        if not check.success:
            raise StepFailed(TypeCheckDidNotPass(
                f'Type check failed for step input "{param}" - expected type '
                f'"{in_type.display_name}". Description: {check.description}',
                check.metadata, in_type), False)
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
    yielded: Yielded | None = None
    try:  # the user's code: a generator runs here too, to its end
        with current_context(context):
            result = op.compute_fn(**kwargs)
            if inspect.iscoroutine(result):
                import asyncio

                result = asyncio.run(result)
            if inspect.isgenerator(result):
                yielded = Yielded()
                for item in result:
                    yielded.append(item)
                result = yielded
    except Exception as e:
        if yielded:  # what it yielded before it raised is recorded, as Dagster records it
            _record_before_failure(rc, step, context, yielded, what)
        raise StepFailed(e, True) from None
    try:
        collected = collect(step, result, what)
    except Exception as e:
        raise StepFailed(e, False) from None
    try:
        _handle_outputs(rc, step, context, collected, what)
    except StepFailed:
        raise
    except Exception as e:
        raise StepFailed(e, False) from None
    rc.emit(EventType.STEP_SUCCESS, step, f'Finished execution of step "{step.key}".')


def _typed_message(what: str, dagster_type: Any, check: TypeCheckData) -> str:
    """Dagster's message, shortened for untyped values (most of them: it is stored per event)."""
    if dagster_type.is_any:
        return f"{what}."
    return (f'{what} of type "{dagster_type.display_name}". '
            + ("(Type check passed)." if check.success else "Warning! Type check failed."))


_PASSED: dict[str, TypeCheckData] = {}


def _type_check(step: Step, context: Any, dagster_type: Any, value: Any, label: str,
                kind: str) -> TypeCheckData:
    """Run a type check; a check function that raises fails the step as Dagster records it."""
    if dagster_type.is_any:
        hit = _PASSED.get(label)
        if hit is None:
            hit = _PASSED[label] = TypeCheckData(True, label)
        return hit
    if dagster_type.is_nothing:
        if value is not None and not step.is_op:
            raise StepFailed(TypeCheckDidNotPass(
                f"{_what(step)}: {kind} {label!r} is declared to carry no value (an AssetSpec "
                f"output or a Nothing type), but a {type(value).__name__} was given. Return "
                "MaterializeResult(...) instead, or declare a value-carrying output.",
                dagster_type=dagster_type), False)
        return TypeCheckData(True, label)
    try:
        check = dagster_type.type_check(context, value)
    except Exception as e:
        raise StepFailed(e, True, ("DagsterTypeCheckError", (
            f'Error occurred while type-checking {kind} "{label}" of {_what(step)}, with Python '
            f"type {type(value)} and Dagster type {dagster_type.display_name}"))) from None
    return TypeCheckData(check.success, label, check.description, dict(check.metadata))


def _load_op_input(rc: Any, step: Step, oi: Any, log: LogManager) -> Any:
    """An op input: a constant, or upstream op output(s) loaded through their IO managers."""
    if oi.kind == "value":
        return oi.value
    if oi.kind == "from_run":  # re-execution: an output an earlier run stored
        run_id, up_key, output, up_op = oi.value
        return _load_earlier_output(rc, step, oi.param, run_id, up_key, output, up_op, log)
    if oi.kind == "asset":  # an AssetSpec or @asset given as the op's input in the graph
        return _load_asset_input(rc, step, oi.param, oi.value, log)
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
    io_key = (out_def.io_manager_key if out_def else None) or DEFAULT_IO_MANAGER_KEY
    asset_key = up.asset_outputs.get(output)  # an op of a graph-backed asset, producing it
    spec = up.definition.get_asset_spec(asset_key) if asset_key is not None else None
    upstream = OutputContext(name=output, step_key=up.key + key_suffix, run_id=rc.run_id,
                             definition_metadata=(spec.metadata if spec is not None else
                                                  out_def.metadata if out_def else None),
                             resources=rc.resources, op_def=up.op, log=log,
                             dagster_type=resolve_type(out_def.dagster_type if out_def else None),
                             asset_key=asset_key, asset_spec=spec,
                             partition_key=rc.partition_key,
                             asset_partitions=rc.asset_scope(asset_key), mapping_key=mapping_key,
                             default_base_dir=rc.base_dir)
    in_def = step.op.ins.get(param)
    ctx = InputContext(name=param, upstream_output=upstream, resources=rc.resources,
                       definition_metadata=in_def.metadata if in_def else None, op_def=step.op,
                       log=log, step_key=step.key, asset_key=asset_key,
                       dagster_type=resolve_type(in_def.dagster_type if in_def else None),
                       default_base_dir=rc.base_dir)
    return _load(rc, step, param, io_key, ctx)


def _load_asset_input(rc: Any, step: Step, param: str, asset_input: Any,
                      log: LogManager) -> Any:
    """An asset passed as an op input: read through the input's own input manager, else the
    asset's IO manager, with the asset as the upstream output (no step of this run made it)."""
    key, spec = asset_input.key, asset_input.spec
    in_def = step.op.ins.get(param)
    io_key = (in_def.input_manager_key if in_def else None) or asset_input.io_manager_key
    upstream = OutputContext(name=key.path[-1], asset_key=key, run_id=rc.run_id,
                             definition_metadata=spec.metadata, resources=rc.resources, log=log,
                             asset_spec=spec, default_base_dir=rc.base_dir)
    ctx = InputContext(name=param, asset_key=key, upstream_output=upstream,
                       definition_metadata=in_def.metadata if in_def else None,
                       resources=rc.resources, op_def=step.op, log=log, step_key=step.key,
                       dagster_type=resolve_type(in_def.dagster_type if in_def else None),
                       default_base_dir=rc.base_dir)
    return _load(rc, step, param, io_key, ctx)


def _load(rc: Any, step: Step, param: str, io_key: str, ctx: InputContext,
          stored_by: str = "") -> Any:
    """Load an input through IO manager ``io_key`` and record LOADED_INPUT. A storage failure
    of a shipped IO manager is not the user's code; any other failure is (an IO manager is
    user code), said to be the IO manager's in the failure's message."""
    manager = getattr(rc.resources, io_key)
    try:
        value = manager.load_input(ctx)
    except IOManagerStorageError as e:
        e.io_manager_key = io_key
        raise StepFailed(e, False) from None
    except Exception as e:
        raise StepFailed(e, True, during=f"IO manager {io_key!r} ({type(manager).__name__}) "
                         f"could not load input {param!r}") from None
    rc.emit(EventType.LOADED_INPUT, step,
            f'Loaded input "{param}" using input manager "{io_key}"{stored_by}',
            LoadedInputData(param, io_key))
    return value


def _reading_asset(step: Step) -> Any:
    """The asset whose partitions a step's inputs are mapped from: the asset it materializes
    (an inner op of a graph-backed asset: that asset). None for a check, which reads its asset
    as unpartitioned code does (every partition), as in Dagster."""
    key = next(iter(step.asset_outputs.values()), None)
    owner = getattr(step.definition, "assets_def", None)
    if key is None and owner is not None:
        key = next(iter(owner.keys_by_output_name.values()))
    return key


def _load_input(rc: Any, step: Step, inp: Any, log: LogManager, context: Any) -> Any:
    graph = rc.plan.graph
    up_def = graph.definition_for(inp.asset_key)
    scope = None
    if rc.partitions is not None or graph.partitions_def_for(inp.asset_key) is not None:
        scope = upstream_scope(graph, rc.partitions, _reading_asset(step), inp.asset_key,
                               rc.instance)
        context._input_partitions[inp.param] = scope
    in_def = step.op.ins.get(inp.param)
    io_key = (in_def.input_manager_key if in_def else None) or up_def.io_manager_key_for(inp.asset_key)
    up_spec = up_def.get_asset_spec(inp.asset_key)
    upstream = OutputContext(name=up_def.output_name_for_key(inp.asset_key),
                             asset_key=inp.asset_key,
                             step_key=up_def.op.name if up_def.op else None, run_id=rc.run_id,
                             definition_metadata=up_spec.metadata, resources=rc.resources,
                             op_def=up_def.op, log=log, partition_key=rc.partition_key,
                             asset_spec=up_spec, asset_partitions=scope,
                             default_base_dir=rc.base_dir)
    ctx = InputContext(name=inp.param, asset_key=inp.asset_key, upstream_output=upstream,
                       definition_metadata=in_def.metadata if in_def else None,
                       resources=rc.resources, op_def=step.op, log=log,
                       partition_key=rc.partition_key, step_key=step.key,
                       dagster_type=resolve_type(in_def.dagster_type if in_def else None),
                       asset_partitions=scope, default_base_dir=rc.base_dir)
    upstream.dagster_type = resolve_type(up_def.op.outs[upstream.name].dagster_type
                                         if up_def.op and upstream.name in up_def.op.outs else None)
    return _load(rc, step, inp.param, io_key, ctx)


def _emit_output(rc: Any, step: Step, context: Any, name: str, value: Any,
                 dagster_type: Any, mapping_key: str | None = None) -> None:
    """STEP_OUTPUT with the output's type check; fails the step after it if the check failed."""
    check = (_type_check(step, context, dagster_type, value, name, "output")
             if value is not NO_VALUE else _type_check(step, context, ANY, None, name, "output"))
    rc.emit(EventType.STEP_OUTPUT, step, _typed_message(f'Yielded output "{name}"', dagster_type,
                                                        check),
            StepOutputData(StepOutputHandle(step.key, name, mapping_key), {}, check))
    if not check.success:
        raise StepFailed(TypeCheckDidNotPass(
            f'Type check failed for step output "{name}" - expected type '
            f'"{dagster_type.display_name}". Description: {check.description}',
            check.metadata, dagster_type), False)


def _record_before_failure(rc: Any, step: Step, context: Any, yielded: Yielded,
                           what: str) -> None:
    """Outputs, materializations and check results a generator yielded before it raised: stored
    and recorded (nothing about what it did not reach); a problem doing so is logged, and the
    user's own error stays the step's failure."""
    try:
        _handle_outputs(rc, step, context, collect(step, yielded, what), what, partial=True)
    except Exception as e:  # the user's error is the one to report
        context.log.warning(f"{what}: could not record what it yielded before failing: {e}")


def _handle_outputs(rc: Any, step: Step, context: Any, collected: Any, what: str,
                    partial: bool = False) -> None:
    """Store and record a step's outputs, events and check results. ``partial``: what a failing
    generator yielded before it raised — missing outputs and checks are not errors then."""
    definition = step.definition
    produced = set()
    for ev in context.logged_events:  # logged while the function ran: before its outputs
        if isinstance(ev, (AssetMaterialization, AssetObservation)):
            _emit_asset_event(rc, step, ev)
    for out in collected.outputs:
        name = out.output_name
        if name in step.check_outputs:
            continue
        produced.add(name)
        if step.is_op:
            _handle_op_output(rc, step, context, out)
        else:
            out_type = resolve_type(step.op.outs[name].dagster_type)
            _emit_output(rc, step, context, name, out.value, out_type)
            _store_asset_output(rc, step, context, out, what, out_type)
    for ev in collected.events:
        _emit_asset_event(rc, step, ev)
    if partial:
        _record_checks(rc, step, collected.checks, what, partial=True)
        return
    if step.is_op:
        missing = [n for n, o in step.op.outs.items() if o.is_required and n not in produced
                   and not isinstance(o, DynamicOut)]  # yielding no mapping key is fine
        if missing:
            raise StepFailed(StepOutputNotFoundError(
                f'Core compute for op "{step.key}" did not return an output for non-optional '
                f'output "{missing[0]}"'), False)
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


def _emit_asset_event(rc: Any, step: Step, ev: Any) -> None:
    """An AssetMaterialization or AssetObservation the user's code logged, returned or yielded."""
    rc.emit(EventType.ASSET_OBSERVATION if isinstance(ev, AssetObservation)
            else EventType.ASSET_MATERIALIZATION, step, None, StepMaterializationData(ev))


def _store_asset_output(rc: Any, step: Step, context: Any, out: Any, what: str,
                        out_type: Any) -> None:
    """An output that is an asset: store it through the asset's IO manager and record the
    materialization (after STEP_OUTPUT)."""
    definition = step.definition
    name = out.output_name
    key = step.asset_outputs[name]
    metadata = {**out.metadata, **context.get_output_metadata(name)}
    # normalized once: the IO manager sees it, then the materialization records it
    md = normalize_metadata(metadata, where=f"{what} metadata") if metadata else {}
    handled = None
    if out.value is not NO_VALUE:
        io_key = definition.io_manager_key_for(key)
        spec = definition.get_asset_spec(key)
        octx = OutputContext(name=name, asset_key=key, step_key=step.key, run_id=rc.run_id,
                             definition_metadata=spec.metadata, resources=rc.resources,
                             op_def=step.op, log=context.log, partition_key=rc.partition_key,
                             asset_spec=spec, dagster_type=out_type,
                             asset_partitions=rc.asset_scope(key), default_base_dir=rc.base_dir,
                             output_metadata=md)
        _store(rc, io_key, octx, out.value, what, None)
        md.update(octx.get_logged_metadata())  # already normalized by add_output_metadata
        handled = io_key
    rc.capture(step.key, name, out.value, key)
    scope = rc.asset_scope(key)
    for partition in (scope.keys if scope is not None else (None,)):
        rc.emit(EventType.ASSET_MATERIALIZATION, step,
                f"Materialized value {key.to_user_string()}"
                + (f" partition {partition}." if partition is not None else "."),
                StepMaterializationData(AssetMaterialization(key, None, md, partition,
                                                             out.tags or None)))
    if handled is not None:
        rc.emit(EventType.HANDLED_OUTPUT, step,
                f'Handled output "{name}" using IO manager "{handled}"',
                HandledOutputData(name, handled, {}))


def _record_checks(rc: Any, step: Step, results: list[Any], what: str,
                   partial: bool = False) -> list[str]:
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
                                     r.severity, r.description, None, spec.blocking,
                                     # stamped for partitioned checks only, as in Dagster
                                     rc.partition_key if spec.partitions_def is not None
                                     else None))
        if spec.blocking and not r.passed and r.severity == AssetCheckSeverity.ERROR:
            failed_blocking.append(f"{spec.asset_key.to_user_string()}:{spec.name}")
    missing = [] if partial else sorted(s.name for s in specs.values() if s.key not in done)
    if missing:
        raise StepFailed(StepOutputNotFoundError(
            f"{what} did not return a result for its check(s) {missing}; return or yield an "
            "AssetCheckResult for each"), False)
    return failed_blocking


def _store(rc: Any, io_key: str, octx: OutputContext, value: Any, who: str,
           output_name: str | None) -> None:
    """Store a value through IO manager ``io_key``. A storage failure of a shipped IO manager
    (a full disk...) is not the user's code: its error names the value, the path and what to do.
    Any other failure is the user's (an IO manager is user code), noted with ``who`` and the
    output (``output_name``, else the value's type), and said to be the IO manager's."""
    manager = getattr(rc.resources, io_key)
    try:
        manager.handle_output(octx, value)
    except IOManagerStorageError as e:
        e.io_manager_key = io_key
        raise StepFailed(e, False) from None
    except Exception as e:
        stored = (f"output {output_name!r}" if output_name is not None
                  else f"the returned {type(value).__name__}")
        doing = f"IO manager {io_key!r} ({type(manager).__name__}) could not store {stored}"
        add_note = getattr(e, "add_note", None)  # Python 3.11+; the exception is unchanged
        if add_note is not None:
            add_note(f"{who}: {doing}")
        raise StepFailed(e, True, during=f"{doing} of {who}") from None


def _handle_op_output(rc: Any, step: Step, context: Any, out: Any) -> None:
    name = out.output_name
    out_def = step.op.outs[name]
    if isinstance(out_def, DynamicOut):
        if out.mapping_key is None:
            raise StepFailed(InvariantViolationError(
                f'Compute for op "{step.key}" for output "{name}" defined as dynamic must yield '
                "DynamicOutput, got Output."), False)
        if out.mapping_key in rc.mapping_keys.get((step.key, name), ()):
            raise StepFailed(InvariantViolationError(
                f'Compute for op "{step.key}" yielded a DynamicOutput with mapping_key '
                f'"{out.mapping_key}" multiple times.'), False)
    if out.mapping_key is not None and not _VALID_MAPPING_KEY.match(out.mapping_key):
        raise StepFailed(InvalidDefinitionError(
            f"op {step.key!r} yielded mapping key {out.mapping_key!r}: mapping keys may contain "
            "only letters, digits and '_'"), False)
    out_type = resolve_type(out_def.dagster_type)
    _emit_output(rc, step, context, name, out.value, out_type, out.mapping_key)
    if name in step.asset_outputs:  # an op of a graph-backed asset: its output is the asset
        _store_asset_output(rc, step, context, out, _what(step), out_type)
        rc.op_produced(step, name, None, out.value)
        return
    if out.value is NO_VALUE or out_type.is_nothing:
        rc.op_produced(step, name, out.mapping_key, None)
        return
    io_key = out_def.io_manager_key or DEFAULT_IO_MANAGER_KEY
    octx = OutputContext(name=name, step_key=step.key, run_id=rc.run_id,
                         definition_metadata=out_def.metadata, resources=rc.resources,
                         op_def=step.op, log=context.log, dagster_type=out_type,
                         mapping_key=out.mapping_key, default_base_dir=rc.base_dir,
                         output_metadata=normalize_metadata(
                             {**out.metadata, **context.get_output_metadata(name)},
                             where=f"op {step.key!r} output metadata"))
    _store(rc, io_key, octx, out.value, f"op {step.key!r}", name)
    rc.emit(EventType.HANDLED_OUTPUT, step, f'Handled output "{name}" using IO manager "{io_key}"',
            HandledOutputData(name, io_key, {}))
    rc.op_produced(step, name, out.mapping_key, out.value)


def _load_earlier_output(rc: Any, step: Step, param: str, run_id: str, up_key: str,
                         output: str, up_op: Any, log: LogManager) -> Any:
    """Re-execution: load an op output that an earlier run of the job stored."""
    out_def = up_op.outs.get(output) if up_op is not None else None
    io_key = (out_def.io_manager_key if out_def else None) or DEFAULT_IO_MANAGER_KEY
    upstream = OutputContext(name=output, step_key=up_key, run_id=run_id,
                             definition_metadata=out_def.metadata if out_def else None,
                             resources=rc.resources, op_def=up_op, log=log,
                             dagster_type=resolve_type(out_def.dagster_type if out_def else None),
                             default_base_dir=rc.base_dir)
    in_def = step.op.ins.get(param)
    ctx = InputContext(name=param, upstream_output=upstream, resources=rc.resources,
                       definition_metadata=in_def.metadata if in_def else None, op_def=step.op,
                       log=log, step_key=step.key,
                       dagster_type=resolve_type(in_def.dagster_type if in_def else None),
                       default_base_dir=rc.base_dir)
    return _load(rc, step, param, io_key, ctx, f" (stored by run {run_id})")
