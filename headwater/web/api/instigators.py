"""Schedules and sensors of every code location: list (on or off, next and latest tick), tick
history in cursor pages, start and stop.

On or off is the stored state when there is one (``headwater schedule start/stop``, this API)
and the code's ``default_status`` otherwise (``daemon/state.py``); start and stop store it as
the CLI does, and the daemon reads it on its next pass.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel, Field

from headwater.locations.contracts import (
    CodeLocation,
    LocationLoadError,
    LocationUnavailableError,
)
from headwater.locations.snapshot import LocationSnapshot
from headwater.storage.instigators import (
    InstigatorType,
    Tick,
    TickStatus,
    selector_id,
)
from headwater.web.api import API
from headwater.web.context import WebContext
from headwater.web.errors import ApiError, not_found
from headwater.web.routing import Call

SCHEDULES, SENSORS = "schedules", "sensors"
_TYPE = {SCHEDULES: InstigatorType.SCHEDULE, SENSORS: InstigatorType.SENSOR}
_NOUN = {SCHEDULES: "schedule", SENSORS: "sensor"}


class TickOut(BaseModel):
    tick_id: int
    status: TickStatus
    timestamp: float
    end_timestamp: float | None
    run_ids: list[str]
    run_keys: list[str]
    skip_reason: str | None
    error: str | None
    cursor: str | None = Field(description="a sensor's cursor after this tick")


class ScheduleOut(BaseModel):
    name: str
    location: str
    status: str = Field(description="RUNNING or STOPPED (stored state, else the code's default)")
    default_status: str
    cron_schedule: list[str]
    execution_timezone: str | None
    job_name: str | None
    description: str | None
    next_tick_time: float | None = Field(description="when it ticks next if running (null: "
                                                     "its cron cannot be evaluated)")
    latest_tick: TickOut | None


class SensorOut(BaseModel):
    name: str
    location: str
    status: str = Field(description="RUNNING or STOPPED (stored state, else the code's default)")
    default_status: str
    kind: str
    minimum_interval_seconds: int
    job_names: list[str]
    description: str | None
    asset_keys: list[list[str]]
    cursor: str | None
    latest_tick: TickOut | None


class SchedulesList(BaseModel):
    items: list[ScheduleOut]


class SensorsList(BaseModel):
    items: list[SensorOut]


class InstigatorsQuery(BaseModel):
    location: str | None = Field(None, description="only this code location's")
    status: str | None = Field(None, pattern="^(RUNNING|STOPPED)$")


class TicksQuery(BaseModel):
    status: list[TickStatus] | None = Field(None, description="only ticks with these statuses")
    cursor: str | None = Field(None, description="the `next_cursor` of the previous page")
    limit: int = Field(25, ge=1, le=1000)


class TicksPage(BaseModel):
    items: list[TickOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at "
                                                "the end")


def tick_out(tick: Tick) -> dict[str, Any]:
    return {"tick_id": tick.tick_id, "status": tick.status, "timestamp": tick.timestamp,
            "end_timestamp": tick.end_timestamp, "run_ids": list(tick.run_ids),
            "run_keys": list(tick.run_keys), "skip_reason": tick.skip_reason,
            "error": tick.error, "cursor": tick.cursor}


def _loaded(ctx: WebContext, only: str | None) -> Iterator[tuple[CodeLocation, LocationSnapshot]]:
    """The locations whose code is loaded (those that are not have their error on
    ``/code_locations``)."""
    for location in ctx.locations():
        if only is not None and location.name != only:
            continue
        try:
            yield location, location.snapshot()
        except (LocationLoadError, LocationUnavailableError):
            continue


def _status(state: Any, default_status: str) -> str:
    from headwater.daemon.state import is_running

    return "RUNNING" if is_running(state, default_status) else "STOPPED"


def _latest_tick(ctx: WebContext, sid: str) -> dict[str, Any] | None:
    ticks = ctx.instance.get_ticks(sid, limit=1)
    return tick_out(ticks[0]) if ticks else None


def _next_tick(cron: tuple[str, ...], timezone: str | None, now: float) -> float | None:
    from headwater.daemon.scheduler import due_ticks

    try:
        upcoming = due_ticks(cron, timezone, now, now, 1).next_time
    except Exception:  # noqa: BLE001 - a cron that cannot be evaluated has no next tick
        return None
    return upcoming if math.isfinite(upcoming) else None


def schedule_out(ctx: WebContext, location: str, s: Any, state: Any,
                 now: float) -> dict[str, Any]:
    return {"name": s.name, "location": location,
            "status": _status(state, s.default_status), "default_status": s.default_status,
            "cron_schedule": list(s.cron_schedule), "execution_timezone": s.execution_timezone,
            "job_name": s.job_name, "description": s.description,
            "next_tick_time": _next_tick(s.cron_schedule, s.execution_timezone, now),
            "latest_tick": _latest_tick(ctx, selector_id(location, s.name))}


def sensor_out(ctx: WebContext, location: str, s: Any, state: Any) -> dict[str, Any]:
    return {"name": s.name, "location": location,
            "status": _status(state, s.default_status), "default_status": s.default_status,
            "kind": s.kind.value, "minimum_interval_seconds": s.minimum_interval_seconds,
            "job_names": list(s.job_names), "description": s.description,
            "asset_keys": [list(k) for k in s.asset_keys],
            "cursor": state.cursor if state is not None else None,
            "latest_tick": _latest_tick(ctx, selector_id(location, s.name))}


def _states(ctx: WebContext, kind: str) -> dict[str, Any]:
    return {s.selector_id: s for s in ctx.instance.all_instigator_state(_TYPE[kind])}


@API.get("/schedules", tag="instigators", query=InstigatorsQuery, response=SchedulesList)
def list_schedules(ctx: WebContext, call: Call[InstigatorsQuery, None]) -> SchedulesList:
    """Every schedule: cron, on or off, next tick time, latest tick."""
    states, now = _states(ctx, SCHEDULES), time.time()
    items = [schedule_out(ctx, loc.name, s, states.get(selector_id(loc.name, s.name)), now)
             for loc, snap in _loaded(ctx, call.query.location) for s in snap.schedules]
    if call.query.status is not None:
        items = [i for i in items if i["status"] == call.query.status]
    return SchedulesList.model_validate({"items": items})


@API.get("/sensors", tag="instigators", query=InstigatorsQuery, response=SensorsList)
def list_sensors(ctx: WebContext, call: Call[InstigatorsQuery, None]) -> SensorsList:
    """Every sensor: kind, interval, on or off, cursor, latest tick."""
    states = _states(ctx, SENSORS)
    items = [sensor_out(ctx, loc.name, s, states.get(selector_id(loc.name, s.name)))
             for loc, snap in _loaded(ctx, call.query.location) for s in snap.sensors]
    if call.query.status is not None:
        items = [i for i in items if i["status"] == call.query.status]
    return SensorsList.model_validate({"items": items})


def _find(ctx: WebContext, kind: str, call: Call[Any, Any]) -> tuple[str, Any]:
    """(location name, the instigator's snap); 404 naming what is missing, 409 when the
    location's code is not loaded."""
    name, location_name = call.path["name"], call.path["location"]
    location = ctx.location(location_name)
    if location is None:
        raise not_found(f"code location {location_name!r}")
    try:
        snap = location.snapshot()
    except (LocationLoadError, LocationUnavailableError):
        raise ApiError(409, f"code location {location_name!r} is not loaded (see "
                            "/api/v1/code_locations for its error); reload it first") from None
    found = snap.schedule(name) if kind == SCHEDULES else snap.sensor(name)
    if found is None:
        raise not_found(f"{_NOUN[kind]} {name!r} in code location {location_name!r}")
    return location_name, found


def _parse_cursor(cursor: str) -> tuple[float, int]:
    ts, sep, tick_id = cursor.partition(":")
    try:
        value = (float(ts), int(tick_id))
    except ValueError:
        value = (math.nan, 0)
    if not sep or not math.isfinite(value[0]):
        raise ApiError(422, f"cursor {cursor!r} is not a cursor of this list: pass the "
                            "`next_cursor` of the previous page")
    return value


def _ticks_page(ctx: WebContext, sid: str, q: TicksQuery) -> dict[str, Any]:
    """Ticks newest first (by timestamp, then id), after the cursor's tick."""
    after = _parse_cursor(q.cursor) if q.cursor is not None else None
    want = q.limit + 1
    fetch = want
    while True:  # ticks sharing the cursor's timestamp are read again, then skipped
        before = None if after is None else math.nextafter(after[0], math.inf)
        ticks = ctx.instance.get_ticks(sid, limit=fetch, statuses=q.status, before=before)
        kept = [t for t in ticks
                if after is None or (t.timestamp, t.tick_id) < after]
        if len(kept) >= want or len(ticks) < fetch:
            break
        fetch *= 2
    kept = kept[:want]
    more = len(kept) > q.limit
    kept = kept[:q.limit]
    last = kept[-1] if kept else None
    return {"items": [tick_out(t) for t in kept],
            "next_cursor": f"{last.timestamp!r}:{last.tick_id}" if more and last else None}


def _register(kind: str) -> None:
    noun = _NOUN[kind]
    base = f"/{kind}/{{location}}/{{name}}"
    response = ScheduleOut if kind == SCHEDULES else SensorOut

    def named(fn: Callable[..., Any], name: str, doc: str) -> Callable[..., Any]:
        fn.__name__, fn.__qualname__, fn.__doc__ = name, name, doc
        return fn

    def ticks(ctx: WebContext, call: Call[TicksQuery, None]) -> TicksPage:
        location, found = _find(ctx, kind, call)
        return TicksPage.model_validate(
            _ticks_page(ctx, selector_id(location, found.name), call.query))

    def out(ctx: WebContext, location: str, found: Any) -> BaseModel:
        state = ctx.instance.get_instigator_state(selector_id(location, found.name))
        data = (schedule_out(ctx, location, found, state, time.time()) if kind == SCHEDULES
                else sensor_out(ctx, location, found, state))
        return response.model_validate(data)

    def setter(running: bool) -> Callable[..., Any]:
        def set_state(ctx: WebContext, call: Call[None, None]) -> BaseModel:
            from headwater.daemon.state import set_running

            location, found = _find(ctx, kind, call)
            set_running(ctx.instance, location, found.name, _TYPE[kind], running, time.time())
            return out(ctx, location, found)
        return set_state

    API.get(f"{base}/ticks", tag="instigators", query=TicksQuery, response=TicksPage)(
        named(ticks, f"list_{noun}_ticks", f"A {noun}'s ticks, newest first, a page at a "
                                           "time: status, runs, skip reason, error."))
    API.post(f"{base}/start", tag="instigators", response=response)(
        named(setter(True), f"start_{noun}", f"Turn a {noun} on (from now: no catch-up for "
                                             "the time it was off)."))
    API.post(f"{base}/stop", tag="instigators", response=response)(
        named(setter(False), f"stop_{noun}", f"Turn a {noun} off"
              + (" (its cursor is kept)." if kind == SENSORS else ".")))


_register(SCHEDULES)
_register(SENSORS)
