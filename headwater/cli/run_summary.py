"""What happened to each asset and check of a run, derived from its event log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import click

from headwater.cli.output import format_duration, indent


@dataclass
class StepOutcome:
    status: str = "not run"  # success / failed / skipped / not run
    start: float | None = None
    end: float | None = None

    @property
    def duration(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


@dataclass
class RunOutcome:
    steps: dict[str, StepOutcome] = field(default_factory=dict)
    materialized: dict[Any, int] = field(default_factory=dict)  # asset key -> metadata count
    checks: dict[tuple[Any, str], bool] = field(default_factory=dict)  # (key, name) -> passed
    failures: list[Any] = field(default_factory=list)  # EventLogEntry of each failure
    start: float | None = None
    end: float | None = None


_STEP_STATUS = {"STEP_SUCCESS": "success", "STEP_FAILURE": "failed", "STEP_SKIPPED": "skipped"}


def outcome_from_logs(entries: Sequence[Any]) -> RunOutcome:
    out = RunOutcome()
    for entry in entries:
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type_value
        step = out.steps.setdefault(entry.step_key, StepOutcome()) if entry.step_key else None
        if kind == "PIPELINE_START":
            out.start = entry.timestamp
        elif kind in ("PIPELINE_SUCCESS", "PIPELINE_FAILURE", "PIPELINE_CANCELED"):
            out.end = entry.timestamp
        if kind == "PIPELINE_FAILURE" and getattr(event.event_specific_data, "error", None):
            out.failures.append(entry)
        if step is None:
            continue
        if kind == "STEP_START":
            step.start = entry.timestamp
            step.status = "running"
        elif kind in _STEP_STATUS:
            step.status = _STEP_STATUS[kind]
            step.end = entry.timestamp
            if kind == "STEP_FAILURE":
                out.failures.append(entry)
        elif kind == "ASSET_MATERIALIZATION" and event.materialization is not None:
            m = event.materialization
            out.materialized[m.asset_key] = len(m.metadata or {})
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            out.checks[(data.asset_key, data.check_name)] = data.passed
    return out


def asset_rows(graph: Any, keys: Sequence[Any], outcome: RunOutcome) -> list[list[Any]]:
    """One row per selected asset: key, status, duration of its step, metadata count."""
    rows = []
    for key in keys:
        op = graph.definition_for(key).op
        step = outcome.steps.get(op.name if op is not None else "", StepOutcome())
        if key in outcome.materialized:
            status = "success"
        elif step.status == "success":
            status = "no output"
        elif step.status == "skipped":
            status = "skipped (upstream failed)"
        else:
            status = step.status
        rows.append([key.to_user_string(), status, format_duration(step.duration),
                     outcome.materialized.get(key, "")])
    return rows


def check_rows(checks_defs: Sequence[Any], outcome: RunOutcome) -> list[list[Any]]:
    rows = []
    for cd in checks_defs:
        step = outcome.steps.get(cd.op.name, StepOutcome())
        for spec in cd.specs:
            passed = outcome.checks.get((spec.asset_key, spec.name))
            if passed is not None:
                status = "passed" if passed else "check failed"
            else:
                status = {"skipped": "skipped (upstream failed)"}.get(step.status, step.status)
            rows.append([f"check {spec.asset_key.to_user_string()}:{spec.name}", status,
                         format_duration(step.duration), ""])
    return rows


# Wrappers recorded around the user's exception (as Dagster records them): shown as their cause.
_WRAPPERS = {"DagsterExecutionStepExecutionError", "ExecutionStepExecutionError",
             "DagsterUserCodeExecutionError", "UserCodeExecutionError"}


def error_text(entry: Any) -> str:
    """The error of a failure event: the user's message and stack (their frames only)."""
    data = entry.dagster_event.event_specific_data
    error = getattr(data, "error", None)
    if error is None:
        return entry.message or ""
    while error.cls_name in _WRAPPERS and error.cause is not None and not error.stack:
        error = error.cause
    return error.to_string().rstrip()


def echo_failures(outcome: RunOutcome) -> None:
    """Each failure of the run with its error, on stderr."""
    for entry in outcome.failures:
        what = f"Step {entry.step_key!r}" if entry.step_key else "The run"
        click.echo(f"\n{what} failed:\n{indent(error_text(entry))}", err=True)
