"""Runs: list (filters, cursor paging), one run, cancel."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from headwater.storage.runs import RunRecord, RunsFilter, RunStatus
from headwater.web.api import API
from headwater.web.context import WebContext
from headwater.web.errors import ApiError, not_found
from headwater.web.routing import Call

LOCATION_TAG = "headwater/code_location"
PARTITION_TAG = "dagster/partition"


class RunSummary(BaseModel):
    run_id: str
    job_name: str
    status: RunStatus
    created_at: float
    updated_at: float
    start_time: float | None
    end_time: float | None
    tags: dict[str, str]
    partition_key: str | None
    code_location: str | None
    parent_run_id: str | None
    root_run_id: str | None


class RunDetail(RunSummary):
    asset_selection: list[list[str]] | None
    op_selection: list[str] | None
    step_keys_to_execute: list[str] | None


class RunsPage(BaseModel):
    items: list[RunSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at "
                                                "the end")


class RunsQuery(BaseModel):
    status: list[RunStatus] | None = Field(None, description="any of these statuses")
    job_name: str | None = None
    tag: list[str] | None = Field(None, description="KEY=VALUE; every one must match")
    cursor: str | None = Field(None, description="the run id the previous page ended with")
    limit: int = Field(50, ge=1, le=1000)


class CancelResult(BaseModel):
    run_id: str
    status: RunStatus


def summary(record: RunRecord) -> dict[str, Any]:
    run = record.dagster_run
    tags = dict(run.tags)
    return {"run_id": run.run_id, "job_name": run.job_name, "status": run.status,
            "created_at": record.create_timestamp.timestamp(),
            "updated_at": record.update_timestamp.timestamp(),
            "start_time": record.start_time, "end_time": record.end_time, "tags": tags,
            "partition_key": tags.get(PARTITION_TAG), "code_location": tags.get(LOCATION_TAG),
            "parent_run_id": run.parent_run_id, "root_run_id": run.root_run_id}


@API.get("/runs", tag="runs", query=RunsQuery, response=RunsPage)
def list_runs(ctx: WebContext, call: Call[RunsQuery, None]) -> RunsPage:
    """Runs, newest first, filtered; a page at a time."""
    q = call.query
    tags: dict[str, str] = {}
    for item in q.tag or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ApiError(422, f"tag {item!r}: write KEY=VALUE")
        tags[key] = value
    filters = RunsFilter(job_name=q.job_name, statuses=q.status, tags=tags or None)
    if q.cursor is not None and ctx.instance.get_run_by_id(q.cursor) is None:
        raise ApiError(422, f"cursor {q.cursor!r} is not a run of this instance")
    records = ctx.instance.get_run_records(filters=filters, limit=q.limit + 1, cursor=q.cursor)
    more = len(records) > q.limit
    records = records[:q.limit]
    return RunsPage.model_validate({
        "items": [summary(r) for r in records],
        "next_cursor": records[-1].dagster_run.run_id if more else None})


@API.get("/runs/{run_id}", tag="runs", response=RunDetail)
def get_run(ctx: WebContext, call: Call[None, None]) -> RunDetail:
    """One run."""
    run_id = call.path["run_id"]
    record = ctx.instance.get_run_record_by_id(run_id)
    if record is None:
        raise not_found(f"run {run_id!r}")
    run = record.dagster_run
    return RunDetail.model_validate({
        **summary(record),
        "asset_selection": (None if run.asset_selection is None
                            else sorted(k.path for k in run.asset_selection)),
        "op_selection": None if run.op_selection is None else list(run.op_selection),
        "step_keys_to_execute": (None if run.step_keys_to_execute is None
                                 else list(run.step_keys_to_execute))})


@API.post("/runs/{run_id}/cancel", tag="runs", response=CancelResult)
def cancel_run(ctx: WebContext, call: Call[None, None]) -> CancelResult:
    """Cancel a run: a queued one at once, a running one cleanly (its worker stops)."""
    from headwater.definitions.errors import RunNotFoundError
    from headwater.execution.cancel import request_cancel

    run_id = call.path["run_id"]
    try:
        status = request_cancel(ctx.instance, run_id, reason="canceled from the web UI")
    except RunNotFoundError:
        raise not_found(f"run {run_id!r}") from None
    return CancelResult(run_id=run_id, status=status)
