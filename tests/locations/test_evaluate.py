"""evaluate_schedule / evaluate_sensor: a tick of a loaded Definitions as plain data."""

from __future__ import annotations

import datetime
import threading

import pytest

import headwater as hw
from headwater.locations import PartitionsChangeKind, SensorTickInput
from headwater.locations.evaluate import evaluate_schedule, evaluate_sensor
from headwater.locations.run_status_evaluation import parse_cursor


@hw.asset
def a():
    return 1


@hw.asset
def b(a):
    return a + 1


@hw.asset
def failing():
    raise ValueError("boom")


a_job = hw.define_asset_job("a_job", selection=["a"])
colors = hw.DynamicPartitionsDefinition(name="colors")


@hw.asset(partitions_def=colors)
def painted():
    return 1


paint_job = hw.define_asset_job("paint_job", selection=["painted"], partitions_def=colors)
T0 = datetime.datetime(2024, 3, 1, 6, 0, tzinfo=datetime.timezone.utc).timestamp()


@pytest.fixture
def instance():
    return hw.Instance.ephemeral()


def defs_with(*, schedules=(), sensors=(), resources=None):
    return hw.Definitions(assets=[a, b, failing, painted], jobs=[a_job, paint_job],
                          schedules=list(schedules), sensors=list(sensors),
                          resources=resources or {})


# ---------------------------------------------------------------------------- schedules

def test_schedule_requests_a_run_with_its_tick_time_and_job(instance):
    seen = {}

    @hw.schedule("0 6 * * *", job=a_job, execution_timezone="Europe/Paris")
    def morning(context):
        seen["time"] = context.scheduled_execution_time
        return hw.RunRequest(run_key="k", run_config={"ops": {}}, tags={"t": "1"})

    ev = evaluate_schedule(defs_with(schedules=[morning]), "morning", T0, instance)
    assert ev.error is None
    assert seen["time"].timestamp() == T0 and str(seen["time"].tzinfo) == "Europe/Paris"
    (req,) = ev.run_requests
    assert (req.job_name, req.run_key, req.run_config) == ("a_job", "k", {"ops": {}})
    assert req.tags == {"t": "1", "dagster/schedule_name": "morning"}


def test_schedule_without_function_requests_its_run_config(instance):
    sched = hw.ScheduleDefinition(name="plain", cron_schedule="* * * * *", job=a_job,
                                  run_config={"x": 1})
    ev = evaluate_schedule(defs_with(schedules=[sched]), "plain", T0, instance)
    assert [r.run_config for r in ev.run_requests] == [{"x": 1}]


def test_schedule_skip_reason(instance):
    @hw.schedule("* * * * *", job=a_job)
    def quiet(context):
        return hw.SkipReason("nothing today")

    ev = evaluate_schedule(defs_with(schedules=[quiet]), "quiet", T0, instance)
    assert ev.run_requests == () and ev.skip_message == "nothing today" and ev.error is None


def test_unknown_schedule_is_an_error(instance):
    ev = evaluate_schedule(defs_with(), "nope", T0, instance)
    assert ev.failed and "nope" in ev.error.message


def test_schedule_user_error_keeps_user_frames_only(instance):
    @hw.schedule("* * * * *", job=a_job)
    def broken(context):
        raise RuntimeError("bad schedule")

    ev = evaluate_schedule(defs_with(schedules=[broken]), "broken", T0, instance)
    text = ev.error.to_string()
    assert "Schedule 'broken'" in ev.error.message and "bad schedule" in text
    assert "test_evaluate.py" in text and "headwater/definitions" not in text


class Greeting(hw.ConfigurableResource):
    word: str


def test_resources_come_from_the_definitions(instance):
    @hw.schedule("* * * * *", job=a_job)
    def greet(context, greeting: Greeting):
        return hw.RunRequest(tags={"word": greeting.word})

    ev = evaluate_schedule(defs_with(schedules=[greet], resources={"greeting": Greeting(word="hi")}),
                           "greet", T0, instance)
    assert ev.run_requests[0].tags["word"] == "hi"


def test_function_logs_are_kept(instance):
    @hw.schedule("* * * * *", job=a_job)
    def chatty(context):
        context.log.info("deciding")
        return hw.SkipReason("no")

    ev = evaluate_schedule(defs_with(schedules=[chatty]), "chatty", T0, instance)
    assert ev.log_lines == ("INFO deciding",)


# ------------------------------------------------------------------------------ sensors

def test_sensor_gets_cursor_and_returns_a_new_one(instance):
    @hw.sensor(job=a_job)
    def counter(context):
        n = int(context.cursor or 0) + 1
        context.update_cursor(str(n))
        return hw.RunRequest(run_key=f"r{n}")

    ev = evaluate_sensor(defs_with(sensors=[counter]), "counter", SensorTickInput(cursor="4"),
                         instance)
    assert ev.cursor == "5" and [r.run_key for r in ev.run_requests] == ["r5"]
    assert ev.run_requests[0].tags == {"dagster/sensor_name": "counter"}


def test_sensor_asset_selection_as_paths(instance):
    @hw.sensor(target=[a, b])
    def both(context):
        return hw.RunRequest(asset_selection=[hw.AssetKey("b")])

    ev = evaluate_sensor(defs_with(sensors=[both]), "both", SensorTickInput(), instance)
    (req,) = ev.run_requests
    assert req.asset_selection == (("b",),) and req.job_name == "__anonymous_asset_job_both"


