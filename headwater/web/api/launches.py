"""Launching runs from the web: a job or an asset selection (with a partition, run config and
tags) checked against the code location's snapshot, then QUEUED for the daemon exactly as
``headwater job launch`` / ``headwater asset materialize --async`` queue it (``queue_run``);
and re-executing a finished run (from failure, chosen steps, or every step it ran), queued
the same way with its parent run.

What is checked before a launch: the location is loaded, the job or every asset exists and
can be materialized, op selections name the job's ops, the partition key belongs to the
target's partitions definition (rebuilt from the snapshot; dynamic keys from the instance)
-- all from the snapshot, since the web loads no user code -- and then the run config, by the
code location (``CodeLocation.validate_run_config``: the engine's own checks of every op's,
asset's, resource's and the executor's config, as the run would make them): a config the run
would fail with is a 422 listing every bad path (``fields``: ``body.run_config.<path>``), and
no run is queued. Run config is stored as given: an ``{"env": "NAME"}`` stays that, and no
response echoes it (nor a value a resource read from the environment: the location masks them).
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from headwater.definitions.asset_key import AssetKey
from headwater.locations.contracts import (
    CodeLocation,
    LocationLoadError,
    LocationUnavailableError,
)
from headwater.locations.snapshot import LocationSnapshot, PartitionsSnap
from headwater.storage.runs import RunStatus
from headwater.web.api import API
from headwater.web.context import WebContext
from headwater.web.errors import ApiError, FieldProblem, not_found
from headwater.web.routing import Call

RANGE = "..."
CONFIG_SECTIONS = frozenset({"ops", "solids", "resources", "execution", "loggers"})

KeyPath = Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]


class LaunchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: str = Field(min_length=1, description="the code location to run in")
    job_name: str | None = Field(None, description="a job to run (or asset_selection)")
    asset_selection: list[KeyPath] | str | None = Field(
        None, description="asset key paths, or a selection string such as \"*total\"")
    op_selection: list[str] | None = Field(None, description="ops of an op job to run")
    partition_key: str | None = Field(None, description="a partition, or a range START...END "
                                                        "run in one run")
    run_config: dict[str, Any] | None = None
    tags: dict[str, str] | None = None


class LaunchResult(BaseModel):
    run_id: str
    status: RunStatus
    job_name: str
    location: str
    asset_selection: list[list[str]] | None
    partition_key: str | None


class ReexecutionStrategy(str, enum.Enum):
    ALL_STEPS = "ALL_STEPS"
    FROM_FAILURE = "FROM_FAILURE"
    SELECTED = "SELECTED"


class ReexecuteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strategy: ReexecutionStrategy
    step_keys: list[Annotated[str, Field(min_length=1)]] | None = Field(
        None, description="with SELECTED: the steps to run again (the others' outputs load "
                          "from storage)")
    location: str | None = Field(None, description="the code location to run in (default: "
                                                   "the parent run's)")
    tags: dict[str, str] | None = None


def loaded_location(ctx: WebContext, name: str, field: str = "body.location",
                    ) -> tuple[CodeLocation, LocationSnapshot]:
    location = ctx.location(name)
    if location is None:
        known = sorted(loc.name for loc in ctx.locations())
        raise ApiError(422 if field.startswith("body") else 404,
                       f"no code location {name!r}"
                       + (f"; the locations are {', '.join(known)}" if known else ""),
                       (FieldProblem(field, "unknown code location"),))
    try:
        return location, location.snapshot()
    except (LocationLoadError, LocationUnavailableError):
        raise ApiError(409, f"code location {name!r} is not loaded (see /api/v1/code_locations "
                            "for its error); reload it first") from None


def _bad(loc: str, message: str) -> ApiError:
    return ApiError(422, message, (FieldProblem(loc, message),))


def _named_keys(snapshot: LocationSnapshot, paths: list[list[str]]) -> list[AssetKey]:
    known = {a.key for a in snapshot.assets}
    missing = ["/".join(p) for p in paths if tuple(p) not in known]
    if missing:
        raise _bad("body.asset_selection", f"asset(s) {', '.join(repr(m) for m in missing)} "
                   f"are not in code location {snapshot.location_name!r}")
    return [AssetKey(list(p)) for p in paths]


def _selected_keys(snapshot: LocationSnapshot, selection: list[list[str]] | str,
                   ) -> list[AssetKey]:
    from headwater.definitions.errors import InvalidSubsetError
    from headwater.web.snapshot_graph import resolve_selection

    if isinstance(selection, str):
        try:
            keys = resolve_selection(snapshot, selection)
        except InvalidSubsetError as e:
            raise _bad("body.asset_selection", str(e)) from None
    else:
        keys = _named_keys(snapshot, selection)
    by_key = {a.key: a for a in snapshot.assets}
    external = [k.to_user_string() for k in keys if not by_key[tuple(k.path)].is_executable]
    if isinstance(selection, str):
        keys = [k for k in keys if by_key[tuple(k.path)].is_executable]
        external = []
    if external:
        raise _bad("body.asset_selection", f"asset(s) {', '.join(external)} cannot be "
                   "materialized (external assets)")
    if not keys:
        raise _bad("body.asset_selection", f"the selection {selection!r} matches no asset "
                   "that can be materialized")
    return keys


def _split_partition(value: str) -> tuple[str | None, tuple[str, str] | None]:
    if RANGE not in value:
        return value, None
    start, _, end = value.partition(RANGE)
    if not start.strip() or not end.strip():
        raise _bad("body.partition_key", f"partition range {value!r} needs a start and an "
                   "end: START...END")
    return None, (start.strip(), end.strip())


def _check_partition(ctx: WebContext, target: str, snap: PartitionsSnap | None,
                     value: str | None) -> tuple[str | None, tuple[str, str] | None]:
    """The partition key or range of the run, checked against the target's definition."""
    from headwater.web.partitions import partition_key_problem

    if snap is None:
        if value is not None:
            raise _bad("body.partition_key", f"{target} is not partitioned: drop partition_key")
        return None, None
    if value is None:
        raise _bad("body.partition_key", f"{target} is partitioned: say which partition "
                   "(partition_key), or launch a backfill for many")
    key, key_range = _split_partition(value)
    for k in (key,) if key_range is None else key_range:
        assert k is not None
        problem = partition_key_problem(snap, k, ctx.instance)
        if problem is not None:
            raise _bad("body.partition_key", f"{target}: {problem}")
    return key, key_range


