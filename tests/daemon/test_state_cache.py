"""The daemon's cache of instigator states: reads what changed, forgets deleted rows on its
full refresh."""

from __future__ import annotations

from headwater.daemon.state import StateCache
from headwater.storage.instigators import InstigatorState, InstigatorStatus, InstigatorType


def sensor(name: str, cursor: str | None = None) -> InstigatorState:
    return InstigatorState(name, InstigatorType.SENSOR, InstigatorStatus.RUNNING, "loc",
                           cursor=cursor)


def test_changes_are_read_incrementally_and_deletions_on_the_full_refresh(instance):
    instance.set_instigator_state(sensor("a"))
    instance.set_instigator_state(sensor("b"))
    instance.set_instigator_state(InstigatorState("s", InstigatorType.SCHEDULE,
                                                  InstigatorStatus.RUNNING, "loc"))
    cache = StateCache(instance, InstigatorType.SENSOR, full_refresh_seconds=3600)
    assert sorted(cache.current()) == ["loc:a", "loc:b"]
    instance.set_instigator_state(sensor("a", cursor="7"))
    instance.set_instigator_state(sensor("c"))
    instance.delete_instigator_state("loc:b")
    states = cache.current()
    assert states["loc:a"].cursor == "7" and "loc:c" in states
    assert "loc:b" in states  # a deleted row is only noticed by a full read
    cache.full_refresh_seconds = 0
    assert sorted(cache.current()) == ["loc:a", "loc:c"]

