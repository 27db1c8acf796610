"""A run's event log: cursor pages by storage id, and a live tail by Server-Sent Events."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

import orjson
from pydantic import BaseModel, Field
from starlette.responses import StreamingResponse

from headwater.events.records import LOG_EVENT_TYPE, EventLogRecord, encode_entry
from headwater.web.api import API
from headwater.web.context import WebContext
from headwater.web.errors import ApiError, not_found
from headwater.web.routing import Call


class ErrorOut(BaseModel):
    message: str
    cls_name: str | None
    stack: list[str]
    cause: ErrorOut | None = Field(None, description="the error this one was raised from "
                                                     "(the user's, under a step's error)")


def error_out(info: Any) -> dict[str, Any] | None:
    if info is None:
        return None
    return {"message": info.message, "cls_name": info.cls_name, "stack": list(info.stack),
            "cause": error_out(info.cause)}


class EventOut(BaseModel):
    storage_id: int
    run_id: str
    timestamp: float
    event_type: str = Field(description=f"Dagster's event type, or {LOG_EVENT_TYPE} for a log")
    level: str
    message: str
    step_key: str | None
    asset_key: list[str] | None
    partition: str | None
    error: ErrorOut | None
    data: Any = Field(None, description="the event's own data (compact form)")


class EventsPage(BaseModel):
    items: list[EventOut]
    next_cursor: int | None = Field(description="pass as `cursor` for the next page; null "
                                                "when there is none yet")
    has_more: bool


class EventsQuery(BaseModel):
    cursor: int | None = Field(None, ge=0, description="the storage id to read after")
    limit: int = Field(500, ge=1, le=5000)
    event_type: list[str] | None = Field(None, description="only these event types")


class StreamQuery(BaseModel):
    cursor: int | None = Field(None, ge=0, description="the storage id to stream after")


def event_out(record: EventLogRecord) -> dict[str, Any]:
    entry = record.event_log_entry
    row = encode_entry(entry)
    body = orjson.loads(row["body"])
    ev = entry.dagster_event
    error = entry.error_info
    if error is None and ev is not None:
        failure = getattr(ev.event_specific_data, "error", None)
        error = failure if failure is not None and hasattr(failure, "stack") else None
    level = entry.level
    return {"storage_id": record.storage_id, "run_id": entry.run_id,
            "timestamp": entry.timestamp, "event_type": row["event_type"],
            "level": logging.getLevelName(level) if isinstance(level, int) else str(level),
            "message": (ev.message if ev is not None and ev.message else entry.user_message)
            or "",
            "step_key": entry.step_key,
            "asset_key": None if ev is None or ev.asset_key is None else list(ev.asset_key.path),
            "partition": row["partition"],
            "error": error_out(error),
            "data": body.get("d")}


def _known_run(ctx: WebContext, run_id: str) -> None:
    if ctx.instance.get_run_by_id(run_id) is None:
        raise not_found(f"run {run_id!r}")


@API.get("/runs/{run_id}/events", tag="runs", query=EventsQuery, response=EventsPage)
def list_run_events(ctx: WebContext, call: Call[EventsQuery, None]) -> EventsPage:
    """A page of a run's event log, in the order stored."""
    run_id, q = call.path["run_id"], call.query
    _known_run(ctx, run_id)
    try:
        result = ctx.instance.get_records_for_run(run_id, cursor=q.cursor, limit=q.limit,
                                                  of_type=q.event_type)
    except ValueError as e:
        raise ApiError(422, f"query.event_type: {e}") from None
    items = [event_out(r) for r in result.records]
    return EventsPage.model_validate({
        "items": items, "has_more": result.has_more,
        "next_cursor": items[-1]["storage_id"] if items else q.cursor})


@API.get("/runs/{run_id}/events/stream", tag="runs", query=StreamQuery,
         media_type="text/event-stream")
def stream_run_events(ctx: WebContext, call: Call[StreamQuery, None]) -> StreamingResponse:
    """The run's events as they are stored (Server-Sent Events: one `events` message per
    batch, its id the last storage id; an `end` message once the run has finished)."""
    run_id = call.path["run_id"]
    _known_run(ctx, run_id)
    after = call.query.cursor
    last = call.request.headers.get("last-event-id")
    if last is not None and last.isdigit():
        after = int(last)
    watch = ctx.instance.watch_run_events(run_id, after)
    return StreamingResponse(_sse(watch), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _sse(watch: Any) -> AsyncIterator[bytes]:
    """Batches from the watch (read on a thread of its own) as SSE messages; a client that
    goes away stops the watch."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[list[EventLogRecord] | None] = asyncio.Queue()

    def follow() -> None:
        try:
            for batch in watch:
                loop.call_soon_threadsafe(queue.put_nowait, batch)
        except Exception:  # noqa: BLE001 - the stream ends; the client may reconnect
            logging.getLogger("headwater.web").exception("event stream of %s failed",
                                                         watch.run_id)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=follow, name=f"sse-{watch.run_id}", daemon=True).start()
    try:
        yield b": connected\n\n"
        while True:
            batch = await queue.get()
            if batch is None:
                break
            data = orjson.dumps([event_out(r) for r in batch])
            yield b"event: events\nid: %d\ndata: %s\n\n" % (batch[-1].storage_id, data)
        yield b"event: end\ndata: {}\n\n"
    finally:
        watch.stop()