def _check_run_config(config: dict[str, Any] | None) -> None:
    from headwater.definitions.errors import InvalidConfigError
    from headwater.definitions.run_config import normalize_run_config

    if config is None:
        return
    unknown = sorted(set(config) - CONFIG_SECTIONS)
    if unknown:
        raise _bad("body.run_config", f"unknown run config section(s) {unknown}; run config "
                   f"has {sorted(CONFIG_SECTIONS - {'solids'})}")
    for section in ("ops", "resources", "execution", "loggers"):
        if section in config and not isinstance(config[section], dict):
            raise _bad(f"body.run_config.{section}", f"run config's {section!r} must be an "
                       "object")
    try:
        normalize_run_config(config)
    except (InvalidConfigError, TypeError, ValueError) as e:
        raise _bad("body.run_config", str(e)) from None


def _check_config_with_location(location: CodeLocation, body: LaunchBody,
                                keys: list[AssetKey] | None) -> None:
    """422 with every problem the run would fail with (asked of the code location)."""
    from headwater.definitions.jobs import IMPLICIT_ASSET_JOB_NAME
    from headwater.web.api.jobs import config_problems

    problems = config_problems(
        location, body.job_name or IMPLICIT_ASSET_JOB_NAME, body.run_config,
        None if keys is None else tuple(tuple(k.path) for k in keys), unsupported_ok=True)
    if problems:
        listed = "; ".join(f"{path}: {message}" if path else message
                           for path, message in problems)
        raise ApiError(422, f"run config has {len(problems)} problem(s): {listed}", tuple(
            FieldProblem(f"body.run_config.{path}" if path else "body.run_config", message)
            for path, message in problems))


