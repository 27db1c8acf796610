"""Concurrency pools: each pool's limit, the steps holding its slots and those waiting; set a
pool's limit (as ``headwater instance concurrency get/set``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from headwater.web.api import API
from headwater.web.context import WebContext
from headwater.web.errors import ApiError
from headwater.web.routing import Call


class SlotHolder(BaseModel):
    run_id: str
    step_key: str


class WaitingStep(BaseModel):
    run_id: str
    step_key: str
    priority: int


class PoolOut(BaseModel):
    key: str
    limit: int
    using_default_limit: bool = Field(description="no limit of its own: the instance's "
                                                  "default (concurrency.pools.default_limit)")
    in_use: int
    pending: int
    holders: list[SlotHolder]
    waiting: list[WaitingStep]


class PoolsList(BaseModel):
    items: list[PoolOut]
    default_limit: int | None = Field(description="the limit of a pool with none of its own "
                                                  "(null: such a pool is not limited)")


class PoolLimit(BaseModel):
    limit: int = Field(ge=0, le=1_000_000, description="slots; 0 holds every step of the "
                                                       "pool back")


def pool_out(info: Any) -> dict[str, Any]:
    return {"key": info.concurrency_key, "limit": info.slot_count,
            "using_default_limit": info.using_default_limit,
            "in_use": info.active_slot_count, "pending": info.pending_step_count,
            "holders": [{"run_id": s.run_id, "step_key": s.step_key}
                        for s in info.claimed_slots],
            "waiting": [{"run_id": s.run_id, "step_key": s.step_key, "priority": s.priority}
                        for s in info.pending_steps]}


@API.get("/concurrency/pools", tag="concurrency", response=PoolsList)
def list_pools(ctx: WebContext, call: Call[None, None]) -> PoolsList:
    """Every concurrency pool: its limit, slots in use, steps waiting."""
    instance = ctx.instance
    infos = [instance.get_concurrency_info(key)
             for key in sorted(instance.get_concurrency_keys())]
    return PoolsList.model_validate({"items": [pool_out(i) for i in infos],
                                     "default_limit": instance.default_pool_limit()})


@API.post("/concurrency/pools/{key}", tag="concurrency", body=PoolLimit, response=PoolOut)
def set_pool_limit(ctx: WebContext, call: Call[None, PoolLimit]) -> PoolOut:
    """Set a pool's limit (a new pool is created)."""
    from headwater.definitions.errors import InvalidInvocationError

    key = call.path["key"]
    if not key.strip():
        raise ApiError(422, "a concurrency pool is named by a non-empty string")
    try:
        ctx.instance.set_concurrency_slots(key, call.body.limit)
    except InvalidInvocationError as e:
        raise ApiError(422, str(e)) from None
    return PoolOut.model_validate(pool_out(ctx.instance.get_concurrency_info(key)))
