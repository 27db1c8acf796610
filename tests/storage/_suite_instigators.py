"""Schedule/sensor state and concurrency pools, written once; test_backends.py binds them."""

from __future__ import annotations

import pytest

from headwater.definitions.errors import InvalidInvocationError
from headwater.storage.concurrency import ConcurrencySlotStatus
from headwater.storage.errors import TickAlreadyExistsError
from headwater.storage.instigators import (
    InstigatorState,
    InstigatorStatus,
    InstigatorType,
    TickStatus,
)

SENSOR = InstigatorState("my_sensor", InstigatorType.SENSOR, InstigatorStatus.RUNNING, "loc")


class ScheduleStorageSuite:
    def test_instigator_state_round_trip(self, instance):
        assert instance.get_instigator_state("loc:my_sensor") is None
        stored = instance.set_instigator_state(SENSOR.with_cursor("c1"))
        assert stored.update_timestamp is not None
        got = instance.get_instigator_state("loc:my_sensor")
        assert got == stored and got.cursor == "c1" and got.is_running
        instance.set_instigator_state(got.with_status(InstigatorStatus.STOPPED))
        assert instance.get_instigator_state("loc:my_sensor").status == InstigatorStatus.STOPPED
        schedule = InstigatorState("daily", InstigatorType.SCHEDULE, InstigatorStatus.RUNNING,
                                   "loc", extra={"cron": "0 0 * * *"})
        instance.set_instigator_state(schedule)
        assert [s.name for s in instance.all_instigator_state()] == ["daily", "my_sensor"]
        only = instance.all_instigator_state(InstigatorType.SCHEDULE)
        assert [s.extra for s in only] == [{"cron": "0 0 * * *"}]
        instance.delete_instigator_state("loc:daily")
        assert [s.name for s in instance.all_instigator_state()] == ["my_sensor"]

    def test_states_are_filtered_by_their_update_time(self, instance):
        first = instance.set_instigator_state(SENSOR)
        later = instance.set_instigator_state(
            InstigatorState("other", InstigatorType.SENSOR, InstigatorStatus.RUNNING, "loc"))
        since = instance.all_instigator_state(InstigatorType.SENSOR,
                                              updated_after=first.update_timestamp - 1)
        assert sorted(s.name for s in since) == ["my_sensor", "other"]
        assert instance.all_instigator_state(updated_after=later.update_timestamp) == []

    def test_a_tick_key_is_recorded_once(self, instance):
        tick = instance.create_tick("loc:daily", "daily", InstigatorType.SCHEDULE,
                                    "2024-01-01T00:00", 100.0)
        assert tick.status == TickStatus.STARTED and tick.tick_id > 0
        with pytest.raises(TickAlreadyExistsError, match="daily"):
            instance.create_tick("loc:daily", "daily", InstigatorType.SCHEDULE,
                                 "2024-01-01T00:00", 101.0)
        assert len(instance.get_ticks("loc:daily")) == 1
        other = instance.create_tick("loc:other", "other", InstigatorType.SCHEDULE,
                                     "2024-01-01T00:00", 100.0)
        assert other.tick_id != tick.tick_id

    def test_tick_and_cursor_commit_together(self, instance):
        instance.set_instigator_state(SENSOR)
        tick = instance.create_tick("loc:my_sensor", "my_sensor", InstigatorType.SENSOR,
                                    "eval-1", 10.0)
        from dataclasses import replace

        done = instance.update_tick(replace(tick, status=TickStatus.SUCCESS, run_ids=("r1",),
                                            run_keys=("k1",)), cursor="c2", set_cursor=True)
        assert done.end_timestamp is not None
        got = instance.get_tick("loc:my_sensor", "eval-1")
        assert got == done and got.run_ids == ("r1",) and got.is_finished
        state = instance.get_instigator_state("loc:my_sensor")
        assert state.cursor == "c2" and state.last_tick_timestamp == 10.0

    def test_ticks_newest_first_filtered_and_purged(self, instance):
        from dataclasses import replace

        for i in range(5):
            tick = instance.create_tick("loc:s", "s", InstigatorType.SENSOR, f"t{i}", float(i))
            if i < 4:
                status = TickStatus.SKIPPED if i % 2 else TickStatus.SUCCESS
                instance.update_tick(replace(tick, status=status, skip_reason="nothing new"))
        ticks = instance.get_ticks("loc:s")
        assert [t.tick_key for t in ticks] == ["t4", "t3", "t2", "t1", "t0"]
        assert [t.tick_key for t in instance.get_ticks("loc:s", limit=2)] == ["t4", "t3"]
        skipped = instance.get_ticks("loc:s", statuses=[TickStatus.SKIPPED])
        assert [t.tick_key for t in skipped] == ["t3", "t1"]
        assert skipped[0].skip_reason == "nothing new"
        assert [t.tick_key for t in instance.get_ticks("loc:s", before=3.0, after=0.0)] == [
            "t2", "t1"]
        assert instance.purge_ticks("loc:s", before=3.5) == 4  # t4 is still STARTED
        assert [t.tick_key for t in instance.get_ticks("loc:s")] == ["t4"]


