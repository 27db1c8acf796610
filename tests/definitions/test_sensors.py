"""Sensor definitions: run requests and results, cursors, resources, asset sensors and run
status sensors, directly invoked and evaluated as ticks."""

import pytest

import headwater as hw
from headwater.definitions.errors import (
    InvalidDefinitionError,
    InvalidInvocationError,
    InvariantViolationError,
    UserCodeExecutionError,
)
from headwater.definitions.run_request import TickResult


@hw.asset
def a():
    return 1


@hw.asset
def failing():
    raise ValueError("boom")


a_job = hw.define_asset_job("a_job", selection=[a])
other_job = hw.define_asset_job("other_job", selection=[a])


@hw.sensor(job=a_job)
def counter(context: hw.SensorEvaluationContext):
    n = int(context.cursor or 0)
    if n >= 2:
        return hw.SkipReason("caught up")
    return hw.SensorResult(run_requests=[hw.RunRequest(run_key=str(n + 1))], cursor=str(n + 1))


# --- values ---------------------------------------------------------------------------------


def test_run_request_coerces_its_fields():
    class Cfg(hw.Config):
        n: int

    rr = hw.RunRequest(run_key="k", run_config=hw.RunConfig(ops={"a": Cfg(n=1)}),
                       tags={"n": 1, "d": {"x": 1}}, asset_selection=["a", hw.AssetKey("b")])
    assert rr.run_config == {"ops": {"a": {"config": {"n": 1}}}}
    assert rr.tags == {"n": "1", "d": '{"x": 1}'}
    assert rr.asset_selection == [hw.AssetKey("a"), hw.AssetKey("b")]
    assert hw.RunRequest() == hw.RunRequest(run_key=None, run_config=None, tags=None)
    assert hw.RunRequest().run_config == {} and hw.RunRequest().partition_key is None


def test_sensor_result():
    assert hw.SensorResult(skip_reason="why").skip_reason == hw.SkipReason("why")
    assert hw.SensorResult().run_requests == []
    with pytest.raises(InvariantViolationError, match="not both"):
        hw.SensorResult(run_requests=[hw.RunRequest()], skip_reason="x")


def test_dynamic_partitions_requests_and_statuses():
    add = hw.AddDynamicPartitionsRequest("regions", ("eu", "us"))
    assert (add.partitions_def_name, add.partition_keys) == ("regions", ["eu", "us"])
    assert hw.DeleteDynamicPartitionsRequest("regions", ["eu"]).partition_keys == ["eu"]
    assert {s.value for s in hw.DefaultSensorStatus} == {"RUNNING", "STOPPED"}
    assert hw.DefaultSensorStatus("RUNNING") is hw.DefaultSensorStatus.RUNNING


# --- definition -----------------------------------------------------------------------------


def test_sensor_attributes():
    assert isinstance(counter, hw.SensorDefinition)
    assert (counter.name, counter.job_name, counter.minimum_interval_seconds) == (
        "counter", "a_job", 30)
    assert counter.default_status is hw.DefaultSensorStatus.STOPPED
    assert counter.description is None and counter.required_resource_keys == set()


def test_sensor_decorator_arguments():
    @hw.sensor(job_name="a_job", name="renamed", minimum_interval_seconds=5, description="d",
               default_status=hw.DefaultSensorStatus.RUNNING, tags={"t": "1"})
    def original(context):
        pass

    assert (original.name, original.job_name, original.minimum_interval_seconds) == (
        "renamed", "a_job", 5)
    assert original.default_status is hw.DefaultSensorStatus.RUNNING
    assert (original.description, original.tags) == ("d", {"t": "1"})


def test_bare_sensor_has_no_target():
    @hw.sensor
    def watcher(context):
        return hw.SkipReason("nothing")

    assert watcher.name == "watcher" and watcher.targets == []
    with pytest.raises(InvalidDefinitionError, match="No job"):
        watcher.job_name  # noqa: B018


def test_sensor_targets():
    @hw.sensor(target=[a])
    def on_assets(context):
        return hw.RunRequest()

    @hw.sensor(asset_selection=[a])
    def on_selection(context):
        return hw.RunRequest()

    @hw.sensor(jobs=[a_job, other_job])
    def several(context):
        return hw.RunRequest(job_name="other_job")

    assert on_assets.job_name == "__anonymous_asset_job_on_assets"
    assert on_assets.asset_selection is None
    assert isinstance(on_selection.asset_selection, hw.AssetSelection)
    assert several.job_names == ["a_job", "other_job"]
    with pytest.raises(InvalidDefinitionError, match="several jobs"):
        several.job_name  # noqa: B018
    with pytest.raises(InvalidDefinitionError, match="only one"):
        hw.sensor(job=a_job, jobs=[other_job])(lambda context: None)