def _job_target(body: LaunchBody, snapshot: LocationSnapshot) -> Any:
    job = snapshot.job(body.job_name or "")
    if job is None:
        names = sorted(j.name for j in snapshot.jobs if not j.name.startswith("__"))
        raise _bad("body.job_name", f"no job {body.job_name!r} in code location "
                   f"{snapshot.location_name!r}; its jobs are {names}")
    if body.op_selection is not None:
        if job.asset_keys or not job.op_names:
            raise _bad("body.op_selection", f"op_selection applies to op jobs; {job.name!r} "
                       "is an asset job")
        ops = set(job.op_names)
        unknown = [o for o in body.op_selection if o.split(".", 1)[0] not in ops]
        if unknown or not body.op_selection:
            raise _bad("body.op_selection", f"op(s) {unknown} are not ops of job {job.name!r}; "
                       f"its ops are {sorted(ops)}")
    return job


def _assets_partitions(snapshot: LocationSnapshot, keys: list[AssetKey]) -> PartitionsSnap | None:
    by_key = {a.key: a for a in snapshot.assets}
    defs = {by_key[tuple(k.path)].partitions for k in keys} - {None}
    if len(defs) > 1:
        raise _bad("body.asset_selection", "the selected assets have different partitions "
                   "definitions: launch one run per partitioning (or a backfill)")
    return next(iter(defs), None)


@API.post("/launches", tag="launches", body=LaunchBody, response=LaunchResult, status=201)
def launch_run(ctx: WebContext, call: Call[None, LaunchBody]) -> LaunchResult:
    """Queue a run of a job or an asset selection for the daemon (checked first)."""
    from headwater.definitions.errors import HeadwaterError
    from headwater.execution.launch import LaunchRequest
    from headwater.execution.stored_run import queue_run

    body = call.body
    if (body.job_name is None) == (body.asset_selection is None):
        raise _bad("body", "give job_name or asset_selection (one of them)")
    location, snapshot = loaded_location(ctx, body.location)
    keys: list[AssetKey] | None = None
    if body.job_name is not None:
        job = _job_target(body, snapshot)
        key, key_range = _check_partition(ctx, f"job {job.name!r}", job.partitions,
                                          body.partition_key)
    else:
        if body.op_selection is not None:
            raise _bad("body.op_selection", "op_selection applies to a job, not to assets")
        assert body.asset_selection is not None
        keys = _selected_keys(snapshot, body.asset_selection)
        key, key_range = _check_partition(ctx, "the selected assets",
                                          _assets_partitions(snapshot, keys),
                                          body.partition_key)
    _check_run_config(body.run_config)
    _check_config_with_location(location, body, keys)
    request = LaunchRequest(
        job_name=body.job_name, asset_selection=None if keys is None else tuple(keys),
        op_selection=None if body.op_selection is None else tuple(body.op_selection),
        partition_key=key, partition_range=key_range, run_config=body.run_config or None,
        tags=dict(body.tags or {}))
    try:
        run = queue_run(ctx.instance, request, body.location)
    except HeadwaterError as e:
        raise ApiError(422, str(e)) from None
    return LaunchResult(run_id=run.run_id, status=run.status, job_name=run.job_name,
                        location=body.location, partition_key=body.partition_key,
                        asset_selection=None if keys is None else [list(k.path) for k in keys])


# ------------------------------------------------------------------------- re-execution


def _steps_run(ctx: WebContext, run_id: str) -> list[str]:
    """The steps a run ran (from its event log), base keys of mapped steps, in order."""
    from headwater.events.records import EventType

    seen: dict[str, None] = {}
    for entry in ctx.instance.all_logs(run_id, of_type=EventType.STEP_START):
        if entry.step_key:
            seen.setdefault(entry.step_key.split("[", 1)[0], None)
    return list(seen)


def _check_steps(job: Any, steps: tuple[str, ...]) -> None:
    """An op job's steps are its ops (``graph.op`` inside a graph, ``op[key]`` when mapped);
    an asset job's steps are checked by the run (the snapshot does not list them)."""
    if job is None or job.asset_keys or not job.op_names:
        return
    ops = set(job.op_names)
    unknown = [s for s in steps if s.split("[", 1)[0].split(".", 1)[0] not in ops]
    if unknown:
        raise _bad("body.step_keys", f"step(s) {unknown} are not steps of job {job.name!r}; "
                   f"its ops are {sorted(ops)}")


