"""The scheduler component on a frozen clock: cron times, time zones, start/stop, catch-up,
exactly-once ticks across crashes, bad input."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

import headwater as hw
from headwater.daemon import ticks as ticks_module
from headwater.daemon.scheduler import SchedulerComponent, due_ticks
from headwater.daemon.state import set_running
from headwater.storage.instigators import InstigatorType, TickStatus
from headwater.storage.runs import RunsFilter, RunStatus

from .conftest import FakeLocation

UTC = datetime.timezone.utc


def at(*args) -> float:
    return datetime.datetime(*args, tzinfo=UTC).timestamp()


@hw.asset
def a():
    return 1


daily = hw.DailyPartitionsDefinition(start_date="2024-01-01")


@hw.asset(partitions_def=daily)
def d():
    return 1


a_job = hw.define_asset_job("a_job", selection=["a"])
d_job = hw.define_asset_job("d_job", selection=["d"], partitions_def=daily)


def make(instance, clock, *schedules, name="loc"):
    defs = hw.Definitions(assets=[a, d], jobs=[a_job, d_job], schedules=list(schedules))
    location = FakeLocation(name, defs, instance)
    return location, SchedulerComponent(instance, [location], clock=clock)


def ticks(instance, name, location="loc"):
    return list(reversed(instance.get_ticks(f"{location}:{name}")))


def runs(instance):
    return list(reversed(instance.get_runs()))


def hourly(**kw):
    return hw.ScheduleDefinition(name="hourly", cron_schedule="0 * * * *", job=a_job,
                                 default_status=hw.DefaultScheduleStatus.RUNNING, **kw)


def test_running_schedule_ticks_once_at_its_time_and_queues_a_run(instance, clock):
    clock.set(at(2024, 3, 1, 5, 59, 30))
    _, sched = make(instance, clock, hourly())
    sched.run_iteration()
    assert ticks(instance, "hourly") == []
    clock.set(at(2024, 3, 1, 6, 0, 2))
    sched.run_iteration()
    sched.run_iteration()
    clock.advance(50)
    sched.run_iteration()
    (tick,) = ticks(instance, "hourly")
    assert (tick.status, tick.timestamp, tick.tick_key) == (
        TickStatus.SUCCESS, at(2024, 3, 1, 6), str(int(at(2024, 3, 1, 6))))
    (run,) = runs(instance)
    assert run.status == RunStatus.QUEUED and run.job_name == "a_job"
    assert list(tick.run_ids) == [run.run_id]
    assert run.tags["dagster/schedule_name"] == "hourly"
    assert run.tags["headwater/code_location"] == "loc"
    assert run.tags["dagster/scheduled_execution_time"] == "2024-03-01T06:00:00+00:00"
    enqueued = instance.all_logs(run.run_id, of_type="PIPELINE_ENQUEUED")
    assert len(enqueued) == 1


def test_stopped_by_default_until_started_and_stop_is_kept(instance, clock):
    sched_def = hw.ScheduleDefinition(name="off", cron_schedule="0 * * * *", job=a_job)
    clock.set(at(2024, 3, 1, 5, 30))
    _, sched = make(instance, clock, sched_def)
    clock.set(at(2024, 3, 1, 6, 0, 1))
    sched.run_iteration()
    assert ticks(instance, "off") == []
    set_running(instance, "loc", "off", InstigatorType.SCHEDULE, True, clock.now())
    sched.run_iteration()
    assert ticks(instance, "off") == []  # 06:00 was before it was started
    clock.set(at(2024, 3, 1, 7, 0, 1))
    sched.run_iteration()
    assert [t.timestamp for t in ticks(instance, "off")] == [at(2024, 3, 1, 7)]
    set_running(instance, "loc", "off", InstigatorType.SCHEDULE, False, clock.now())
    clock.set(at(2024, 3, 1, 8, 0, 1))
    sched.run_iteration()
    assert len(ticks(instance, "off")) == 1


def test_catch_up_launches_only_the_most_recent_missed_tick(instance, clock):
    clock.set(at(2024, 3, 1, 5, 30))
    _, sched = make(instance, clock, hourly())
    sched.run_iteration()
    clock.set(at(2024, 3, 1, 10, 30))  # the daemon was down from 05:30 to 10:30
    sched.run_iteration()
    assert [t.timestamp for t in ticks(instance, "hourly")] == [at(2024, 3, 1, 10)]


def test_partitioned_schedule_catches_up_to_five_ticks(instance, clock):
    sched_def = hw.build_schedule_from_partitioned_job(
        d_job, default_status=hw.DefaultScheduleStatus.RUNNING)
    clock.set(at(2024, 3, 1, 0, 0, 30))
    _, sched = make(instance, clock, sched_def)
    sched.run_iteration()
    assert len(ticks(instance, "d_job_schedule")) == 0
    clock.set(at(2024, 3, 11, 1))  # ten daily ticks missed
    sched.run_iteration()
    made = ticks(instance, "d_job_schedule")
    assert [t.timestamp for t in made] == [at(2024, 3, day) for day in range(7, 12)]
    assert [r.tags["dagster/partition"] for r in runs(instance)] == [
        f"2024-03-{day:02d}" for day in range(6, 11)]


def test_a_restarted_daemon_does_not_tick_again(instance, clock):
    clock.set(at(2024, 3, 1, 5, 30))
    location, sched = make(instance, clock, hourly())
    sched.run_iteration()
    clock.set(at(2024, 3, 1, 6, 0, 1))
    sched.run_iteration()
    again = SchedulerComponent(instance, [location], clock=clock)  # fresh memory
    again.run_iteration()
    assert len(ticks(instance, "hourly")) == 1 and len(runs(instance)) == 1
    assert len(location.evaluations) == 1


def test_crash_between_runs_finishes_the_tick_without_doubling(instance, clock, monkeypatch):
    @hw.schedule("0 * * * *", job=a_job, default_status=hw.DefaultScheduleStatus.RUNNING)
    def three(context):
        return [hw.RunRequest(tags={"i": str(i)}) for i in range(3)]

    clock.set(at(2024, 3, 1, 5, 30))
    location, sched = make(instance, clock, three)
    sched.run_iteration()
    real_submit = ticks_module.submit_run
    calls = []

    def crash_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("daemon killed")
        return real_submit(*args, **kwargs)

    monkeypatch.setattr(ticks_module, "submit_run", crash_on_second)
    clock.set(at(2024, 3, 1, 6, 0, 1))
    with pytest.raises(KeyboardInterrupt):
        sched.run_iteration()
    (tick,) = ticks(instance, "three")
    assert tick.status == TickStatus.STARTED and len(runs(instance)) == 1
    monkeypatch.setattr(ticks_module, "submit_run", real_submit)
    SchedulerComponent(instance, [location], clock=clock).run_iteration()
    (tick,) = ticks(instance, "three")
    assert tick.status == TickStatus.SUCCESS and len(tick.run_ids) == 3
    assert sorted(r.tags["i"] for r in runs(instance)) == ["0", "1", "2"]
    assert len(location.evaluations) == 1  # finished from its record, not evaluated again


def test_unavailable_location_leaves_the_tick_for_later(instance, clock):
    clock.set(at(2024, 3, 1, 5, 30))
    location, sched = make(instance, clock, hourly())
    sched.run_iteration()
    clock.set(at(2024, 3, 1, 6, 0, 1))
    real = location.evaluate_schedule
    location.evaluate_schedule = lambda *a, **k: (_ for _ in ()).throw(
        hw_unavailable())
    sched.run_iteration()
    (tick,) = ticks(instance, "hourly")
    assert tick.status == TickStatus.STARTED
    location.evaluate_schedule = real
    clock.advance(5)
    sched.run_iteration()
    (tick,) = ticks(instance, "hourly")
    assert tick.status == TickStatus.SUCCESS and tick.timestamp == at(2024, 3, 1, 6)


def hw_unavailable():
    from headwater.locations import LocationUnavailableError

    return LocationUnavailableError("gone")


def test_dst_spring_forward_fires_at_the_end_of_the_gap(instance, clock):
    sched_def = hw.ScheduleDefinition(
        name="ny", cron_schedule="30 2 * * *", job=a_job, execution_timezone="America/New_York",
        default_status=hw.DefaultScheduleStatus.RUNNING)
    clock.set(at(2024, 3, 9, 12))
    _, sched = make(instance, clock, sched_def)
    sched.run_iteration()
    clock.set(at(2024, 3, 10, 12))
    sched.run_iteration()
    # 02:30 does not exist on 2024-03-10 in New York: the tick is at 03:00 EDT (07:00 UTC).
    assert [t.timestamp for t in ticks(instance, "ny")] == [at(2024, 3, 10, 7)]


def test_dst_fall_back_fires_once(instance, clock):
    sched_def = hw.ScheduleDefinition(
        name="ny", cron_schedule="30 1 * * *", job=a_job, execution_timezone="America/New_York",
        default_status=hw.DefaultScheduleStatus.RUNNING)
    clock.set(at(2024, 11, 3, 4))
    _, sched = make(instance, clock, sched_def)
    sched.run_iteration()
    for hour in (5, 6, 7, 8):
        clock.set(at(2024, 11, 3, hour, 45))
        sched.run_iteration()
    # 01:30 happens twice on 2024-11-03; Dagster fires once, at the later instant (EST).
    assert [t.timestamp for t in ticks(instance, "ny")] == [at(2024, 11, 3, 6, 30)]


def test_failing_schedule_records_a_failed_tick_and_goes_on(instance, clock):
    @hw.schedule("0 * * * *", job=a_job, default_status=hw.DefaultScheduleStatus.RUNNING)
    def broken(context):
        raise RuntimeError("no config today")

    clock.set(at(2024, 3, 1, 5, 30))
    _, sched = make(instance, clock, broken, hourly())
    sched.run_iteration()
    clock.set(at(2024, 3, 1, 6, 0, 1))
    sched.run_iteration()
    (tick,) = ticks(instance, "broken")
    assert tick.status == TickStatus.FAILURE and "no config today" in tick.error
    assert "Schedule 'broken'" in tick.error
    assert [t.status for t in ticks(instance, "hourly")] == [TickStatus.SUCCESS]
    clock.set(at(2024, 3, 1, 7, 0, 1))
    sched.run_iteration()
    assert len(ticks(instance, "broken")) == 2


@pytest.mark.parametrize("change", [{"cron_schedule": ("61 * * * *",)},
                                    {"execution_timezone": "Mars/Olympus"}])
def test_bad_cron_or_timezone_is_one_failed_tick_and_others_go_on(instance, clock, change):
    from headwater.locations.build import build_snapshot

    defs = hw.Definitions(assets=[a], jobs=[a_job], schedules=[hourly()])
    snap = build_snapshot(defs, "loc")
    good = dataclasses.replace(snap.schedules[0], name="good")
    bad = dataclasses.replace(snap.schedules[0], name="bad", **change)
    snap = dataclasses.replace(snap, schedules=(bad, good))
    location = FakeLocation("loc", defs, instance, snapshot=snap)
    location.defs = hw.Definitions(assets=[a], jobs=[a_job], schedules=[
        hw.ScheduleDefinition(name="good", cron_schedule="0 * * * *", job=a_job)])
    clock.set(at(2024, 3, 1, 5, 30))
    sched = SchedulerComponent(instance, [location], clock=clock)
    sched.run_iteration()
    clock.set(at(2024, 3, 1, 6, 0, 1))
    sched.run_iteration()
    sched.run_iteration()
    (tick,) = ticks(instance, "bad")
    assert tick.status == TickStatus.FAILURE and "cannot tick" in tick.error
    assert [t.status for t in ticks(instance, "good")] == [TickStatus.SUCCESS]


def test_cron_change_does_not_launch_past_times_of_the_new_cron(instance, clock):
    clock.set(at(2024, 3, 1, 5, 30))
    location, sched = make(instance, clock, hourly())
    sched.run_iteration()
    clock.set(at(2024, 3, 1, 6, 40))
    sched.run_iteration()
    assert len(ticks(instance, "hourly")) == 1
    snap = location.snapshot()
    location._snapshot = dataclasses.replace(snap, schedules=(dataclasses.replace(
        snap.schedules[0], cron_schedule=("30 * * * *",)),))
    clock.set(at(2024, 3, 1, 6, 45))
    sched.run_iteration()  # 06:30 under the new cron is in the past: not launched
    clock.set(at(2024, 3, 1, 7, 30, 1))
    sched.run_iteration()
    assert [t.timestamp for t in ticks(instance, "hourly")] == [
        at(2024, 3, 1, 6), at(2024, 3, 1, 7, 30)]


def test_due_ticks_looks_back_only_as_far_as_needed():
    now = at(2024, 3, 1, 10, 30)
    due = due_ticks("* * * * *", None, at(2020, 1, 1), now, 1)
    assert [t.timestamp() for t in due.times] == [at(2024, 3, 1, 10, 30)]
    assert due.next_time == at(2024, 3, 1, 10, 31)
    yearly = due_ticks("0 0 1 1 *", None, at(2020, 6, 1), now, 1)
    assert [t.timestamp() for t in yearly.times] == [at(2024, 1, 1)]


def test_runs_are_queryable_by_schedule_tag(instance, clock):
    clock.set(at(2024, 3, 1, 5, 30))
    _, sched = make(instance, clock, hourly())
    sched.run_iteration()
    clock.set(at(2024, 3, 1, 6, 0, 1))
    sched.run_iteration()
    found = instance.get_runs(RunsFilter(tags={"dagster/schedule_name": "hourly"}))
    assert len(found) == 1
