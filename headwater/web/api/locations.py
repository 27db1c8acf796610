"""Code locations: status, load errors (the user's frames), reload."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from headwater.locations.contracts import LocationLoadError, LocationUnavailableError
from headwater.web.api import API
from headwater.web.context import WebContext
from headwater.web.errors import ApiError, not_found
from headwater.web.routing import Call


class LoadErrorOut(BaseModel):
    message: str
    cls_name: str | None
    stack: list[str]


class LocationOut(BaseModel):
    name: str
    status: str  # LOADED, FAILED (its code did not load), UNAVAILABLE (its server is down)
    origin: str
    loaded_at: float | None
    asset_count: int
    job_count: int
    schedule_count: int
    sensor_count: int
    error: LoadErrorOut | None


class LocationsList(BaseModel):
    items: list[LocationOut]


def location_out(location: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": location.name, "origin": "", "loaded_at": None,
                           "asset_count": 0, "job_count": 0, "schedule_count": 0,
                           "sensor_count": 0, "error": None}
    try:
        snap = location.snapshot()
    except LocationLoadError as e:
        info = e.info
        return {**out, "status": "FAILED", "error": {
            "message": info.message, "cls_name": info.cls_name, "stack": list(info.stack)}}
    except LocationUnavailableError as e:
        return {**out, "status": "UNAVAILABLE",
                "error": {"message": str(e), "cls_name": None, "stack": []}}
    return {**out, "status": "LOADED", "origin": snap.origin, "loaded_at": snap.loaded_at,
            "asset_count": len(snap.assets), "job_count": len(snap.jobs),
            "schedule_count": len(snap.schedules), "sensor_count": len(snap.sensors)}


@API.get("/code_locations", tag="code_locations", response=LocationsList)
def list_code_locations(ctx: WebContext, call: Call[None, None]) -> LocationsList:
    """Every code location with its status and, if its code failed to load, the error."""
    return LocationsList.model_validate({"items": [location_out(loc)
                                                   for loc in ctx.locations()]})


@API.post("/code_locations/{name}/reload", tag="code_locations", response=LocationOut)
def reload_code_location(ctx: WebContext, call: Call[None, None]) -> LocationOut:
    """Reload a location's code (its old definitions are served until the new ones load)."""
    name = call.path["name"]
    location = ctx.location(name)
    if location is None:
        raise not_found(f"code location {name!r}")
    try:
        if ctx.reload_location is not None:
            ctx.reload_location(name)
        else:
            location.reload()
    except LocationUnavailableError as e:
        raise ApiError(409, f"code location {name!r} cannot be reloaded now: {e}") from None
    return LocationOut.model_validate(location_out(ctx.location(name) or location))
