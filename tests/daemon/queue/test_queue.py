"""The run queue over a real instance and a real in-process code location."""

from __future__ import annotations

import headwater as dg
from headwater.daemon.queue import QueueComponent
from headwater.definitions.tags import CODE_LOCATION_TAG, PRIORITY_TAG
from headwater.events.records import EventType
from headwater.execution.cancel import request_cancel
from headwater.execution.launch import LaunchRequest
from headwater.execution.stored_run import queue_run
from headwater.storage import RunStatus
from tests.execution import hwexec_stored as m

from .conftest import GUARD_S, wait_until

A = (dg.AssetKey("hws_a"),)
GATED = (dg.AssetKey("hws_gated"),)


def _queue(instance, keys=A, tags=None, location="loc"):
    return queue_run(instance, LaunchRequest(asset_selection=keys, tags=tags or {}),
                     location).run_id


def _status(instance, run_id):
    return instance.get_run_by_id(run_id).status


def test_without_limits_every_queued_run_launches(instance, location):
    ids = [_queue(instance) for _ in range(3)]
    queue = QueueComponent(instance, {"loc": location})
    queue.run_iteration()
    assert queue.launched == ids
    assert location.wait_for_runs(GUARD_S)
    assert [_status(instance, r) for r in ids] == [RunStatus.SUCCESS] * 3


def test_priority_then_age_with_one_run_at_a_time(configure, instance, location):
    configure("run_coordinator:\n  module: dagster.core.run_coordinator\n"
              "  class: QueuedRunCoordinator\n  config:\n    max_concurrent_runs: 1\n")
    low = _queue(instance)
    high = _queue(instance, tags={PRIORITY_TAG: "5"})
    low_later = _queue(instance)
    negative = _queue(instance, tags={PRIORITY_TAG: "-1"})
    queue = QueueComponent(instance, {"loc": location})
    order = []
    for _ in range(4):
        queue.run_iteration()
        assert len(queue.launched) == 1  # the one in progress holds the only slot
        order += queue.launched
        assert location.wait_for_runs(GUARD_S)
    assert order == [high, low, low_later, negative]


def test_runs_in_progress_count_against_max_concurrent_runs(configure, instance, location):
    configure("run_queue:\n  max_concurrent_runs: 2\n")
    ids = [_queue(instance, GATED) for _ in range(3)]
    queue = QueueComponent(instance, {"loc": location})
    queue.run_iteration()
    assert queue.launched == ids[:2]
    arrived, opened = m.gate("hws_gated")
    assert arrived.wait(GUARD_S)
    queue.run_iteration()
    assert queue.launched == []  # two runs in progress: the third waits
    assert _status(instance, ids[2]) == RunStatus.QUEUED
    opened.set()
    assert location.wait_for_runs(GUARD_S)
    queue.run_iteration()
    assert queue.launched == [ids[2]]


def test_tag_limits_hold_back_only_the_runs_they_cover(configure, instance, location):
    configure("run_queue:\n  max_concurrent_runs: 10\n  tag_concurrency_limits:\n"
              "    - key: database\n      value: warehouse\n      limit: 1\n"
              "    - key: team\n      value:\n        applyLimitPerUniqueValue: true\n"
              "      limit: 1\n")
    wh1 = _queue(instance, GATED, {"database": "warehouse"})
    wh2 = _queue(instance, GATED, {"database": "warehouse"})
    other_db = _queue(instance, GATED, {"database": "lake"})
    team_a1 = _queue(instance, GATED, {"team": "a"})
    team_a2 = _queue(instance, GATED, {"team": "a"})
    team_b = _queue(instance, GATED, {"team": "b"})
    queue = QueueComponent(instance, {"loc": location})
    queue.run_iteration()
    assert queue.launched == [wh1, other_db, team_a1, team_b]
    queue.run_iteration()
    assert queue.launched == []
    m.gate("hws_gated")[1].set()
    assert location.wait_for_runs(GUARD_S)
    queue.run_iteration()
    assert queue.launched == [wh2, team_a2]


def test_max_concurrent_runs_zero_launches_nothing(configure, instance, location):
    configure("run_queue:\n  max_concurrent_runs: 0\n")
    run_id = _queue(instance)
    queue = QueueComponent(instance, {"loc": location})
    queue.run_iteration()
    assert queue.launched == [] and _status(instance, run_id) == RunStatus.QUEUED


