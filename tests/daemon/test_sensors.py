"""The sensor component on a frozen clock: intervals, cursors, run keys, SensorResult,
asset and run status sensors, failures and hangs, crashes mid-tick."""

from __future__ import annotations

import threading

import pytest

import headwater as hw
from headwater.daemon import ticks as ticks_module
from headwater.daemon.sensors import SensorComponent
from headwater.daemon.state import set_running
from headwater.storage.instigators import InstigatorType, TickStatus
from headwater.storage.runs import RunStatus

from .conftest import FakeLocation

RUNNING = hw.DefaultSensorStatus.RUNNING


@hw.asset
def a():
    return 1


@hw.asset
def failing():
    raise ValueError("boom")


colors = hw.DynamicPartitionsDefinition(name="colors")


@hw.asset(partitions_def=colors)
def painted():
    return 1


a_job = hw.define_asset_job("a_job", selection=["a"])
paint_job = hw.define_asset_job("paint_job", selection=["painted"], partitions_def=colors)


def make(instance, clock, *sensors, workers=1, timeout=60.0):
    defs = hw.Definitions(assets=[a, failing, painted], jobs=[a_job, paint_job],
                          sensors=list(sensors))
    location = FakeLocation("loc", defs, instance)
    return location, SensorComponent(instance, [location], clock=clock, workers=workers,
                                     timeout_seconds=timeout)


def ticks(instance, name):
    return list(reversed(instance.get_ticks(f"loc:{name}")))


def state(instance, name):
    return instance.get_instigator_state(f"loc:{name}")


def test_sensor_respects_its_interval_and_saves_its_cursor(instance, clock):
    @hw.sensor(job=a_job, minimum_interval_seconds=30, default_status=RUNNING)
    def counter(context):
        n = int(context.cursor or 0) + 1
        context.update_cursor(str(n))
        return hw.RunRequest(run_key=f"k{n}")

    _, comp = make(instance, clock, counter)
    clock.set(1000)
    comp.run_iteration()
    comp.run_iteration()
    clock.advance(29)
    comp.run_iteration()
    assert len(ticks(instance, "counter")) == 1 and state(instance, "counter").cursor == "1"
    clock.advance(1)
    comp.run_iteration()
    made = ticks(instance, "counter")
    assert [t.status for t in made] == [TickStatus.SUCCESS] * 2
    assert [t.run_keys for t in made] == [("k1",), ("k2",)]
    assert state(instance, "counter").cursor == "2"
    run = instance.get_run_by_id(made[1].run_ids[0])
    assert run.status == RunStatus.QUEUED
    assert (run.tags["dagster/sensor_name"], run.tags["dagster/run_key"]) == ("counter", "k2")


def test_run_key_launches_one_run_ever(instance, clock):
    @hw.sensor(job=a_job, minimum_interval_seconds=1, default_status=RUNNING)
    def same(context):
        return [hw.RunRequest(run_key="only"), hw.RunRequest(run_key="only")]

    _, comp = make(instance, clock, same)
    for _ in range(3):
        comp.run_iteration()
        clock.advance(1)
    made = ticks(instance, "same")
    assert [t.status for t in made] == [TickStatus.SUCCESS, TickStatus.SKIPPED,
                                        TickStatus.SKIPPED]
    assert "only" in made[1].skip_reason
    assert len(instance.get_runs()) == 1


def test_failed_evaluation_keeps_the_cursor_and_the_daemon_goes_on(instance, clock):
    calls = []

    @hw.sensor(job=a_job, minimum_interval_seconds=1, default_status=RUNNING)
    def flaky(context):
        calls.append(context.cursor)
        if len(calls) == 2:
            raise RuntimeError("api down")
        context.update_cursor(str(len(calls)))

    @hw.sensor(job=a_job, minimum_interval_seconds=1, default_status=RUNNING)
    def steady(context):
        return hw.RunRequest()

    _, comp = make(instance, clock, flaky, steady)
    for _ in range(3):
        comp.run_iteration()
        clock.advance(1)
    assert [t.status for t in ticks(instance, "flaky")] == [
        TickStatus.SKIPPED, TickStatus.FAILURE, TickStatus.SKIPPED]
    assert "api down" in ticks(instance, "flaky")[1].error
    assert calls == [None, "1", "1"]  # the failed tick's input is seen again
    assert len(ticks(instance, "steady")) == 3


