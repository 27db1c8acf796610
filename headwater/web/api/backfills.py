"""Backfills: list (status filter, cursor pages), one backfill with its progress and runs,
launch for the daemon (as ``headwater backfill launch`` without ``--wait``), cancel.

Progress is counted as ``headwater backfill show`` counts it: the partitions of the first
stage covered by successful, failed and unfinished runs (a partition's latest run wins); the
runs of later stages (assets of other partitionings) are counted apart.

A backfill is planned from the loaded definitions (backfill policies and partition mappings
are not in a snapshot): the code location plans and stores it (``launch_backfill``, a code
server's call), and the web reads it back.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from headwater.storage.backfills import BackfillRun, BulkActionStatus, PartitionBackfill
from headwater.storage.runs import RunStatus
from headwater.web.api import API
from headwater.web.context import WebContext
from headwater.web.errors import ApiError, FieldProblem, not_found
from headwater.web.routing import Call

_POLICY = re.compile(r"^(auto|single-run|per-partition|multi-run:([1-9][0-9]{0,5}))$")
RUNS_SHOWN = 100

KeyPath = Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]


class Progress(BaseModel):
    requested: int = Field(description="partitions of the backfill (its first stage's)")
    succeeded: int
    failed: int
    in_progress: int
    pending: int = Field(description="not run yet")
    later_stage_runs: int = Field(description="runs of assets of other partitionings")
    later_stage_succeeded: int
    later_stage_failed: int


class BackfillRunOut(BaseModel):
    run_id: str
    status: RunStatus
    partition_key: str | None
    partition_range_start: str | None
    partition_range_end: str | None
    stage: str | None


class BackfillOut(BaseModel):
    backfill_id: str
    status: BulkActionStatus
    title: str | None
    created_at: float
    updated_at: float | None
    end_time: float | None
    location: str | None
    job_name: str | None
    asset_selection: list[list[str]]
    partition_count: int
    first_partition: str | None
    last_partition: str | None
    max_partitions_per_run: int | None = Field(description="null: one run for every partition")
    tags: dict[str, str]
    error: str | None
    progress: Progress


class BackfillDetail(BackfillOut):
    run_count: int
    runs: list[BackfillRunOut] = Field(description=f"its newest {RUNS_SHOWN} runs, oldest "
                                                   "first")


class BackfillsPage(BaseModel):
    items: list[BackfillOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at "
                                                "the end")


class BackfillsQuery(BaseModel):
    status: list[BulkActionStatus] | None = Field(None, description="any of these statuses")
    cursor: str | None = Field(None, description="the backfill id the previous page ended "
                                                 "with")
    limit: int = Field(20, ge=1, le=200)


class PartitionRange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: str = Field(min_length=1)
    end: str = Field(min_length=1)


class BackfillLaunch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: str = Field(min_length=1, description="the code location the daemon runs it in")
    asset_selection: list[KeyPath] | str | None = Field(
        None, description="asset key paths or a selection string (or job_name)")
    job_name: str | None = Field(None, description="an asset job: its assets")
    partition_keys: list[Annotated[str, Field(min_length=1)]] | None = Field(None, min_length=1)
    partition_range: PartitionRange | None = None
    all_partitions: bool = False
    policy: str = Field("auto", description="partitions per run: auto (the assets' "
                                            "BackfillPolicy), single-run, per-partition, "
                                            "multi-run:N")
    title: str | None = Field(None, max_length=500)
    tags: dict[str, str] | None = None


def _run_out(run: BackfillRun) -> dict[str, Any]:
    return {"run_id": run.run_id, "status": run.status, "partition_key": run.partition_key,
            "partition_range_start": run.partition_range_start,
            "partition_range_end": run.partition_range_end, "stage": run.stage}


def progress(backfill: PartitionBackfill, runs: list[BackfillRun]) -> dict[str, int]:
    """Partitions covered by successful, failed and unfinished runs (the latest run of a
    partition wins), as ``headwater backfill show`` counts them."""
    keys = list(backfill.partition_keys)
    position = {k: i for i, k in enumerate(keys)}
    latest: dict[str, str] = {}
    later = [r for r in runs if r.stage not in (None, "0")]
    for run in runs:  # oldest first
        if run.stage not in (None, "0"):
            continue
        if run.partition_key is not None:
            covered = [run.partition_key]
        elif run.partition_range_start in position and run.partition_range_end in position:
            covered = keys[position[run.partition_range_start]:
                           position[run.partition_range_end] + 1]
        else:
            continue
        state = ("done" if run.status == RunStatus.SUCCESS else
                 "failed" if run.is_finished else "running")
        for k in covered:
            latest[k] = state
    values = list(latest.values())
    done, failed, running = (values.count("done"), values.count("failed"),
                             values.count("running"))
    later_ok = sum(r.status == RunStatus.SUCCESS for r in later)
    return {"requested": len(keys), "succeeded": done, "failed": failed,
            "in_progress": running, "pending": max(0, len(keys) - done - failed - running),
            "later_stage_runs": len(later), "later_stage_succeeded": later_ok,
            "later_stage_failed": sum(r.is_finished for r in later) - later_ok}


def backfill_out(backfill: PartitionBackfill, runs: list[BackfillRun]) -> dict[str, Any]:
    from headwater.definitions.tags import CODE_LOCATION_TAG

    keys = backfill.partition_keys
    return {"backfill_id": backfill.backfill_id, "status": backfill.status,
            "title": backfill.title, "created_at": backfill.create_timestamp,
            "updated_at": backfill.update_timestamp, "end_time": backfill.end_timestamp,
            "location": backfill.tags.get(CODE_LOCATION_TAG), "job_name": backfill.job_name,
            "asset_selection": [list(k.path) for k in backfill.asset_selection],
            "partition_count": len(keys), "first_partition": keys[0] if keys else None,
            "last_partition": keys[-1] if keys else None,
            "max_partitions_per_run": backfill.max_partitions_per_run,
            "tags": dict(backfill.tags), "error": backfill.error,
            "progress": progress(backfill, runs)}


@API.get("/backfills", tag="backfills", query=BackfillsQuery, response=BackfillsPage)
def list_backfills(ctx: WebContext, call: Call[BackfillsQuery, None]) -> BackfillsPage:
    """Backfills, newest first, with their progress; a page at a time."""
    q, instance = call.query, ctx.instance
    if q.cursor is not None and instance.get_backfill(q.cursor) is None:
        raise ApiError(422, f"cursor {q.cursor!r} is not a backfill of this instance")
    backfills = instance.get_backfills(status=q.status, limit=q.limit + 1, cursor=q.cursor)
    more = len(backfills) > q.limit
    backfills = backfills[:q.limit]
    return BackfillsPage.model_validate({
        "items": [backfill_out(b, instance.get_backfill_runs(b.backfill_id))
                  for b in backfills],
        "next_cursor": backfills[-1].backfill_id if more else None})


def _get(ctx: WebContext, backfill_id: str) -> PartitionBackfill:
    backfill = ctx.instance.get_backfill(backfill_id)
    if backfill is None:
        raise not_found(f"backfill {backfill_id!r}")
    return backfill


def _detail(ctx: WebContext, backfill: PartitionBackfill) -> BackfillDetail:
    runs = ctx.instance.get_backfill_runs(backfill.backfill_id)
    return BackfillDetail.model_validate({
        **backfill_out(backfill, runs), "run_count": len(runs),
        "runs": [_run_out(r) for r in runs[-RUNS_SHOWN:]]})


@API.get("/backfills/{backfill_id}", tag="backfills", response=BackfillDetail)
def get_backfill(ctx: WebContext, call: Call[None, None]) -> BackfillDetail:
    """One backfill: partitions succeeded, failed, in progress and pending; its runs."""
    return _detail(ctx, _get(ctx, call.path["backfill_id"]))


def _bad(loc: str, message: str) -> ApiError:
    return ApiError(422, message, (FieldProblem(loc, message),))


def _per_run(policy: str) -> Any:
    m = _POLICY.match(policy)
    if m is None:
        raise _bad("body.policy", f"policy {policy!r} is not one of auto, single-run, "
                   "per-partition, multi-run:N (e.g. multi-run:30)")
    return {"auto": "policy", "single-run": None, "per-partition": 1}.get(
        policy, int(m.group(2) or 1))


def _selection(body: BackfillLaunch, snapshot: Any) -> str | tuple[tuple[str, ...], ...]:
    """What to backfill: the keys named (checked against the snapshot), the selection
    string, or the asset job's assets."""
    if (body.job_name is None) == (body.asset_selection is None):
        raise _bad("body", "give asset_selection or job_name (one of them)")
    if body.job_name is not None:
        job = snapshot.job(body.job_name)
        if job is None:
            raise _bad("body.job_name", f"no job {body.job_name!r} in code location "
                       f"{snapshot.location_name!r}")
        if not job.asset_keys:
            raise _bad("body.job_name", f"job {body.job_name!r} is an op job: a backfill "
                       "materializes assets (launch its partitions one by one instead)")
        return tuple(job.asset_keys)
    if isinstance(body.asset_selection, str):
        return body.asset_selection
    known = {a.key for a in snapshot.assets}
    paths = [tuple(p) for p in body.asset_selection or []]
    missing = ["/".join(p) for p in paths if p not in known]
    if missing:
        raise _bad("body.asset_selection", f"asset(s) {', '.join(repr(m) for m in missing)} "
                   f"are not in code location {snapshot.location_name!r}")
    return tuple(paths)


