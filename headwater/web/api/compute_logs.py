"""A run's captured stdout/stderr per step (masked of secrets when written), read from an
offset so the UI can follow a running step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from headwater.web.api import API
from headwater.web.context import WebContext
from headwater.web.errors import not_found
from headwater.web.routing import Call

if TYPE_CHECKING:
    from headwater.execution.compute_logs import ComputeLogManager

MAX_CHUNK = 1_000_000  # characters per answer; the client reads on from `next_offset`


class ComputeLogSteps(BaseModel):
    step_keys: list[str] = Field(description="the steps of the run that wrote anything")


class ComputeLogQuery(BaseModel):
    step_key: str = Field(min_length=1)
    io: Literal["stdout", "stderr"] = "stdout"
    offset: int = Field(0, ge=0, description="characters already read")


class ComputeLogChunk(BaseModel):
    step_key: str
    io: str
    data: str
    next_offset: int
    more: bool = Field(description="more was written than this answer holds")


def _manager(ctx: WebContext, run_id: str) -> ComputeLogManager:
    from headwater.execution.compute_logs import ComputeLogManager

    if ctx.instance.get_run_by_id(run_id) is None:
        raise not_found(f"run {run_id!r}")
    return ComputeLogManager.for_instance(ctx.instance)


@API.get("/runs/{run_id}/compute_logs", tag="runs", response=ComputeLogSteps)
def list_compute_logs(ctx: WebContext, call: Call[None, None]) -> ComputeLogSteps:
    """The steps of a run that printed anything."""
    manager = _manager(ctx, call.path["run_id"])
    return ComputeLogSteps(step_keys=manager.step_keys(call.path["run_id"]))


@API.get("/runs/{run_id}/compute_logs/read", tag="runs", query=ComputeLogQuery,
         response=ComputeLogChunk)
def read_compute_log(ctx: WebContext, call: Call[ComputeLogQuery, None]) -> ComputeLogChunk:
    """What a step printed to stdout or stderr, from ``offset`` on."""
    q = call.query
    manager = _manager(ctx, call.path["run_id"])
    text = manager.read(call.path["run_id"], q.step_key, q.io)
    chunk = text[q.offset:q.offset + MAX_CHUNK]
    end = min(len(text), q.offset + len(chunk)) if q.offset <= len(text) else q.offset
    return ComputeLogChunk(step_key=q.step_key, io=q.io, data=chunk, next_offset=end,
                           more=end < len(text))
