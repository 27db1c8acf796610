"""Partition mappings, BackfillPolicy and build_schedule_from_partitioned_job through the
public API, verified against Dagster (DG_IMPL=dagster) and Headwater alike."""

import datetime
import importlib
import os
import warnings

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))
warnings.filterwarnings("ignore", message=".*(beta|preview).*")

DAILY = dg.DailyPartitionsDefinition(start_date="2024-01-01")
HOURLY = dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00")
STATIC = dg.StaticPartitionsDefinition(["a", "b", "c"])
UTC = datetime.timezone.utc


def _assets(up_def, down_def, mapping=None):
    up_kw = {"partitions_def": up_def} if up_def is not None else {}
    down_kw = {"partitions_def": down_def} if down_def is not None else {}

    @dg.asset(name="up", **up_kw)
    def up():
        return 1

    ins = {"up": dg.AssetIn(partition_mapping=mapping)} if mapping is not None else None

    @dg.asset(name="down", ins=ins, **down_kw)
    def down(up):
        return up

    return [up, down]


def _defs(up_def, down_def, mapping=None):
    return dg.Definitions(assets=_assets(up_def, down_def, mapping))


# --- mapping classes ------------------------------------------------------------------------


def test_mapping_attributes():
    tw = dg.TimeWindowPartitionMapping(start_offset=-1)
    assert (tw.start_offset, tw.end_offset, tw.allow_nonexistent_upstream_partitions) == (-1, 0, False)
    assert tw == dg.TimeWindowPartitionMapping(-1, 0)
    assert hash(tw) == hash(dg.TimeWindowPartitionMapping(-1, 0))
    static = dg.StaticPartitionMapping({"a": "x", "b": {"x", "y"}})
    assert static.downstream_partition_keys_by_upstream_partition_key == {"a": "x", "b": {"x", "y"}}
    assert dg.SpecificPartitionsPartitionMapping(["a"]).partition_keys == ["a"]
    assert dg.MultiToSingleDimensionPartitionMapping().partition_dimension_name is None
    dim = dg.DimensionPartitionMapping("date", dg.IdentityPartitionMapping())
    assert dim.dimension_name == "date"
    multi = dg.MultiPartitionMapping({"date": dim})
    assert multi.downstream_mappings_by_upstream_dimension == {"date": dim}
    for m in (tw, static, dg.IdentityPartitionMapping(), dg.AllPartitionMapping(),
              dg.LastPartitionMapping(), multi):
        assert isinstance(m, dg.PartitionMapping)


def test_mapping_reprs():
    assert repr(dg.IdentityPartitionMapping()) == "IdentityPartitionMapping()"
    assert repr(dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)) == (
        "TimeWindowPartitionMapping(start_offset=-1, end_offset=-1, "
        "allow_nonexistent_upstream_partitions=False)")
    assert repr(dg.MultiToSingleDimensionPartitionMapping("color")) == (
        "MultiToSingleDimensionPartitionMapping(partition_dimension_name='color')")


# --- definition-time checks -----------------------------------------------------------------


@pytest.mark.parametrize("up_def,down_def,mapping", [
    (DAILY, DAILY, None),
    (HOURLY, DAILY, None),
    (DAILY, HOURLY, None),
    (STATIC, STATIC, None),
    (STATIC, None, None),
    (None, DAILY, None),
    (STATIC, DAILY, dg.AllPartitionMapping()),
    (STATIC, DAILY, dg.LastPartitionMapping()),
    (STATIC, DAILY, dg.SpecificPartitionsPartitionMapping(["a"])),
    (DAILY, DAILY, dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)),
    (STATIC, dg.StaticPartitionsDefinition(["x", "y"]),
     dg.StaticPartitionMapping({"a": "x", "b": {"x", "y"}, "c": "y"})),
    (dg.MultiPartitionsDefinition({"date": DAILY, "color": STATIC}), STATIC, None),
    (STATIC, dg.MultiPartitionsDefinition({"date": DAILY, "color": STATIC}),
     dg.MultiToSingleDimensionPartitionMapping("color")),
])
def test_dependencies_that_line_up_load(up_def, down_def, mapping):
    dg.Definitions.validate_loadable(_defs(up_def, down_def, mapping))


