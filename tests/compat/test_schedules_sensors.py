import datetime
import importlib
import os

import pytest

from ._helpers import a, b

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


my_job = dg.define_asset_job("my_job", selection=[a], tags={"t": "v"})


def _ctx(day=1):
    return dg.build_schedule_context(scheduled_execution_time=datetime.datetime(2024, 1, day))


# --- define_asset_job -----------------------------------------------------------------------


def test_define_asset_job_name_and_run_tags():
    assert my_job.name == "my_job"
    job = dg.Definitions(assets=[a], jobs=[my_job]).resolve_job_def("my_job")
    result = job.execute_in_process()
    assert result.success
    assert result.dagster_run.tags["t"] == "v"


def test_define_asset_job_selection_by_group():
    @dg.asset(group_name="grp")
    def g1():
        return 1

    @dg.asset(group_name="other")
    def g2():
        return 2

    job = dg.define_asset_job("group_job", selection=dg.AssetSelection.groups("grp"))
    defs = dg.Definitions(assets=[g1, g2], jobs=[job])
    result = defs.resolve_job_def("group_job").execute_in_process()
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("g1")]


def test_define_asset_job_with_config():
    class Cfg(dg.Config):
        n: int

    @dg.asset
    def cfg_asset(config: Cfg):
        return config.n

    job = dg.define_asset_job(
        "cfg_job",
        selection=[cfg_asset],
        config=dg.RunConfig(ops={"cfg_asset": Cfg(n=9)}),
    )
    result = (
        dg.Definitions(assets=[cfg_asset], jobs=[job])
        .resolve_job_def("cfg_job")
        .execute_in_process()
    )
    assert result.output_for_node("cfg_asset") == 9


def test_execute_in_process_run_config_override():
    class Cfg(dg.Config):
        n: int

    @dg.asset
    def cfg_asset(config: Cfg):
        return config.n

    job = dg.define_asset_job("cfg_job2", selection=[cfg_asset])
    resolved = dg.Definitions(assets=[cfg_asset], jobs=[job]).resolve_job_def("cfg_job2")
    result = resolved.execute_in_process(run_config={"ops": {"cfg_asset": {"config": {"n": 3}}}})
    assert result.output_for_node("cfg_asset") == 3


# --- schedules ------------------------------------------------------------------------------


def test_schedule_definition_defaults():
    s = dg.ScheduleDefinition(job=my_job, cron_schedule="0 0 * * *")
    assert s.name == "my_job_schedule"
    assert s.cron_schedule == "0 0 * * *"
    assert s.job_name == "my_job"
    assert s.default_status == dg.DefaultScheduleStatus.STOPPED


def test_schedule_definition_custom():
    s = dg.ScheduleDefinition(
        name="custom",
        job=my_job,
        cron_schedule="*/5 * * * *",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    assert s.name == "custom"
    assert s.execution_timezone == "UTC"
    assert s.default_status == dg.DefaultScheduleStatus.RUNNING


def test_schedule_with_target_assets():
    s = dg.ScheduleDefinition(name="ts", target=[a], cron_schedule="@daily")
    assert s.cron_schedule == "@daily"


def test_invalid_cron_schedule():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="not a cron"):
        dg.ScheduleDefinition(job=my_job, cron_schedule="not a cron")


def test_schedule_evaluate_tick_adds_schedule_tag():
    s = dg.ScheduleDefinition(job=my_job, cron_schedule="0 0 * * *", run_config={"ops": {}})
    data = s.evaluate_tick(_ctx())
    (rr,) = data.run_requests
    assert rr.run_config == {"ops": {}}
    assert rr.tags["dagster/schedule_name"] == "my_job_schedule"
    assert data.skip_message is None


def test_schedule_decorator_direct_call():
    @dg.schedule(job=my_job, cron_schedule="0 1 * * *")
    def deco_sched(context: dg.ScheduleEvaluationContext):
        return dg.RunRequest(
            run_key="k1", tags={"date": context.scheduled_execution_time.strftime("%Y-%m-%d")}
        )

    assert deco_sched.name == "deco_sched"
    assert deco_sched.cron_schedule == "0 1 * * *"
    rr = deco_sched(_ctx(2))
    assert isinstance(rr, dg.RunRequest)
    assert rr.run_key == "k1"
    assert rr.tags == {"date": "2024-01-02"}


def test_schedule_skip_reason():
    @dg.schedule(job=my_job, cron_schedule="0 1 * * *")
    def skip_sched(context):
        return dg.SkipReason("nope")

    assert skip_sched(_ctx()).skip_message == "nope"
    assert skip_sched.evaluate_tick(_ctx()).skip_message == "nope"


