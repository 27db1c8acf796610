"""Turning what a compute function returned or yielded into typed outputs."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from headwater.definitions.errors import InvalidDefinitionError, InvariantViolationError
from headwater.definitions.results import (
    AssetCheckResult,
    AssetMaterialization,
    AssetObservation,
    MaterializeResult,
    NoValueSentinel,
    Output,
)
from headwater.definitions.types import resolve_type
from headwater.execution.plan import Step

NO_VALUE = object()


class Yielded(list):  # type: ignore[type-arg]
    """What a generator compute function yielded, consumed while the user's code ran."""


@dataclass
class StepOutput:
    output_name: str
    value: Any = NO_VALUE  # NO_VALUE: nothing for the IO manager to store
    metadata: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    data_version: Any = None
    mapping_key: str | None = None


@dataclass
class CollectedOutputs:
    outputs: list[StepOutput] = field(default_factory=list)
    checks: list[AssetCheckResult] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)  # AssetMaterialization / AssetObservation


def _returns_none(fn: Any) -> bool:
    ann = getattr(fn, "__annotations__", {}).get("return", inspect.Parameter.empty)
    return ann is None or ann == "None"


def collect(step: Step, result: Any, what: str) -> CollectedOutputs:
    out = CollectedOutputs()
    # the outputs this step may produce: its selected assets', or an op's own
    produced_names = dict.fromkeys(step.op.outs) if step.is_op else step.asset_outputs
    items: Iterable[Any]
    if isinstance(result, Yielded) or inspect.isgenerator(result):
        items = list(result)
    elif step.is_check:
        items = result if isinstance(result, (list, tuple)) else [result]
    elif isinstance(result, tuple) and len(step.definition.op.outs) > 1 and not _all_results(result):
        names = [o for o in step.definition.op.outs if o not in step.check_outputs]
        selected = [o for o in names if o in produced_names]
        if len(result) != len(selected):
            raise InvariantViolationError(
                f"Length mismatch between returned tuple of outputs and number of output defs "
                f"on {what}. Output tuple has {len(result)} outputs, while it has "
                f"{len(selected)} outputs {selected}; return one value per output, in order.")
        items = [Output(v, output_name=n) for n, v in zip(selected, result, strict=True)]
    elif isinstance(result, tuple) and _all_results(result):
        items = list(result)
    else:
        if result is None and _returns_none(step.definition.op.compute_fn):
            items = [MaterializeResult()] if len(produced_names) == 1 and not step.is_op else []
        else:
            items = [result]
    single = next(iter(produced_names), None) if len(produced_names) == 1 else None
    for item in items:
        if isinstance(item, AssetCheckResult):
            out.checks.append(item)
        elif isinstance(item, MaterializeResult):
            name = _output_for(step, item.asset_key, single, what)
            value = NO_VALUE if item.value is NoValueSentinel else item.value
            out.outputs.append(StepOutput(name, value,
                                          dict(item.metadata or {}), item.tags or {},
                                          item.data_version))
            out.checks.extend(item.check_results)
        elif isinstance(item, Output):
            name = item.output_name
            if name == "result" and single is not None:
                name = single
            if name not in produced_names and name not in step.check_outputs:
                if name in step.definition.op.outs:
                    continue  # an output that was not selected
                raise InvariantViolationError(
                    f'Core compute for {what} returned an output "{name}" that does not exist. '
                    f"The available outputs are {list(produced_names)}")
            out.outputs.append(StepOutput(name, item.value, dict(item.metadata), item.tags,
                                          item.data_version, getattr(item, "mapping_key", None)))
        elif isinstance(item, (AssetMaterialization, AssetObservation)):
            out.events.append(item)
        elif step.is_check:
            raise InvalidDefinitionError(
                f"{what} returned {type(item).__name__}; an asset check must return an "
                "AssetCheckResult")
        elif single is not None:
            out.outputs.append(StepOutput(single, item))
        else:
            raise InvariantViolationError(
                f"{what} has multiple outputs {sorted(produced_names)}, but only one output was "
                f"returned, of type {type(item).__name__}. Return a tuple with a value for each "
                "output, or yield Output(value, output_name=...) / "
                "MaterializeResult(asset_key=...) for each.")
    produced = {o.output_name for o in out.outputs}
    for name in produced_names:  # outputs that carry no value count as produced
        op_out = step.definition.op.outs.get(name)
        if name not in produced and op_out is not None and op_out.is_required \
                and resolve_type(op_out.dagster_type).is_nothing:
            out.outputs.append(StepOutput(name))
    return out


def _all_results(values: tuple[Any, ...]) -> bool:
    return bool(values) and all(isinstance(v, (Output, MaterializeResult, AssetCheckResult))
                                for v in values)


def _output_for(step: Step, asset_key: Any, single: str | None, what: str) -> str:
    if asset_key is None:
        if single is None:
            raise InvalidDefinitionError(
                f"{what} returned MaterializeResult without asset_key, but it materializes "
                f"several assets; pass MaterializeResult(asset_key=...)")
        return single
    for name, key in step.asset_outputs.items():
        if key == asset_key:
            return name
    raise InvalidDefinitionError(
        f"{what} returned MaterializeResult for asset {asset_key.to_user_string()!r}, which this "
        f"step does not materialize ({sorted(k.to_user_string() for k in step.asset_outputs.values())})")