def test_a_run_of_a_missing_location_fails_with_the_reason(instance, location):
    run_id = _queue(instance, location="gone")
    queue = QueueComponent(instance, {"loc": location})
    queue.run_iteration()
    assert _status(instance, run_id) == RunStatus.FAILURE
    (entry,) = instance.all_logs(run_id, of_type=EventType.RUN_FAILURE)
    assert "'gone'" in entry.dagster_event.message and "['loc']" in entry.dagster_event.message
    assert instance.get_run_by_id(run_id).tags[CODE_LOCATION_TAG] == "gone"


def test_a_canceled_queued_run_is_never_launched(instance, location):
    canceled = _queue(instance)
    kept = _queue(instance)
    assert request_cancel(instance, canceled) == RunStatus.CANCELED
    queue = QueueComponent(instance, {"loc": location})
    queue.run_iteration()
    assert queue.launched == [kept]
    assert location.wait_for_runs(GUARD_S)
    assert _status(instance, canceled) == RunStatus.CANCELED
    assert [e.dagster_event.event_type for e in instance.all_logs(canceled)] == [
        EventType.RUN_ENQUEUED, EventType.RUN_CANCELED]


def test_pools_limit_steps_across_two_concurrent_runs(instance, location):
    instance.set_concurrency_slots("hws_pool", 1)
    first = _queue(instance, (dg.AssetKey("hws_pooled_1"),))
    second = _queue(instance, (dg.AssetKey("hws_pooled_2"),))
    queue = QueueComponent(instance, {"loc": location})
    queue.run_iteration()
    assert queue.launched == [first, second]  # both runs start; their steps share one slot
    gates = {first: m.gate("hws_pooled_1"), second: m.gate("hws_pooled_2")}
    steps = {first: "hws_pooled_1", second: "hws_pooled_2"}
    # whichever run's step claims the slot first holds it; the other's step waits for it
    holder = wait_until(lambda: next((r for r, (arrived, _) in gates.items()
                                      if arrived.is_set()), None), "a step to take the slot")
    waiter = second if holder == first else first
    info = wait_until(lambda: (i := instance.get_concurrency_info("hws_pool")).pending_step_count
                      and i, "the other run's step to wait for the pool")
    assert [(s.run_id, s.step_key) for s in info.claimed_slots] == [(holder, steps[holder])]
    assert [p.run_id for p in info.pending_steps] == [waiter]
    assert not gates[waiter][0].is_set()
    gates[holder][1].set()
    assert gates[waiter][0].wait(GUARD_S)
    gates[waiter][1].set()
    assert location.wait_for_runs(GUARD_S)
    assert _status(instance, first) == _status(instance, second) == RunStatus.SUCCESS
    final = instance.get_concurrency_info("hws_pool")
    assert final.active_slot_count == 0 and final.pending_step_count == 0


def test_block_pool_limited_runs_keeps_them_queued(configure, instance, location):
    configure("run_queue:\n  max_concurrent_runs: 10\n"
              "  block_op_concurrency_limited_runs:\n    enabled: true\n")
    instance.set_concurrency_slots("hws_pool", 1)
    first = _queue(instance, (dg.AssetKey("hws_pooled_1"),))
    queue = QueueComponent(instance, {"loc": location})
    queue.run_iteration()
    assert queue.launched == [first]
    arrived_1, open_1 = m.gate("hws_pooled_1")
    assert arrived_1.wait(GUARD_S)
    second = _queue(instance, (dg.AssetKey("hws_pooled_2"),))
    other = _queue(instance)
    queue.run_iteration()
    assert queue.launched == [other]  # the pool is full: the pooled run stays queued
    assert _status(instance, second) == RunStatus.QUEUED
    open_1.set()
    assert location.wait_for_runs(GUARD_S)
    queue.run_iteration()
    assert queue.launched == [second]
    m.gate("hws_pooled_2")[1].set()


def test_the_queue_polls_fast_only_while_runs_wait_behind_the_limits(configure, instance,
                                                                      location):
    from headwater.daemon.queue import BACKLOG_INTERVAL_S, DEFAULT_INTERVAL_S

    configure("run_queue:\n  max_concurrent_runs: 1\n")
    first, second = _queue(instance), _queue(instance)
    queue = QueueComponent(instance, {"loc": location})
    assert queue.interval_seconds == DEFAULT_INTERVAL_S
    queue.run_iteration()
    assert queue.launched == [first]
    assert queue.interval_seconds == BACKLOG_INTERVAL_S  # a run's end must be noticed soon
    assert location.wait_for_runs(GUARD_S)
    queue.run_iteration()
    assert queue.launched == [second]
    assert queue.interval_seconds == DEFAULT_INTERVAL_S  # nothing left waiting
    assert location.wait_for_runs(GUARD_S)