def test_extra_parameters_must_be_resources_or_have_defaults():
    with pytest.raises(InvalidDefinitionError, match=r"\['other'\]"):
        @hw.sensor(job=a_job)
        def bad(context, other):
            pass

    @hw.sensor(job=a_job)
    def fine(context, limit=3):
        return hw.RunRequest(run_key=str(limit))

    assert fine(hw.build_sensor_context()).run_key == "3"


# --- direct invocation ----------------------------------------------------------------------


def test_direct_call_returns_what_the_function_returns():
    res = counter(hw.build_sensor_context())
    assert isinstance(res, hw.SensorResult)
    assert res.cursor == "1" and [r.run_key for r in res.run_requests] == ["1"]
    assert counter(hw.build_sensor_context(cursor="2")) == hw.SkipReason("caught up")

    @hw.sensor(job=a_job)
    def gen(context):
        yield hw.RunRequest(run_key="a")

    assert [r.run_key for r in gen(hw.build_sensor_context())] == ["a"]


def test_context_rules_for_direct_calls():
    @hw.sensor(job=a_job)
    def no_context():
        return hw.RunRequest(run_key="n")

    @hw.sensor(job=a_job)
    def named(my_ctx):
        return hw.RunRequest(run_key=my_ctx.cursor)

    assert no_context().run_key == "n"
    assert named(my_ctx=hw.build_sensor_context(cursor="c")).run_key == "c"
    with pytest.raises(InvalidInvocationError, match="build_sensor_context"):
        named()
    with pytest.raises(InvalidInvocationError, match="SensorEvaluationContext"):
        named(hw.build_schedule_context())
    with pytest.raises(InvalidInvocationError, match="positional"):
        named(hw.build_sensor_context(), hw.build_sensor_context())


def test_cursor_and_context_fields():
    inst = hw.Instance.ephemeral()
    ctx = hw.build_sensor_context(cursor="c", instance=inst, repository_name="repo",
                                  last_sensor_start_time=1.0)
    assert (ctx.cursor, ctx.instance, ctx.repository_name) == ("c", inst, "repo")
    assert ctx.last_sensor_start_time == 1.0 and ctx.last_tick_completion_time is None
    assert ctx.last_run_key is None and ctx.log is not None
    ctx.update_cursor("d")
    assert ctx.cursor == "d" and ctx.cursor_updated
    with pytest.raises(InvariantViolationError, match="instance"):
        hw.build_sensor_context().instance  # noqa: B018


def test_resources_by_typed_parameter_or_from_context():
    class Source(hw.ConfigurableResource):
        n: int

    @hw.sensor(job=a_job)
    def typed(context, source: Source):
        return hw.RunRequest(run_key=str(source.n))

    @hw.sensor(job=a_job, required_resource_keys={"source"})
    def declared(context):
        return hw.RunRequest(run_key=str(context.resources.source.n))

    with_source = hw.build_sensor_context(resources={"source": Source(n=4)})
    assert typed(with_source).run_key == "4"
    assert typed(hw.build_sensor_context(), source=Source(n=5)).run_key == "5"
    assert declared(with_source).run_key == "4"
    assert typed.required_resource_keys == declared.required_resource_keys == {"source"}
    with pytest.raises(InvalidInvocationError, match="'source'"):
        typed(hw.build_sensor_context())


def test_context_resources_are_set_up_once_and_torn_down_on_close():
    events = []

    class Conn(hw.ConfigurableResource):
        def setup_for_execution(self, context):
            events.append("setup")

        def teardown_after_execution(self, context):
            events.append("teardown")

    @hw.sensor(job=a_job)
    def uses(context, conn: Conn):
        return hw.RunRequest()

    with hw.build_sensor_context(resources={"conn": Conn()}) as ctx:
        uses(ctx)
        uses(ctx)
    assert events == ["setup", "teardown"]


# --- evaluate_tick --------------------------------------------------------------------------


