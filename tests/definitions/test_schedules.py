"""Schedule definitions: construction, validation, direct invocation, ticks and tick times."""

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest

import headwater as hw
from headwater.definitions.errors import (
    InvalidDefinitionError,
    InvalidInvocationError,
    InvalidPropertyError,
    InvariantViolationError,
    UserCodeExecutionError,
)


@hw.asset
def a():
    return 1


@hw.asset
def b(a):
    return a + 1


a_job = hw.define_asset_job("a_job", selection=[a])


def ctx(day=1, **kwargs):
    return hw.build_schedule_context(
        scheduled_execution_time=datetime.datetime(2024, 1, day), **kwargs)


def ticks(schedule, start, n=4, inclusive=False):
    return [t.isoformat() for t in itertools.islice(schedule.next_tick_times(start, inclusive), n)]


# --- construction ---------------------------------------------------------------------------


def test_defaults_come_from_the_job():
    s = hw.ScheduleDefinition(job=a_job, cron_schedule="0 0 * * *")
    assert (s.name, s.job_name, s.cron_schedule) == ("a_job_schedule", "a_job", "0 0 * * *")
    assert s.job is a_job
    assert s.default_status is hw.DefaultScheduleStatus.STOPPED
    assert s.execution_timezone is None and s.description is None


def test_job_name_only_schedule_has_no_job_object():
    s = hw.ScheduleDefinition(job_name="later", cron_schedule="@hourly")
    assert (s.name, s.job_name) == ("later_schedule", "later")
    with pytest.raises(InvalidDefinitionError, match="by name"):
        s.job  # noqa: B018


def test_target_assets_builds_an_anonymous_asset_job():
    s = hw.ScheduleDefinition(name="nightly", target=[a, b], cron_schedule="@daily")
    assert s.job_name == "__anonymous_asset_job_nightly"
    assert s.job.selection == hw.AssetSelection.assets(a, b)


def test_target_of_assets_needs_a_name():
    with pytest.raises(InvalidDefinitionError, match="name="):
        hw.ScheduleDefinition(target=[a], cron_schedule="@daily")


def test_target_may_be_a_job():
    assert hw.ScheduleDefinition(target=a_job, cron_schedule="@daily").job_name == "a_job"


@pytest.mark.parametrize("kwargs", [{}, {"job": a_job, "job_name": "a_job"},
                                    {"job": a_job, "target": [a]}])
def test_exactly_one_target(kwargs):
    with pytest.raises(InvalidDefinitionError):
        hw.ScheduleDefinition(cron_schedule="@daily", **kwargs)


@pytest.mark.parametrize("cron", ["not a cron", "* * * * * *", "0 0 * *", "60 0 * * *",
                                  "0 0 30 2 *", "", "H * * * *"])
def test_invalid_cron_names_the_schedule(cron):
    with pytest.raises(InvalidDefinitionError, match="'my_sched'.*invalid cron"):
        hw.ScheduleDefinition(name="my_sched", job=a_job, cron_schedule=cron)


@pytest.mark.parametrize("cron", ["@daily", "@hourly", "@weekly", "@monthly", "@yearly",
                                  "0 0 * * MON-FRI", "0 0 L * *", "*/5 * * * *", "0 0 * * 7"])
def test_valid_cron(cron):
    assert hw.ScheduleDefinition(job=a_job, cron_schedule=cron).cron_schedule == cron


def test_several_cron_strings():
    s = hw.ScheduleDefinition(job=a_job, cron_schedule=["0 6 * * *", "0 18 * * *"])
    assert s.cron_schedule == ["0 6 * * *", "0 18 * * *"]
    with pytest.raises(InvalidDefinitionError, match="bad"):
        hw.ScheduleDefinition(job=a_job, cron_schedule=["0 6 * * *", "bad"])


def test_unknown_timezone_is_an_error():
    with pytest.raises(InvalidDefinitionError, match="Mars/Olympus"):
        hw.ScheduleDefinition(job=a_job, cron_schedule="@daily", execution_timezone="Mars/Olympus")


def test_invalid_name():
    with pytest.raises(InvalidDefinitionError, match="not a valid name"):
        hw.ScheduleDefinition(name="my schedule", job=a_job, cron_schedule="@daily")


def test_conflicting_run_config_arguments():
    with pytest.raises(InvalidDefinitionError, match="run_config_fn"):
        hw.ScheduleDefinition(job=a_job, cron_schedule="@daily", run_config={},
                              run_config_fn=lambda c: {})
    with pytest.raises(InvalidDefinitionError, match="tags_fn"):
        hw.ScheduleDefinition(job=a_job, cron_schedule="@daily", tags={}, tags_fn=lambda c: {})