class ConcurrencyStorageSuite:
    def test_slots_are_claimed_in_order_and_freed(self, instance):
        instance.set_concurrency_slots("db", 2)
        assert instance.get_concurrency_keys() == {"db"}
        claims = [instance.claim_concurrency_slot("db", "r1", f"s{i}") for i in range(3)]
        assert [c.status for c in claims] == [ConcurrencySlotStatus.CLAIMED] * 2 + [
            ConcurrencySlotStatus.PENDING]
        info = instance.get_concurrency_info("db")
        assert info.slot_count == 2 and info.active_slot_count == 2
        assert [p.step_key for p in info.pending_steps] == ["s2"]
        # a newcomer waits behind the step already in line
        assert not instance.claim_concurrency_slot("db", "r2", "x").is_claimed
        instance.free_concurrency_slot_for_step("r1", "s0")
        assert not instance.claim_concurrency_slot("db", "r2", "x").is_claimed
        assert instance.claim_concurrency_slot("db", "r1", "s2").is_claimed
        assert instance.claim_concurrency_slot("db", "r1", "s2").is_claimed  # idempotent
        instance.free_concurrency_slots_for_run("r1")
        assert instance.claim_concurrency_slot("db", "r2", "x").is_claimed
        assert instance.get_concurrency_info("db").active_run_ids == {"r2"}

    def test_priority_goes_first(self, instance):
        instance.set_concurrency_slots("db", 1)
        assert instance.claim_concurrency_slot("db", "r1", "a").is_claimed
        assert not instance.claim_concurrency_slot("db", "r2", "low", priority=0).is_claimed
        assert not instance.claim_concurrency_slot("db", "r3", "high", priority=5).is_claimed
        instance.free_concurrency_slots_for_run("r1")
        assert not instance.claim_concurrency_slot("db", "r2", "low").is_claimed
        assert instance.claim_concurrency_slot("db", "r3", "high").is_claimed

    def test_limits_change_and_unknown_pools_are_unlimited(self, instance):
        assert instance.claim_concurrency_slot("free", "r1", "a").is_claimed
        assert instance.get_concurrency_info("free").slot_count == 0
        instance.set_concurrency_slots("db", 0)
        assert not instance.claim_concurrency_slot("db", "r1", "a").is_claimed
        instance.set_concurrency_slots("db", 1)
        assert instance.claim_concurrency_slot("db", "r1", "a").is_claimed
        instance.delete_concurrency_limit("db")
        assert instance.get_concurrency_keys() == set()
        with pytest.raises(InvalidInvocationError, match="whole number"):
            instance.set_concurrency_slots("db", -1)
        with pytest.raises(InvalidInvocationError, match="non-empty"):
            instance.set_concurrency_slots("", 1)