def test_hanging_sensor_fails_its_tick_without_stopping_others(instance, clock):
    release = threading.Event()

    @hw.sensor(job=a_job, default_status=RUNNING)
    def stuck(context):
        release.wait(30)

    @hw.sensor(job=a_job, default_status=RUNNING)
    def fine(context):
        return hw.RunRequest()

    _, comp = make(instance, clock, stuck, fine, workers=2, timeout=0.3)
    try:
        comp.run_iteration()
    finally:
        release.set()
        comp.close()
    (tick,) = ticks(instance, "stuck")
    assert tick.status == TickStatus.FAILURE and "timed out after 0.3 s" in tick.error
    assert [t.status for t in ticks(instance, "fine")] == [TickStatus.SUCCESS]


def test_sensor_result_adds_dynamic_partitions_then_runs_them(instance, clock):
    @hw.sensor(job=paint_job, default_status=RUNNING)
    def new_colors(context):
        return hw.SensorResult(run_requests=[hw.RunRequest(partition_key="red", run_key="red")],
                               dynamic_partitions_requests=[colors.build_add_request(["red"])],
                               cursor="seen-red")

    _, comp = make(instance, clock, new_colors)
    comp.run_iteration()
    assert instance.get_dynamic_partitions("colors") == ["red"]
    (run,) = instance.get_runs()
    assert run.tags["dagster/partition"] == "red" and run.job_name == "paint_job"
    assert state(instance, "new_colors").cursor == "seen-red"


def test_stopped_sensor_does_not_tick_until_started(instance, clock):
    @hw.sensor(job=a_job, minimum_interval_seconds=1)
    def off(context):
        return hw.RunRequest()

    _, comp = make(instance, clock, off)
    comp.run_iteration()
    assert ticks(instance, "off") == []
    set_running(instance, "loc", "off", InstigatorType.SENSOR, True, clock.now())
    comp.run_iteration()
    assert len(ticks(instance, "off")) == 1
    set_running(instance, "loc", "off", InstigatorType.SENSOR, False, clock.now())
    clock.advance(5)
    comp.run_iteration()
    assert len(ticks(instance, "off")) == 1


def test_asset_sensor_runs_once_per_materialization(instance, clock):
    @hw.asset_sensor(asset_key=hw.AssetKey("a"), job=a_job, minimum_interval_seconds=1,
                     default_status=RUNNING)
    def on_a(context, asset_event):
        return hw.RunRequest(run_key=str(asset_event.run_id))

    _, comp = make(instance, clock, on_a)
    comp.run_iteration()
    hw.materialize([a], instance=instance)
    for _ in range(3):
        clock.advance(1)
        comp.run_iteration()
    assert [t.status for t in ticks(instance, "on_a")] == [
        TickStatus.SKIPPED, TickStatus.SUCCESS, TickStatus.SKIPPED, TickStatus.SKIPPED]
    assert len(instance.get_runs(hw.RunsFilter(tags={"dagster/sensor_name": "on_a"}))) == 1


def test_run_failure_sensor_handles_every_failed_run(instance, clock):
    handled = []

    @hw.run_failure_sensor(minimum_interval_seconds=1, default_status=RUNNING)
    def alert(context):
        handled.append(context.dagster_run.run_id)

    _, comp = make(instance, clock, alert)
    comp.run_iteration()
    failed = [hw.materialize([failing], instance=instance, raise_on_error=False).run_id
              for _ in range(20)]
    clock.advance(1)
    comp.run_iteration()
    assert handled == failed
    clock.advance(1)
    comp.run_iteration()
    assert handled == failed