def test_decorator_records_its_arguments():
    @hw.schedule(cron_schedule="0 1 * * *", job=a_job, execution_timezone="Europe/Paris",
                 description="d", default_status=hw.DefaultScheduleStatus.RUNNING,
                 tags={"x": "1"}, metadata={"m": 1})
    def nightly(context):
        return {}

    assert isinstance(nightly, hw.ScheduleDefinition)
    assert (nightly.name, nightly.job_name, nightly.execution_timezone) == (
        "nightly", "a_job", "Europe/Paris")
    assert nightly.default_status is hw.DefaultScheduleStatus.RUNNING
    assert (nightly.description, nightly.tags, nightly.metadata) == ("d", {"x": "1"}, {"m": 1})


# --- direct invocation ----------------------------------------------------------------------


def test_direct_call_returns_what_the_function_returns():
    @hw.schedule(cron_schedule="@daily", job=a_job)
    def dated(context: hw.ScheduleEvaluationContext):
        return hw.RunRequest(run_key=context.scheduled_execution_time.strftime("%Y-%m-%d"))

    @hw.schedule(cron_schedule="@daily", job=a_job)
    def run_config(context):  # not "config": a reserved name, as in Dagster
        return {"ops": {"a": {"config": {}}}}

    assert dated(ctx(3)) == hw.RunRequest(run_key="2024-01-03")
    assert dated(context=ctx(4)).run_key == "2024-01-04"
    assert run_config(ctx()) == {"ops": {"a": {"config": {}}}}


def test_function_without_context():
    @hw.schedule(cron_schedule="@daily", job=a_job)
    def plain():
        return {"n": 1}

    assert plain() == {"n": 1}
    assert plain(ctx()) == {"n": 1}


def test_function_with_context_needs_one():
    @hw.schedule(cron_schedule="@daily", job=a_job)
    def needs(context):
        return {}

    with pytest.raises(InvalidInvocationError, match="build_schedule_context"):
        needs()
    with pytest.raises(InvalidInvocationError, match="ScheduleEvaluationContext"):
        needs(hw.build_sensor_context())


def test_only_decorated_schedules_are_callable():
    with pytest.raises(InvalidInvocationError, match="evaluate_tick"):
        hw.ScheduleDefinition(job=a_job, cron_schedule="@daily")(ctx())


def test_resources_by_typed_parameter():
    class Calendar(hw.ConfigurableResource):
        holiday: str

    @hw.schedule(cron_schedule="@daily", job=a_job)
    def business_days(context, calendar: Calendar):
        day = context.scheduled_execution_time.strftime("%m-%d")
        return hw.SkipReason("holiday") if day == calendar.holiday else hw.RunRequest()

    assert business_days.required_resource_keys == {"calendar"}
    with_cal = ctx(1, resources={"calendar": Calendar(holiday="01-01")})
    assert business_days(with_cal) == hw.SkipReason("holiday")
    assert business_days(ctx(2), calendar=Calendar(holiday="01-01")) == hw.RunRequest()
    with pytest.raises(InvalidInvocationError, match="'calendar'"):
        business_days(ctx())


def test_context_without_time_or_instance():
    c = hw.build_schedule_context()
    with pytest.raises(InvalidPropertyError, match="scheduled_execution_time"):
        c.scheduled_execution_time  # noqa: B018
    with pytest.raises(InvariantViolationError, match="instance"):
        c.instance  # noqa: B018
    inst = hw.Instance.ephemeral()
    assert hw.build_schedule_context(instance=inst).instance is inst


# --- evaluate_tick --------------------------------------------------------------------------


def test_tick_of_plain_schedule():
    s = hw.ScheduleDefinition(job=a_job, cron_schedule="@daily", run_config={"ops": {}},
                              tags={"team": "data"})
    tick = s.evaluate_tick(ctx())
    (rr,) = tick.run_requests
    assert rr.run_config == {"ops": {}}
    assert rr.tags == {"team": "data", "dagster/schedule_name": "a_job_schedule"}
    assert tick.skip_message is None