@pytest.mark.parametrize("up_def,down_def,mapping", [
    (STATIC, DAILY, None),
    (DAILY, STATIC, None),
    (dg.DynamicPartitionsDefinition(name="dyn"), STATIC, None),
    (STATIC, STATIC, dg.TimeWindowPartitionMapping()),
    (STATIC, DAILY, dg.IdentityPartitionMapping()),
    (STATIC, None, dg.IdentityPartitionMapping()),
    (DAILY, None, dg.TimeWindowPartitionMapping()),
    (STATIC, dg.StaticPartitionsDefinition(["x"]), dg.StaticPartitionMapping({"zz": "x"})),
    (DAILY, dg.StaticPartitionsDefinition(["x"]), dg.StaticPartitionMapping({"a": "x"})),
    (STATIC, STATIC, dg.MultiToSingleDimensionPartitionMapping()),
])
def test_mismatched_partitions_fail_definitions_validation(up_def, down_def, mapping):
    defs = _defs(up_def, down_def, mapping)  # lazy: nothing is checked yet
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.Definitions.validate_loadable(defs)


def test_mismatched_partitions_fail_materialize():
    assets = _assets(STATIC, DAILY)
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize(assets, partition_key="2024-01-01")


def test_asset_dep_partition_mapping_is_used():
    @dg.asset(partitions_def=STATIC)
    def up():
        return 1

    @dg.asset(partitions_def=DAILY,
              deps=[dg.AssetDep(up, partition_mapping=dg.AllPartitionMapping())])
    def down():
        return 1

    dg.Definitions.validate_loadable(dg.Definitions(assets=[up, down]))


def test_asset_job_with_two_partitionings_fails():
    @dg.asset(partitions_def=DAILY)
    def d():
        return 1

    @dg.asset(partitions_def=STATIC)
    def s():
        return 1

    defs = dg.Definitions(assets=[d, s], jobs=[dg.define_asset_job("j", selection=[d, s])])
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.Definitions.validate_loadable(defs)


def test_asset_job_partitions_def_comes_from_its_assets():
    @dg.asset(partitions_def=DAILY)
    def d():
        return 1

    @dg.asset
    def u():
        return 1

    defs = dg.Definitions(assets=[d, u], jobs=[dg.define_asset_job("j", selection=[d, u]),
                                              dg.define_asset_job("k", selection=[u])])
    assert defs.resolve_job_def("j").partitions_def == DAILY
    assert defs.resolve_job_def("k").partitions_def is None


# --- BackfillPolicy -------------------------------------------------------------------------


def test_backfill_policy_attributes():
    single = dg.BackfillPolicy.single_run()
    multi = dg.BackfillPolicy.multi_run(max_partitions_per_run=5)
    assert single.max_partitions_per_run is None
    assert single.policy_type.value == "SINGLE_RUN"
    assert multi.max_partitions_per_run == 5
    assert multi.policy_type.value == "MULTI_RUN"
    assert dg.BackfillPolicy.multi_run().max_partitions_per_run == 1
    assert single == dg.BackfillPolicy.single_run()
    assert multi != dg.BackfillPolicy.multi_run(4)
    assert str(single) == "BackfillPolicy.single_run()"


def test_asset_backfill_policy():
    @dg.asset(partitions_def=DAILY, backfill_policy=dg.BackfillPolicy.single_run())
    def with_policy():
        return 1

    @dg.asset(partitions_def=DAILY)
    def without():
        return 1

    assert with_policy.backfill_policy == dg.BackfillPolicy.single_run()
    assert without.backfill_policy is None


# --- build_schedule_from_partitioned_job ----------------------------------------------------


def _schedule(pdef, **kwargs):
    @dg.asset(partitions_def=pdef)
    def p():
        return 1

    job = dg.define_asset_job("pjob", selection=[p])
    sched = dg.build_schedule_from_partitioned_job(job, **kwargs)
    defs = dg.Definitions(assets=[p], jobs=[job], schedules=[sched])
    return defs.resolve_schedule_def(kwargs.get("name", "pjob_schedule"))