def test_sensor_result_dynamic_partitions_and_pending_keys_are_valid(instance):
    @hw.sensor(job=paint_job)
    def new_colors(context):
        return hw.SensorResult(
            run_requests=[hw.RunRequest(partition_key="red")],
            dynamic_partitions_requests=[colors.build_add_request(["red"])], cursor="c1")

    ev = evaluate_sensor(defs_with(sensors=[new_colors]), "new_colors", SensorTickInput(),
                         instance)
    assert ev.error is None and ev.cursor == "c1"
    (change,) = ev.dynamic_partitions_changes
    assert (change.kind, change.partitions_def_name, change.partition_keys) == (
        PartitionsChangeKind.ADD, "colors", ("red",))
    assert ev.run_requests[0].partition_key == "red"


def test_request_for_a_missing_partition_is_an_error(instance):
    @hw.sensor(job=paint_job)
    def wrong(context):
        return hw.RunRequest(partition_key="blue")

    ev = evaluate_sensor(defs_with(sensors=[wrong]), "wrong", SensorTickInput(), instance)
    assert ev.failed and "'blue'" in ev.error.message and "paint_job" in ev.error.message


def test_request_for_a_partition_of_an_unpartitioned_job_is_an_error(instance):
    @hw.sensor(job=a_job)
    def wrong(context):
        return hw.RunRequest(partition_key="x")

    ev = evaluate_sensor(defs_with(sensors=[wrong]), "wrong", SensorTickInput(), instance)
    assert ev.failed and "not partitioned" in ev.error.message


def test_request_for_a_job_the_sensor_does_not_target_is_an_error(instance):
    @hw.sensor(job=a_job)
    def wrong(context):
        return hw.RunRequest(job_name="paint_job")

    ev = evaluate_sensor(defs_with(sensors=[wrong]), "wrong", SensorTickInput(), instance)
    assert ev.failed and "paint_job" in ev.error.message


def test_request_for_a_job_missing_from_definitions_is_an_error(instance):
    @hw.sensor(job_name="ghost_job")
    def wrong(context):
        return hw.RunRequest()

    defs = hw.Definitions(assets=[a], sensors=[wrong])
    ev = evaluate_sensor(defs, "wrong", SensorTickInput(), instance)
    assert ev.failed and "ghost_job" in ev.error.message


def test_sensor_returning_garbage_is_an_error(instance):
    @hw.sensor(job=a_job)
    def odd(context):
        return 42

    ev = evaluate_sensor(defs_with(sensors=[odd]), "odd", SensorTickInput(), instance)
    assert ev.failed and "odd" in ev.error.message


def test_hanging_sensor_times_out(instance):
    release = threading.Event()

    @hw.sensor(job=a_job)
    def stuck(context):
        release.wait(30)

    try:
        ev = evaluate_sensor(defs_with(sensors=[stuck]), "stuck", SensorTickInput(), instance,
                             timeout=0.2)
    finally:
        release.set()
    assert ev.failed and ev.error.message.startswith("Sensor 'stuck' timed out after 0.2 s")


def test_asset_sensor_sees_new_materializations_once(instance):
    @hw.asset_sensor(asset_key=hw.AssetKey("a"), job=a_job)
    def on_a(context, asset_event):
        return hw.RunRequest(run_key=asset_event.run_id)

    defs = defs_with(sensors=[on_a])
    ev = evaluate_sensor(defs, "on_a", SensorTickInput(), instance)
    assert ev.run_requests == () and ev.skip_message
    hw.materialize([a], instance=instance)
    ev = evaluate_sensor(defs, "on_a", SensorTickInput(), instance)
    assert len(ev.run_requests) == 1 and ev.cursor
    again = evaluate_sensor(defs, "on_a", SensorTickInput(cursor=ev.cursor), instance)
    assert again.run_requests == ()


# ------------------------------------------------------------------- run status sensors

def test_run_failure_sensor_handles_every_run_since_its_cursor(instance):
    seen = []

    @hw.run_failure_sensor(request_job=a_job)
    def on_failure(context):
        seen.append(context.dagster_run.run_id)
        return hw.RunRequest(run_key=context.dagster_run.run_id)

    defs = defs_with(sensors=[on_failure])
    first = evaluate_sensor(defs, "on_failure", SensorTickInput(), instance)
    assert first.run_requests == () and parse_cursor(first.cursor) == 0
    failed = [hw.materialize([failing], instance=instance, raise_on_error=False).run_id
              for _ in range(12)]
    hw.materialize([a], instance=instance)
    ev = evaluate_sensor(defs, "on_failure", SensorTickInput(cursor=first.cursor), instance)
    assert seen == failed and [r.run_key for r in ev.run_requests] == failed
    again = evaluate_sensor(defs, "on_failure", SensorTickInput(cursor=ev.cursor), instance)
    assert again.run_requests == () and seen == failed


def test_run_status_sensor_first_tick_starts_after_history(instance):
    hw.materialize([failing], instance=instance, raise_on_error=False)

    @hw.run_failure_sensor
    def late(context):
        raise AssertionError("history is not replayed")

    ev = evaluate_sensor(defs_with(sensors=[late]), "late", SensorTickInput(), instance)
    assert ev.error is None and parse_cursor(ev.cursor) > 0
    ev2 = evaluate_sensor(defs_with(sensors=[late]), "late", SensorTickInput(cursor=ev.cursor),
                          instance)
    assert ev2.error is None and ev2.run_requests == ()