@API.post("/runs/{run_id}/reexecute", tag="runs", body=ReexecuteBody, response=LaunchResult,
          status=201)
def reexecute_run(ctx: WebContext, call: Call[None, ReexecuteBody]) -> LaunchResult:
    """Queue a re-execution of a finished run: its failed steps, chosen steps, or every step
    it ran; linked to it as its parent."""
    from headwater.definitions.errors import HeadwaterError
    from headwater.definitions.tags import CODE_LOCATION_TAG
    from headwater.execution.launch import LaunchRequest
    from headwater.execution.run import EPHEMERAL_JOB_NAME
    from headwater.execution.stored_run import queue_run

    run_id, body = call.path["run_id"], call.body
    S = ReexecutionStrategy
    if (body.strategy == S.SELECTED) != bool(body.step_keys):
        raise _bad("body.step_keys", "step_keys go with strategy SELECTED (and it needs at "
                   "least one)")
    parent = ctx.instance.get_run_by_id(run_id)
    if parent is None:
        raise not_found(f"run {run_id!r}")
    if not parent.is_finished and run_id in ctx.instance.fail_dead_runs():
        parent = ctx.instance.get_run_by_id(run_id)  # its process was gone: now FAILURE
    if not parent.is_finished:
        raise ApiError(409, f"run {run_id} is {parent.status.value}: re-execute it once it has "
                            "finished (or cancel it)")
    if parent.job_name == EPHEMERAL_JOB_NAME:
        raise ApiError(409, f"run {run_id} materialized assets in process (materialize()), "
                            "outside any job of a code location: launch its assets again "
                            "(POST /api/v1/launches) instead of re-executing it")
    location_name = body.location or parent.tags.get(CODE_LOCATION_TAG)
    if location_name is None:
        raise _bad("body.location", f"run {run_id} names no code location: say which one "
                   "runs the re-execution (location)")
    _, snapshot = loaded_location(ctx, location_name)
    if snapshot.job(parent.job_name) is None:
        raise ApiError(409, f"job {parent.job_name!r} of run {run_id} is no longer in code "
                            f"location {location_name!r}")
    steps: tuple[str, ...] = ()
    if body.strategy == S.FROM_FAILURE:
        if parent.status == RunStatus.SUCCESS:
            raise ApiError(409, f"run {run_id} succeeded: there is nothing to re-execute from "
                                "failure (re-execute ALL_STEPS or SELECTED steps)")
    elif body.strategy == S.SELECTED:
        steps = tuple(dict.fromkeys(body.step_keys or ()))
        _check_steps(snapshot.job(parent.job_name), steps)
    else:
        steps = tuple(_steps_run(ctx, run_id))
        if parent.status != RunStatus.SUCCESS:
            raise ApiError(409, f"run {run_id} is {parent.status.value}: only a run that "
                                "succeeded can be re-executed ALL_STEPS from the web today (its "
                                "steps are known from its log); re-execute FROM_FAILURE, or "
                                "SELECTED steps")
        if not steps:
            raise ApiError(409, f"run {run_id} ran no step: there is nothing to re-execute")
    selection = None if parent.asset_selection is None else tuple(
        sorted(parent.asset_selection, key=lambda k: k.path))
    request = LaunchRequest(  # the child keeps the parent's selection, for its own children
        job_name=parent.job_name, parent_run_id=parent.run_id, asset_selection=selection,
        op_selection=None if parent.op_selection is None else tuple(parent.op_selection),
        step_selection=steps, from_failure=body.strategy == S.FROM_FAILURE,
        tags=dict(body.tags or {}))
    try:
        run = queue_run(ctx.instance, request, location_name)
    except HeadwaterError as e:
        raise ApiError(422, str(e)) from None
    return LaunchResult(run_id=run.run_id, status=run.status, job_name=run.job_name,
                        location=location_name, partition_key=run.tags.get("dagster/partition"),
                        asset_selection=None)