def test_tick_from_sensor_result_and_skip():
    tick = counter.evaluate_tick(hw.build_sensor_context(cursor="1"))
    assert isinstance(tick, TickResult)
    assert [r.run_key for r in tick.run_requests] == ["2"] and tick.cursor == "2"
    assert tick.run_requests[0].tags == {"dagster/sensor_name": "counter"}
    skipped = counter.evaluate_tick(hw.build_sensor_context(cursor="2"))
    assert (skipped.run_requests, skipped.skip_message, skipped.cursor) == ([], "caught up", "2")


def test_tick_keeps_or_updates_the_context_cursor():
    @hw.sensor(job=a_job)
    def moves(context):
        context.update_cursor("next")
        yield hw.RunRequest(run_key="r")

    @hw.sensor(job=a_job)
    def stays(context):
        return None

    assert moves.evaluate_tick(hw.build_sensor_context(cursor="prev")).cursor == "next"
    tick = stays.evaluate_tick(hw.build_sensor_context(cursor="prev"))
    assert (tick.cursor, tick.skip_message) == ("prev", "Sensor function returned an empty result")


def test_tick_carries_dynamic_partitions_requests_and_asset_events():
    add = hw.AddDynamicPartitionsRequest("regions", ["eu"])
    event = hw.AssetMaterialization("ext")

    @hw.sensor(job=a_job)
    def discovers(context):
        return hw.SensorResult(run_requests=[hw.RunRequest(partition_key="eu")],
                               dynamic_partitions_requests=[add], asset_events=[event])

    tick = discovers.evaluate_tick(hw.build_sensor_context())
    assert tick.dynamic_partitions_requests == [add] and tick.asset_events == [event]
    assert tick.run_requests[0].partition_key == "eu"


@pytest.mark.parametrize("result, match", [
    (5, "returned 5"),
    ([hw.RunRequest(), hw.SkipReason("x")], "SkipReason"),
    ([hw.SkipReason("x"), hw.SkipReason("y")], "SkipReason"),
    ([hw.SensorResult(), hw.RunRequest()], "only thing"),
])
def test_tick_rejects_malformed_results(result, match):
    @hw.sensor(job=a_job)
    def odd(context):
        return result

    with pytest.raises(UserCodeExecutionError, match=match):
        odd.evaluate_tick(hw.build_sensor_context())


def test_cursor_set_twice_is_an_error():
    @hw.sensor(job=a_job)
    def twice(context):
        context.update_cursor("a")
        return hw.SensorResult(cursor="b")

    with pytest.raises(InvariantViolationError, match="one way"):
        twice.evaluate_tick(hw.build_sensor_context())


def test_run_requests_must_match_the_targets():
    @hw.sensor(jobs=[a_job, other_job])
    def unnamed(context):
        return hw.RunRequest()

    @hw.sensor(job=a_job)
    def wrong(context):
        return hw.RunRequest(job_name="other_job")

    @hw.sensor
    def untargeted(context):
        return hw.RunRequest()

    with pytest.raises(InvalidDefinitionError, match="RunRequest\\(job_name"):
        unnamed.evaluate_tick(hw.build_sensor_context())
    with pytest.raises(InvalidDefinitionError, match="'other_job'"):
        wrong.evaluate_tick(hw.build_sensor_context())
    with pytest.raises(InvalidDefinitionError, match="targets no job"):
        untargeted.evaluate_tick(hw.build_sensor_context())


def test_user_error_is_wrapped_with_the_sensor_name():
    @hw.sensor(job=a_job)
    def broken(context):
        yield hw.RunRequest()
        raise RuntimeError("later")

    with pytest.raises(UserCodeExecutionError, match="'broken'.*RuntimeError") as info:
        broken.evaluate_tick(hw.build_sensor_context())
    assert isinstance(info.value.user_exception, RuntimeError)


def test_validate_against_definitions():
    @hw.sensor(job_name="missing_job")
    def dangling(context):
        pass

    with pytest.raises(InvalidDefinitionError, match="'dangling'.*'missing_job'"):
        dangling.validate_against(hw.Definitions(assets=[a], jobs=[a_job]))
    counter.validate_against(hw.Definitions(assets=[a], jobs=[a_job], sensors=[counter]))


# --- asset sensors --------------------------------------------------------------------------


@hw.asset_sensor(asset_key=hw.AssetKey("a"), job=a_job)
def on_a(context, asset_event):
    return hw.RunRequest(run_key=asset_event.run_id)