def test_tick_with_config_and_tags_functions():
    s = hw.ScheduleDefinition(
        job=a_job, cron_schedule="@daily",
        run_config_fn=lambda c: {"day": c.scheduled_execution_time.day},
        tags_fn=lambda c: {"day": str(c.scheduled_execution_time.day)})
    (rr,) = s.evaluate_tick(ctx(5)).run_requests
    assert rr.run_config == {"day": 5}
    assert rr.tags["day"] == "5"


def test_should_execute_false_skips():
    s = hw.ScheduleDefinition(job=a_job, cron_schedule="@daily", should_execute=lambda: False)
    tick = s.evaluate_tick(ctx())
    assert tick.run_requests == [] and "should_execute" in tick.skip_message


def test_tick_normalizes_function_results():
    def make(result):
        @hw.schedule(cron_schedule="@daily", job=a_job, tags={"from": "decorator"})
        def s(context):
            return result() if callable(result) else result
        return s

    def gen():
        yield hw.RunRequest(run_key="1")
        yield hw.RunRequest(run_key="2")

    assert [r.run_key for r in make(gen).evaluate_tick(ctx()).run_requests] == ["1", "2"]
    assert [r.run_key for r in make([hw.RunRequest(run_key="x")]).evaluate_tick(
        ctx()).run_requests] == ["x"]
    assert make(hw.SkipReason("nope")).evaluate_tick(ctx()).skip_message == "nope"
    assert make(None).evaluate_tick(ctx()).skip_message == "Schedule function returned an empty result"
    assert make([]).evaluate_tick(ctx()).run_requests == []
    # The decorator's tags apply to a returned run config, not to a returned RunRequest.
    (from_config,) = make({"a": 1}).evaluate_tick(ctx()).run_requests
    assert from_config.tags == {"from": "decorator", "dagster/schedule_name": "s"}
    (from_request,) = make(hw.RunRequest(tags={"own": "1"})).evaluate_tick(ctx()).run_requests
    assert from_request.tags == {"own": "1", "dagster/schedule_name": "s"}


@pytest.mark.parametrize("result", [5, [hw.RunRequest(), hw.SkipReason("x")], [{"a": 1}]])
def test_tick_rejects_other_results(result):
    @hw.schedule(cron_schedule="@daily", job=a_job)
    def odd(context):
        return result

    with pytest.raises(UserCodeExecutionError, match="'odd'"):
        odd.evaluate_tick(ctx())


def test_user_error_is_wrapped_with_the_schedule_name():
    @hw.schedule(cron_schedule="@daily", job=a_job)
    def broken(context):
        raise KeyError("missing")

    with pytest.raises(UserCodeExecutionError, match="'broken'.*KeyError") as info:
        broken.evaluate_tick(ctx())
    assert isinstance(info.value.user_exception, KeyError)


def test_run_request_for_another_job_is_rejected():
    @hw.schedule(cron_schedule="@daily", job=a_job)
    def elsewhere(context):
        return hw.RunRequest(job_name="other_job")

    with pytest.raises(InvalidDefinitionError, match="other_job"):
        elsewhere.evaluate_tick(ctx())


# --- tick times -----------------------------------------------------------------------------


def test_next_tick_times_in_utc_by_default():
    s = hw.ScheduleDefinition(job=a_job, cron_schedule="0 6 * * *")
    start = datetime.datetime(2024, 1, 1, 6, tzinfo=datetime.timezone.utc)
    assert ticks(s, start, 2) == ["2024-01-02T06:00:00+00:00", "2024-01-03T06:00:00+00:00"]
    assert ticks(s, start, 1, inclusive=True) == ["2024-01-01T06:00:00+00:00"]


def test_next_tick_times_in_the_schedule_timezone():
    s = hw.ScheduleDefinition(job=a_job, cron_schedule="0 9 * * *",
                              execution_timezone="America/Los_Angeles")
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)  # 2023-12-31 16:00 PST
    assert ticks(s, start, 2) == ["2024-01-01T09:00:00-08:00", "2024-01-02T09:00:00-08:00"]
    naive = datetime.datetime(2024, 1, 1, 10)  # read in the schedule's timezone
    assert ticks(s, naive, 1) == ["2024-01-02T09:00:00-08:00"]


def test_several_cron_strings_merge_in_order():
    s = hw.ScheduleDefinition(job=a_job, cron_schedule=["0 18 * * *", "0 6 * * *", "0 6 * * *"])
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    assert [t[11:16] for t in ticks(s, start, 4)] == ["06:00", "18:00", "06:00", "18:00"]


NY = "America/New_York"