def test_crash_after_runs_before_finishing_does_not_double(instance, clock, monkeypatch):
    @hw.sensor(job=a_job, minimum_interval_seconds=1, default_status=RUNNING)
    def batch(context):
        context.update_cursor("after-batch")
        return [hw.RunRequest(tags={"i": str(i)}) for i in range(3)]

    location, comp = make(instance, clock, batch)
    real_update = instance.update_tick

    def crash_on_finish(tick, cursor=None, set_cursor=False):
        if tick.status != TickStatus.STARTED:
            raise KeyboardInterrupt("killed before the tick was finished")
        return real_update(tick, cursor, set_cursor)

    monkeypatch.setattr(instance, "update_tick", crash_on_finish)
    with pytest.raises(KeyboardInterrupt):
        comp.run_iteration()
    assert len(instance.get_runs()) == 3 and state(instance, "batch").cursor is None
    monkeypatch.setattr(instance, "update_tick", real_update)
    SensorComponent(instance, [location], clock=clock, workers=1).run_iteration()
    (tick,) = ticks(instance, "batch")
    assert tick.status == TickStatus.SUCCESS and len(tick.run_ids) == 3
    assert len(instance.get_runs()) == 3 and state(instance, "batch").cursor == "after-batch"
    assert len(location.evaluations) == 1


def test_crash_during_evaluation_evaluates_again_under_the_same_tick(instance, clock,
                                                                      monkeypatch):
    @hw.sensor(job=a_job, default_status=RUNNING)
    def once(context):
        return hw.RunRequest()

    location, comp = make(instance, clock, once)
    monkeypatch.setattr(ticks_module, "_plan", lambda *a: (_ for _ in ()).throw(
        KeyboardInterrupt("killed")))
    with pytest.raises(KeyboardInterrupt):
        comp.run_iteration()
    monkeypatch.undo()
    SensorComponent(instance, [location], clock=clock, workers=1).run_iteration()
    (tick,) = ticks(instance, "once")
    assert tick.status == TickStatus.SUCCESS and len(instance.get_runs()) == 1


def test_a_sensor_that_fell_due_after_the_pass_is_taken_at_once(instance, clock):
    @hw.sensor(job=a_job, minimum_interval_seconds=1, default_status=RUNNING)
    def every_second(context):
        return hw.SkipReason("nothing new")

    _, comp = make(instance, clock, every_second)
    clock.set(1000)
    comp.run_iteration()
    assert comp.interval_seconds == pytest.approx(0.5)  # due at 1001: capped at a pass's max
    clock.set(1000.75)
    assert comp.interval_seconds == pytest.approx(0.25)  # wakes when it falls due
    clock.set(1001.2)
    assert comp.interval_seconds == pytest.approx(0.005)  # overdue: the next pass at once
    comp.run_iteration()
    assert len(ticks(instance, "every_second")) == 2


def test_a_cursor_set_between_passes_is_what_the_next_evaluation_sees(instance, clock):
    seen = []

    @hw.sensor(job=a_job, minimum_interval_seconds=1, default_status=RUNNING)
    def reader(context):
        seen.append(context.cursor)
        context.update_cursor("from-sensor")

    _, comp = make(instance, clock, reader)
    comp.run_iteration()
    instance.set_instigator_state(state(instance, "reader").with_cursor("from-cli"))
    clock.advance(1)
    comp.run_iteration()
    clock.advance(1)
    comp.run_iteration()
    assert seen == [None, "from-cli", "from-sensor"]


def test_a_stopped_sensor_is_forgotten_until_started_again(instance, clock):
    @hw.sensor(job=a_job, minimum_interval_seconds=1, default_status=RUNNING)
    def stoppable(context):
        return hw.SkipReason("nothing new")

    _, comp = make(instance, clock, stoppable)
    comp.run_iteration()
    set_running(instance, "loc", "stoppable", InstigatorType.SENSOR, False, clock.now())
    clock.advance(5)
    comp.run_iteration()
    assert len(ticks(instance, "stoppable")) == 1
    assert comp.interval_seconds == pytest.approx(0.5)  # nothing due: no busy passes
    set_running(instance, "loc", "stoppable", InstigatorType.SENSOR, True, clock.now())
    comp.run_iteration()
    assert len(ticks(instance, "stoppable")) == 2