@API.post("/backfills", tag="backfills", body=BackfillLaunch, response=BackfillDetail,
          status=201)
def launch_backfill(ctx: WebContext, call: Call[None, BackfillLaunch]) -> BackfillDetail:
    """Store a backfill for the daemon, which queues its runs (as `headwater backfill
    launch` without --wait)."""
    from headwater.locations.contracts import (
        BackfillRequest,
        InvalidRequestError,
        LocationLoadError,
        LocationUnavailableError,
    )
    from headwater.web.api.launches import loaded_location

    body = call.body
    chosen = (body.partition_keys is not None) + (body.partition_range is not None) \
        + body.all_partitions
    if chosen != 1:
        raise _bad("body", "say which partitions: partition_keys, partition_range or "
                   "all_partitions (exactly one)")
    per_run = _per_run(body.policy)
    location, snapshot = loaded_location(ctx, body.location)
    request = BackfillRequest(
        selection=_selection(body, snapshot),
        partition_keys=None if body.partition_keys is None else tuple(body.partition_keys),
        partition_range=None if body.partition_range is None
        else (body.partition_range.start, body.partition_range.end),
        all_partitions=body.all_partitions, max_partitions_per_run=per_run,
        tags=tuple((body.tags or {}).items()), title=body.title)
    plan = getattr(location, "launch_backfill", None)
    try:
        if plan is None:
            raise NotImplementedError
        backfill_id = plan(request)
    except InvalidRequestError as e:
        raise ApiError(422, str(e)) from None
    except NotImplementedError:
        raise ApiError(409, f"code location {body.location!r} does not plan backfills: launch "
                            f"it with `headwater backfill launch -l {body.location} ...`"
                       ) from None
    except (LocationLoadError, LocationUnavailableError) as e:
        raise ApiError(409, f"code location {body.location!r} cannot plan the backfill now: "
                            f"{e}") from None
    backfill = ctx.instance.get_backfill(backfill_id)
    if backfill is None:  # stored on another instance than this server's
        raise ApiError(409, f"code location {body.location!r} stored backfill {backfill_id} "
                            "on another instance than this server's")
    return _detail(ctx, backfill)


@API.post("/backfills/{backfill_id}/cancel", tag="backfills", response=BackfillDetail)
def cancel_backfill(ctx: WebContext, call: Call[None, None]) -> BackfillDetail:
    """Cancel a backfill: its queued runs are canceled, no new run starts (runs in progress
    finish), then it is CANCELED."""
    from headwater.definitions.errors import HeadwaterError
    from headwater.execution.backfill import cancel_backfill as cancel

    backfill = _get(ctx, call.path["backfill_id"])
    if backfill.is_finished:
        raise ApiError(409, f"backfill {backfill.backfill_id} already finished "
                            f"({backfill.status.value}): nothing to cancel")
    try:
        canceled = cancel(ctx.instance, backfill.backfill_id)
    except HeadwaterError as e:
        raise ApiError(409, str(e)) from None
    return _detail(ctx, canceled)