def test_asset_sensor_definition():
    assert isinstance(on_a, hw.AssetSensorDefinition)
    assert (on_a.name, on_a.asset_key, on_a.job_name) == ("on_a", hw.AssetKey("a"), "a_job")
    by_string = hw.asset_sensor(asset_key="x/y", name="xy")(lambda context, asset_event: None)
    assert by_string.asset_key == hw.AssetKey(["x", "y"])


def test_asset_sensor_fires_once_per_new_materialization():
    inst = hw.Instance.ephemeral()
    first = on_a.evaluate_tick(hw.build_sensor_context(instance=inst))
    assert first.run_requests == [] and "No new materialization" in first.skip_message

    run_id = hw.materialize([a], instance=inst).run_id
    tick = on_a.evaluate_tick(hw.build_sensor_context(instance=inst))
    assert [r.run_key for r in tick.run_requests] == [run_id]
    assert tick.cursor is not None and int(tick.cursor) > 0

    again = on_a.evaluate_tick(hw.build_sensor_context(instance=inst, cursor=tick.cursor))
    assert again.run_requests == [] and again.cursor == tick.cursor

    second_run = hw.materialize([a], instance=inst).run_id
    later = on_a.evaluate_tick(hw.build_sensor_context(instance=inst, cursor=tick.cursor))
    assert [r.run_key for r in later.run_requests] == [second_run]
    assert int(later.cursor) > int(tick.cursor)


def test_asset_sensor_direct_call_yields_and_moves_the_cursor():
    inst = hw.Instance.ephemeral()
    ctx = hw.build_sensor_context(instance=inst)
    assert [type(x) for x in on_a(ctx)] == [hw.SkipReason] and ctx.cursor is None
    run_id = hw.materialize([a], instance=inst).run_id
    ctx = hw.build_sensor_context(instance=inst)
    assert next(on_a(ctx)) == hw.RunRequest(run_key=run_id)
    assert ctx.cursor is not None
    with pytest.raises(InvariantViolationError, match="instance"):
        list(on_a(hw.build_sensor_context()))


# --- run status sensors ---------------------------------------------------------------------


def test_run_status_sensor_direct_call():
    inst = hw.Instance.ephemeral()
    result = hw.materialize([a], instance=inst)

    @hw.run_status_sensor(run_status=hw.RunStatus.SUCCESS, request_job=a_job)
    def after_success(context: hw.RunStatusSensorContext):
        return hw.RunRequest(run_key=context.dagster_run.run_id,
                             tags={"event": context.dagster_event.event_type_value})

    assert after_success.run_status == hw.RunStatus.SUCCESS
    assert (after_success.name, after_success.job_name) == ("after_success", "a_job")
    ctx = hw.build_run_status_sensor_context(
        sensor_name="after_success", dagster_event=result.get_run_success_event(),
        dagster_instance=inst, dagster_run=result.dagster_run)
    rr = after_success(ctx)
    assert rr.run_key == result.run_id and rr.tags == {"event": "PIPELINE_SUCCESS"}
    (tagged,) = after_success.evaluate_for_run(ctx).run_requests
    assert tagged.tags["dagster/sensor_name"] == "after_success"
    with pytest.raises(InvariantViolationError, match="build_run_status_sensor_context"):
        after_success.evaluate_tick(hw.build_sensor_context())
    with pytest.raises(InvalidInvocationError, match="RunStatusSensorContext"):
        after_success(hw.build_sensor_context())


def test_run_failure_sensor_gets_the_failure_context():
    inst = hw.Instance.ephemeral()
    result = hw.materialize([failing], instance=inst, raise_on_error=False)
    seen = {}

    @hw.run_failure_sensor
    def alert(context: hw.RunFailureSensorContext):
        seen["type"] = type(context)
        seen["event"] = context.failure_event.event_type_value
        seen["steps"] = [e.step_key for e in context.get_step_failure_events()]

    @hw.run_failure_sensor(name="named_alert", monitored_jobs=[a_job])
    def other(context):
        pass

    assert alert.name == "alert" and alert.run_status == hw.RunStatus.FAILURE
    assert (other.name, other.monitored_job_names) == ("named_alert", ["a_job"])
    ctx = hw.build_run_status_sensor_context("alert", result.get_run_failure_event(), inst,
                                             result.dagster_run)
    assert alert(ctx) is None
    assert seen == {"type": hw.RunFailureSensorContext, "event": "PIPELINE_FAILURE",
                    "steps": ["failing"]}