def _tick(sched, when):
    ctx = dg.build_schedule_context(scheduled_execution_time=when)
    return sched.evaluate_tick(ctx)


@pytest.mark.parametrize("pdef,kwargs,cron", [
    (DAILY, {}, "0 0 * * *"),
    (dg.DailyPartitionsDefinition("2024-01-01", hour_offset=2), {}, "0 2 * * *"),
    (DAILY, {"hour_of_day": 5, "minute_of_hour": 10}, "10 5 * * *"),
    (dg.HourlyPartitionsDefinition("2024-01-01-00:00", minute_offset=15), {}, "15 * * * *"),
    (HOURLY, {"minute_of_hour": 30}, "30 * * * *"),
    (dg.WeeklyPartitionsDefinition("2024-01-07"), {"day_of_week": 3}, "0 0 * * 3"),
    (dg.MonthlyPartitionsDefinition("2024-01-01"), {"day_of_month": 5}, "0 0 5 * *"),
])
def test_partitioned_schedule_cron(pdef, kwargs, cron):
    sched = _schedule(pdef, **kwargs)
    assert sched.cron_schedule == cron
    assert sched.name == "pjob_schedule"
    assert sched.job_name == "pjob"


def test_partitioned_schedule_timezone_and_name():
    sched = _schedule(dg.DailyPartitionsDefinition("2024-01-01", timezone="America/New_York"),
                      name="nightly", description="every night")
    assert sched.name == "nightly"
    assert sched.execution_timezone == "America/New_York"
    assert sched.description == "every night"


def test_partitioned_schedule_requests_last_complete_partition():
    sched = _schedule(DAILY)
    result = _tick(sched, datetime.datetime(2024, 3, 5, 13, tzinfo=UTC))
    [request] = result.run_requests
    assert request.partition_key == "2024-03-04"
    assert request.run_key == "2024-03-04"
    assert request.tags["dagster/partition"] == "2024-03-04"
    assert request.tags["dagster/schedule_name"] == "pjob_schedule"


def test_partitioned_schedule_direct_call():
    sched = _schedule(HOURLY)
    request = sched(dg.build_schedule_context(
        scheduled_execution_time=datetime.datetime(2024, 3, 5, 13, 30, tzinfo=UTC)))
    assert request.partition_key == "2024-03-05-12:00"
    assert request.tags["dagster/partition"] == "2024-03-05-12:00"


def test_partitioned_schedule_skips_before_first_partition():
    sched = _schedule(DAILY)
    result = _tick(sched, datetime.datetime(2024, 1, 1, tzinfo=UTC))
    assert result.run_requests == []
    assert result.skip_message


def test_partitioned_schedule_end_offset_requests_current_partition():
    sched = _schedule(dg.DailyPartitionsDefinition("2024-01-01", end_offset=1))
    [request] = _tick(sched, datetime.datetime(2024, 3, 5, 13, tzinfo=UTC)).run_requests
    assert request.partition_key == "2024-03-05"


@pytest.mark.parametrize("pdef,kwargs", [
    (DAILY, {"day_of_week": 3}),
    (HOURLY, {"hour_of_day": 3}),
    (DAILY, {"cron_schedule": "0 6 * * *"}),
])
def test_partitioned_schedule_bad_arguments(pdef, kwargs):
    with pytest.raises(Exception):  # noqa: B017 - Dagster raises a CheckError here
        _schedule(pdef, **kwargs).cron_schedule  # noqa: B018


def test_static_partitioned_job_schedule_runs_every_partition():
    @dg.asset(partitions_def=STATIC)
    def s():
        return 1

    job = dg.define_asset_job("sjob", selection=[s], partitions_def=STATIC)
    sched = dg.build_schedule_from_partitioned_job(job, cron_schedule="0 6 * * *")
    assert sched.cron_schedule == "0 6 * * *"
    result = _tick(sched, datetime.datetime(2024, 3, 5, 13, tzinfo=UTC))
    assert [r.partition_key for r in result.run_requests] == ["a", "b", "c"]
    assert [r.tags["dagster/partition"] for r in result.run_requests] == ["a", "b", "c"]