def test_build_schedule_from_partitioned_job():
    @dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2024-01-01"))
    def daily():
        return 1

    pjob = dg.define_asset_job("pjob", selection=[daily])
    sched = dg.build_schedule_from_partitioned_job(pjob)
    defs = dg.Definitions(assets=[daily], jobs=[pjob], schedules=[sched])
    resolved = defs.resolve_schedule_def("pjob_schedule")
    assert resolved.cron_schedule == "0 0 * * *"


# --- sensors --------------------------------------------------------------------------------


@dg.sensor(job=my_job)
def cursor_sensor(context: dg.SensorEvaluationContext):
    last = int(context.cursor) if context.cursor else 0
    if last >= 2:
        return dg.SkipReason("done")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=str(last + 1))], cursor=str(last + 1)
    )


def test_sensor_attributes():
    assert cursor_sensor.name == "cursor_sensor"
    assert cursor_sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert cursor_sensor.minimum_interval_seconds == 30
    assert cursor_sensor.job_name == "my_job"


def test_sensor_direct_call_returns_sensor_result():
    res = cursor_sensor(dg.build_sensor_context())
    assert isinstance(res, dg.SensorResult)
    assert res.cursor == "1"
    assert [r.run_key for r in res.run_requests] == ["1"]


def test_sensor_direct_call_skip():
    res = cursor_sensor(dg.build_sensor_context(cursor="2"))
    assert isinstance(res, dg.SkipReason)
    assert res.skip_message == "done"


def test_sensor_evaluate_tick():
    data = cursor_sensor.evaluate_tick(dg.build_sensor_context(cursor="1"))
    assert [r.run_key for r in data.run_requests] == ["2"]
    assert data.cursor == "2"
    assert data.run_requests[0].tags["dagster/sensor_name"] == "cursor_sensor"
    skipped = cursor_sensor.evaluate_tick(dg.build_sensor_context(cursor="2"))
    assert skipped.run_requests == []
    assert skipped.skip_message == "done"


def test_generator_sensor():
    @dg.sensor(
        job=my_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING
    )
    def gen_sensor(context):
        yield dg.RunRequest(run_key="a")
        yield dg.RunRequest(run_key="b", tags={"x": "y"})

    assert gen_sensor.minimum_interval_seconds == 60
    assert gen_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert [r.run_key for r in gen_sensor(dg.build_sensor_context())] == ["a", "b"]
    assert [
        r.run_key for r in gen_sensor.evaluate_tick(dg.build_sensor_context()).run_requests
    ] == [
        "a",
        "b",
    ]


def test_sensor_context_cursor_and_instance():
    inst = dg.DagsterInstance.ephemeral()
    ctx = dg.build_sensor_context(cursor="c", instance=inst)
    assert ctx.cursor == "c"
    assert ctx.instance is inst
    ctx.update_cursor("d")
    assert ctx.cursor == "d"


def test_sensor_with_resources():
    class Src(dg.ConfigurableResource):
        n: int

    @dg.sensor(job=my_job)
    def res_sensor(context, src: Src):
        return dg.RunRequest(run_key=str(src.n))

    rr = res_sensor(dg.build_sensor_context(resources={"src": Src(n=4)}))
    assert rr.run_key == "4"


def test_sensor_with_asset_target():
    @dg.sensor(target=[a])
    def target_sensor(context):
        return dg.RunRequest()

    assert target_sensor.name == "target_sensor"


def test_run_request_defaults_and_fields():
    rr = dg.RunRequest()
    assert rr.run_key is None
    assert rr.run_config == {}
    assert rr.tags == {}
    rr = dg.RunRequest(run_key="x", tags={"a": "b"}, asset_selection=[dg.AssetKey("a")])
    assert rr.asset_selection == [dg.AssetKey("a")]
    assert rr.partition_key is None


def test_status_enums():
    assert {s.value for s in dg.DefaultSensorStatus} == {"RUNNING", "STOPPED"}
    assert {s.value for s in dg.DefaultScheduleStatus} == {"RUNNING", "STOPPED"}


def test_schedules_and_sensors_in_definitions():
    @dg.sensor(job=my_job)
    def s1(context):
        return dg.SkipReason("x")

    sched = dg.ScheduleDefinition(job=my_job, cron_schedule="@hourly")
    defs = dg.Definitions(assets=[a, b], jobs=[my_job], schedules=[sched], sensors=[s1])
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_sensor_def("s1").name == "s1"
    assert defs.resolve_schedule_def("my_job_schedule").cron_schedule == "@hourly"


def test_asset_sensor_and_run_status_sensor_construct():
    @dg.asset_sensor(asset_key=dg.AssetKey("a"), job=my_job)
    def a_sensor(context, asset_event):
        return dg.RunRequest()

    @dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS)
    def on_success(context):
        pass

    assert a_sensor.name == "a_sensor"
    assert on_success.name == "on_success"