class _Flaky:
    """The in-process location, but ``launch_run`` fails as an unreachable code server's does
    while ``down`` is set."""

    def __init__(self, location):
        self._location = location
        self.name = location.name
        self.down = True
        self.tries = 0

    def __getattr__(self, attr):
        return getattr(self._location, attr)

    def launch_run(self, run_id):
        from headwater.locations import LocationUnavailableError

        self.tries += 1
        if self.down:
            raise LocationUnavailableError("the code server at 127.0.0.1:1 did not answer")
        self._location.launch_run(run_id)


def _requeues(instance, run_id):
    from headwater.daemon.queue import REQUEUED_MESSAGE

    return [e.message for e in instance.all_logs(run_id, of_type=EventType.RUN_ENQUEUED)
            if e.message.startswith(REQUEUED_MESSAGE)]


def test_an_unreachable_location_fails_the_run_at_once_by_default(instance, location):
    run_id = _queue(instance)
    flaky = _Flaky(location)
    QueueComponent(instance, {"loc": flaky}).run_iteration()
    assert _status(instance, run_id) == RunStatus.FAILURE
    (entry,) = instance.all_logs(run_id, of_type=EventType.RUN_FAILURE)
    assert "could not be reached" in entry.message
    assert "max_user_code_failure_retries" in entry.message


def test_an_unreachable_location_is_retried_after_the_delay_then_fails(configure, instance,
                                                                        location):
    from headwater.daemon.clock import FrozenClock

    configure("run_queue:\n  max_user_code_failure_retries: 2\n"
              "  user_code_failure_retry_delay: 30\n")
    run_id = _queue(instance)
    flaky, clock = _Flaky(location), FrozenClock(1000.0)
    queue = QueueComponent(instance, {"loc": flaky}, clock=clock)
    queue.run_iteration()
    assert flaky.tries == 1 and _status(instance, run_id) == RunStatus.QUEUED
    assert len(_requeues(instance, run_id)) == 1
    # The location rests for the delay: its runs stay queued, untried.
    clock.advance(29)
    queue.run_iteration()
    assert flaky.tries == 1 and _status(instance, run_id) == RunStatus.QUEUED
    clock.advance(1)
    queue.run_iteration()
    assert flaky.tries == 2 and _status(instance, run_id) == RunStatus.QUEUED
    # The retries are counted from the event log: a new queue (a restarted daemon) goes on.
    clock.advance(30)
    QueueComponent(instance, {"loc": flaky}, clock=clock).run_iteration()
    assert flaky.tries == 3 and _status(instance, run_id) == RunStatus.FAILURE
    assert len(_requeues(instance, run_id)) == 2
    (entry,) = instance.all_logs(run_id, of_type=EventType.RUN_FAILURE)
    assert "after 2 retries" in entry.message


def test_a_run_retried_after_its_location_is_back_succeeds(configure, instance, location):
    from headwater.daemon.clock import FrozenClock

    configure("run_queue:\n  max_user_code_failure_retries: 3\n"
              "  user_code_failure_retry_delay: 10\n")
    run_id = _queue(instance)
    flaky, clock = _Flaky(location), FrozenClock(0.0)
    queue = QueueComponent(instance, {"loc": flaky}, clock=clock)
    queue.run_iteration()
    assert _status(instance, run_id) == RunStatus.QUEUED
    flaky.down = False
    clock.advance(10)
    queue.run_iteration()
    assert queue.launched == [run_id]
    assert location.wait_for_runs(GUARD_S)
    assert _status(instance, run_id) == RunStatus.SUCCESS


def test_block_pool_limited_runs_counts_the_default_pool_limit(configure, instance, location):
    configure("run_queue:\n  block_op_concurrency_limited_runs:\n    enabled: true\n"
              "concurrency:\n  pools:\n    default_limit: 1\n")
    first = _queue(instance, (dg.AssetKey("hws_pooled_1"),))
    queue = QueueComponent(instance, {"loc": location})
    queue.run_iteration()
    assert queue.launched == [first]
    arrived_1, open_1 = m.gate("hws_pooled_1")
    assert arrived_1.wait(GUARD_S)  # holds the pool's one (default) slot
    info = instance.get_concurrency_info("hws_pool")
    assert info.using_default_limit and info.active_slot_count == 1
    second = _queue(instance, (dg.AssetKey("hws_pooled_2"),))
    queue.run_iteration()
    assert queue.launched == [] and _status(instance, second) == RunStatus.QUEUED
    open_1.set()
    assert location.wait_for_runs(GUARD_S)
    queue.run_iteration()
    assert queue.launched == [second]
    m.gate("hws_pooled_2")[1].set()