def test_spring_forward_moves_a_daily_tick_to_the_end_of_the_gap():
    s = hw.ScheduleDefinition(job=a_job, cron_schedule="30 2 * * *", execution_timezone=NY)
    start = datetime.datetime(2024, 3, 9, tzinfo=ZoneInfo(NY))
    assert ticks(s, start, 3) == ["2024-03-09T02:30:00-05:00", "2024-03-10T03:00:00-04:00",
                                  "2024-03-11T02:30:00-04:00"]


def test_spring_forward_skips_an_hourly_tick():
    s = hw.ScheduleDefinition(job=a_job, cron_schedule="30 * * * *", execution_timezone=NY)
    start = datetime.datetime(2024, 3, 10, 1, tzinfo=ZoneInfo(NY))
    assert ticks(s, start, 2) == ["2024-03-10T01:30:00-05:00", "2024-03-10T03:30:00-04:00"]


def test_fall_back_fires_a_daily_tick_once_and_an_hourly_tick_twice():
    daily = hw.ScheduleDefinition(job=a_job, cron_schedule="30 1 * * *", execution_timezone=NY)
    start = datetime.datetime(2024, 11, 3, tzinfo=ZoneInfo(NY))
    assert ticks(daily, start, 2) == ["2024-11-03T01:30:00-05:00", "2024-11-04T01:30:00-05:00"]
    hourly = hw.ScheduleDefinition(job=a_job, cron_schedule="@hourly", execution_timezone=NY)
    start = datetime.datetime(2024, 11, 3, 0, 30, tzinfo=ZoneInfo(NY))
    assert ticks(hourly, start, 3) == ["2024-11-03T01:00:00-04:00", "2024-11-03T01:00:00-05:00",
                                       "2024-11-03T02:00:00-05:00"]


# --- validation against Definitions ---------------------------------------------------------


def test_validate_against_accepts_known_jobs():
    defs = hw.Definitions(assets=[a, b], jobs=[a_job])
    hw.ScheduleDefinition(job=a_job, cron_schedule="@daily").validate_against(defs)
    hw.ScheduleDefinition(job_name="a_job", cron_schedule="@daily").validate_against(defs)
    hw.ScheduleDefinition(job_name="__ASSET_JOB", cron_schedule="@daily").validate_against(defs)
    hw.ScheduleDefinition(name="t", target=[b], cron_schedule="@daily").validate_against(defs)


def test_validate_against_unknown_job_name():
    s = hw.ScheduleDefinition(job_name="no_such_job", cron_schedule="@daily")
    with pytest.raises(InvalidDefinitionError, match="'no_such_job_schedule'.*'no_such_job'"):
        s.validate_against(hw.Definitions(assets=[a], jobs=[a_job]))


def test_validate_against_finds_jobs_carried_by_other_schedules():
    by_name = hw.ScheduleDefinition(name="by_name", job_name="a_job", cron_schedule="@daily")
    carrier = hw.ScheduleDefinition(job=a_job, cron_schedule="@daily")
    by_name.validate_against(hw.Definitions(assets=[a], schedules=[by_name, carrier]))


def test_validate_against_two_different_jobs_with_one_name():
    other = hw.define_asset_job("a_job", selection=[b])
    s = hw.ScheduleDefinition(job=other, cron_schedule="@daily")
    with pytest.raises(InvalidDefinitionError, match="different job"):
        s.validate_against(hw.Definitions(assets=[a, b], jobs=[a_job]))


def test_validate_against_asset_targets():
    s = hw.ScheduleDefinition(name="t", target=[b], cron_schedule="@daily")
    with pytest.raises(InvalidDefinitionError, match=r"\['b'\].*Definitions\(assets"):
        s.validate_against(hw.Definitions(assets=[a]))
    empty = hw.ScheduleDefinition(name="e", target=hw.AssetSelection.groups("nope"),
                                  cron_schedule="@daily")
    with pytest.raises(InvalidDefinitionError, match="'e'"):
        empty.validate_against(hw.Definitions(assets=[a]))


def test_schedule_of_a_job_selected_by_group_resolves_through_get_schedule_def():
    import headwater as dg

    @dg.asset(partitions_def=dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00"),
              group_name="hourly")
    def per_hour():
        return 1

    job = dg.define_asset_job("hourly_job", selection="group:hourly")
    sched = dg.build_schedule_from_partitioned_job(job)
    defs = dg.Definitions(assets=[per_hour], jobs=[job], schedules=[sched])
    assert defs.get_schedule_def("hourly_job_schedule").cron_schedule == "0 * * * *"
