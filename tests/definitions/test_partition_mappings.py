"""Partition mappings: the keys they map (both ways), Dagster's defaults, the definition-time
check of asset dependencies and its messages, and the asset graph's partition queries.

Expected keys were read from Dagster 1.13 for the same definitions."""

import datetime

import pytest

import headwater as dg
from headwater.definitions.errors import InvalidDefinitionError, UnknownPartitionError
from headwater.definitions.partitions.mappings import (
    check_partition_mapping,
    infer_partition_mapping,
)

DAILY = dg.DailyPartitionsDefinition("2024-01-01")
LATE_DAILY = dg.DailyPartitionsDefinition("2024-01-10")
ENDING = dg.DailyPartitionsDefinition("2024-01-01", end_date="2024-01-20")
HOURLY = dg.HourlyPartitionsDefinition("2024-01-01-00:00")
WEEKLY = dg.WeeklyPartitionsDefinition("2024-01-07")
STATIC = dg.StaticPartitionsDefinition(["a", "b", "c"])
XY = dg.StaticPartitionsDefinition(["x", "y"])
SHORT = dg.DailyPartitionsDefinition("2024-01-01", end_date="2024-01-05")
MULTI = dg.MultiPartitionsDefinition({"date": SHORT, "color": STATIC})
MULTI_XY = dg.MultiPartitionsDefinition({"date": SHORT, "other": XY})
TW = dg.TimeWindowPartitionMapping
MK = dg.MultiPartitionKey


# --- time windows ---------------------------------------------------------------------------


def test_daily_downstream_reads_its_24_hours():
    keys = TW().upstream_keys(["2024-01-02"], DAILY, HOURLY)
    assert len(keys) == 24
    assert (keys[0], keys[-1]) == ("2024-01-02-00:00", "2024-01-02-23:00")


def test_offsets_count_downstream_partitions():
    keys = TW(start_offset=-1).upstream_keys(["2024-01-02"], DAILY, HOURLY)
    assert (len(keys), keys[0], keys[-1]) == (48, "2024-01-01-00:00", "2024-01-02-23:00")
    assert TW(-1, -1).upstream_keys(["2024-01-02-05:00"], HOURLY, DAILY) == ["2024-01-02"]


def test_hourly_downstream_reads_its_day():
    assert TW().upstream_keys(["2024-01-02-05:00"], HOURLY, DAILY) == ["2024-01-02"]


def test_previous_day_mapping_merges_and_orders():
    assert TW(-2, 0).upstream_keys(["2024-01-09", "2024-01-05"], DAILY, DAILY) == [
        "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-07", "2024-01-08", "2024-01-09"]


def test_weekly_and_daily():
    assert TW().upstream_keys(["2024-01-09"], DAILY, WEEKLY) == ["2024-01-07"]
    assert TW().upstream_keys(["2024-01-07"], WEEKLY, DAILY) == [
        f"2024-01-{d:02d}" for d in range(7, 14)]


def test_shifted_part_outside_upstream_is_dropped():
    assert TW(-1, -1).upstream_keys(["2024-01-01", "2024-01-02"], DAILY, DAILY) == ["2024-01-01"]
    assert TW(-1, -1).upstream_keys(["2024-01-10", "2024-01-11"], DAILY, LATE_DAILY) == [
        "2024-01-10"]
    assert TW(1, 1).upstream_keys(["2024-01-19"], DAILY, ENDING) == []
    # before the downstream's own start, when the upstream has it
    assert TW(-3, -3).upstream_keys(["2024-01-10"], LATE_DAILY, DAILY) == ["2024-01-07"]


def test_unshifted_window_outside_upstream_is_an_error_unless_allowed():
    with pytest.raises(UnknownPartitionError) as e:
        TW().upstream_keys(["2024-01-05", "2024-01-12"], DAILY, LATE_DAILY)
    message = str(e.value)
    assert "'2024-01-05'" in message and "2024-01-10" in message
    assert "allow_nonexistent_upstream_partitions=True" in message
    allowed = TW(allow_nonexistent_upstream_partitions=True)
    assert allowed.upstream_keys(["2024-01-05", "2024-01-12"], DAILY, LATE_DAILY) == ["2024-01-12"]


def test_time_window_downstream_keys():
    assert TW().downstream_keys(["2024-01-02"], DAILY, HOURLY)[:2] == [
        "2024-01-02-00:00", "2024-01-02-01:00"]
    assert TW().downstream_keys(
        ["2024-01-02-05:00", "2024-01-02-06:00", "2024-01-03-01:00"], HOURLY, DAILY) == [
        "2024-01-02", "2024-01-03"]
    assert TW(-1, -1).downstream_keys(["2024-01-02"], DAILY, DAILY) == ["2024-01-03"]
    assert TW(-1, 0).downstream_keys(["2024-01-02"], DAILY, DAILY) == ["2024-01-02", "2024-01-03"]
    assert TW().downstream_keys(["2024-01-05", "2024-01-12"], DAILY, LATE_DAILY) == ["2024-01-12"]
    assert TW(0, 1).downstream_keys(["2024-01-20", "2024-01-02"], DAILY, ENDING) == [
        "2024-01-01", "2024-01-02", "2024-01-19"]


def test_many_keys_map_in_one_pass():
    hours = HOURLY.get_partition_keys()[:10_000]
    days = TW(-1, 0).upstream_keys(hours, HOURLY, DAILY)
    assert days[0] == "2024-01-01" and len(days) == len(set(days))
    year = DAILY.get_partition_keys()[:365]
    assert len(TW().upstream_keys(year, DAILY, HOURLY)) == 365 * 24
    assert TW(-1, 0).downstream_keys(hours, HOURLY, DAILY)[-1] > days[-1]


def test_unknown_downstream_key_names_the_definition():
    with pytest.raises(UnknownPartitionError, match="2024-13-01"):
        TW().upstream_keys(["2024-13-01"], DAILY, DAILY)


# --- the other mappings ---------------------------------------------------------------------


def test_identity_all_last_specific():
    assert dg.IdentityPartitionMapping().upstream_keys(["c", "a", "c"], STATIC, STATIC) == ["a", "c"]
    assert dg.AllPartitionMapping().upstream_keys(None, None, STATIC) == ["a", "b", "c"]
    assert dg.AllPartitionMapping().downstream_keys(["x"], XY, STATIC) == ["a", "b", "c"]
    assert dg.LastPartitionMapping().upstream_keys(["a"], STATIC, SHORT) == ["2024-01-04"]
    assert dg.LastPartitionMapping().downstream_keys(["2024-01-04"], SHORT, STATIC) == ["a", "b", "c"]
    assert dg.LastPartitionMapping().downstream_keys(["2024-01-03"], SHORT, STATIC) == []
    specific = dg.SpecificPartitionsPartitionMapping(["2024-01-03", "2024-01-02"])
    assert specific.upstream_keys(["a"], STATIC, SHORT) == ["2024-01-02", "2024-01-03"]
    assert specific.downstream_keys(["2024-01-02"], SHORT, STATIC) == ["a", "b", "c"]
    assert specific.downstream_keys(["2024-01-04"], SHORT, STATIC) == []


def test_identity_missing_upstream_key_is_an_error():
    with pytest.raises(UnknownPartitionError, match="'c'"):
        dg.IdentityPartitionMapping().upstream_keys(["c"], STATIC, dg.StaticPartitionsDefinition(["a"]))


def test_static_mapping_both_ways():
    m = dg.StaticPartitionMapping({"a": "x", "b": {"x", "y"}, "c": "y"})
    assert m.upstream_keys(["x"], XY, STATIC) == ["a", "b"]
    assert m.downstream_keys(["c", "a"], STATIC, XY) == ["x", "y"]
    assert m == dg.StaticPartitionMapping({"a": "x", "b": {"y", "x"}, "c": "y"})
    assert hash(m) == hash(dg.StaticPartitionMapping({"c": "y", "b": {"x", "y"}, "a": "x"}))


def test_unpartitioned_sides():
    assert TW().upstream_keys(["2024-01-02"], DAILY, None) == []
    assert dg.AllPartitionMapping().downstream_keys(["a"], STATIC, None) == []
    assert dg.AllPartitionMapping().downstream_keys([], None, XY) == ["x", "y"]


def test_dynamic_keys_come_from_the_store():
    class Store:
        def get_dynamic_partitions(self, name):
            return {"dyn": ["p", "q"]}[name]

    dyn = dg.DynamicPartitionsDefinition(name="dyn")
    assert dg.IdentityPartitionMapping().upstream_keys(["q", "p"], dyn, dyn, Store()) == ["p", "q"]
    assert dg.AllPartitionMapping().upstream_keys(None, None, dyn, Store()) == ["p", "q"]


def test_multi_to_single_dimension():
    m = dg.MultiToSingleDimensionPartitionMapping()
    assert m.upstream_keys(["b"], STATIC, MULTI) == [
        "b|2024-01-01", "b|2024-01-02", "b|2024-01-03", "b|2024-01-04"]
    assert m.upstream_keys(["b|2024-01-02", "c|2024-01-01"], MULTI, STATIC) == ["b", "c"]
    assert m.downstream_keys(["b"], STATIC, MULTI)[0] == "b|2024-01-01"
    assert m.downstream_keys([MK({"date": "2024-01-03", "color": "a"})], MULTI, SHORT) == [
        "2024-01-03"]
    hourly = dg.HourlyPartitionsDefinition("2024-01-01-00:00", end_date="2024-01-03-00:00")
    assert m.upstream_keys(["2024-01-02-05:00"], hourly, MULTI) == [
        "a|2024-01-02", "b|2024-01-02", "c|2024-01-02"]
    assert len(m.upstream_keys([MK({"date": "2024-01-02", "color": "a"})], MULTI, hourly)) == 24


def test_multi_partition_mapping():
    by_date = dg.MultiPartitionMapping(
        {"date": dg.DimensionPartitionMapping("date", TW(-1, -1))})
    assert by_date.upstream_keys([MK({"date": "2024-01-03", "other": "x"})], MULTI_XY, MULTI) == [
        "a|2024-01-02", "b|2024-01-02", "c|2024-01-02"]
    assert by_date.downstream_keys([MK({"date": "2024-01-03", "color": "a"})], MULTI, MULTI_XY) == [
        "2024-01-04|x", "2024-01-04|y"]
    by_color = dg.MultiPartitionMapping({"color": dg.DimensionPartitionMapping(
        "other", dg.StaticPartitionMapping({"a": "x", "b": "y", "c": "y"}))})
    keys = by_color.upstream_keys([MK({"date": "2024-01-03", "other": "y"})], MULTI_XY, MULTI)
    assert keys == [f"{c}|2024-01-0{d}" for c in "bc" for d in range(1, 5)]


def test_value_objects():
    assert TW(-1) == TW(start_offset=-1, end_offset=0)
    assert len({TW(-1), TW(-1), dg.IdentityPartitionMapping(), dg.AllPartitionMapping()}) == 3
    assert dg.IdentityPartitionMapping() != dg.AllPartitionMapping()
    assert "IdentityPartitionMapping()" == repr(dg.IdentityPartitionMapping())
    assert dg.TimeWindowPartitionMapping().description


@pytest.mark.parametrize("make,fragment", [
    (lambda: TW(start_offset=1, end_offset=0), "start_offset must not be greater"),
    (lambda: TW(start_offset="x"), "whole number"),
    (lambda: dg.StaticPartitionMapping({"a": 1}), "StaticPartitionMapping"),
    (lambda: dg.SpecificPartitionsPartitionMapping("abc"), "list of partition keys"),
])
def test_bad_constructor_arguments(make, fragment):
    with pytest.raises(InvalidDefinitionError, match=fragment):
        make()


# --- defaults and the definition-time check -------------------------------------------------


@pytest.mark.parametrize("up,down,expected", [
    (DAILY, DAILY, TW()),
    (HOURLY, DAILY, TW()),
    (STATIC, STATIC, dg.IdentityPartitionMapping()),
    (STATIC, None, dg.AllPartitionMapping()),
    (None, DAILY, dg.AllPartitionMapping()),
    (MULTI, STATIC, dg.MultiToSingleDimensionPartitionMapping()),
    (HOURLY, MULTI, dg.MultiToSingleDimensionPartitionMapping()),
    (STATIC, DAILY, dg.IdentityPartitionMapping()),  # refused by the check
])
def test_infer_partition_mapping(up, down, expected):
    assert infer_partition_mapping(None, up, down) == expected
    explicit = dg.LastPartitionMapping()
    assert infer_partition_mapping(explicit, up, down) is explicit


def test_check_message_names_both_assets_definitions_and_the_fix():
    with pytest.raises(InvalidDefinitionError) as e:
        check_partition_mapping(dg.AssetKey(["raw", "events"]), STATIC,
                                dg.AssetKey("daily_report"), DAILY, None)
    message = str(e.value)
    for fragment in ("'daily_report'", "'raw/events'", "StaticPartitionsDefinition",
                     "DailyPartitionsDefinition", "partition_mapping=", "AssetIn(",
                     "AssetDep("):
        assert fragment in message


@pytest.mark.parametrize("up,down,mapping,fragment", [
    (STATIC, XY, None, "same partitions"),
    (MULTI, MULTI_XY, None, "same partitions"),
    (MULTI, STATIC, dg.MultiToSingleDimensionPartitionMapping("nope"), "'nope'"),
    (MULTI, STATIC, dg.MultiToSingleDimensionPartitionMapping("date"), "other keys"),
    (STATIC, DAILY, dg.SpecificPartitionsPartitionMapping(["zz"]), "'zz'"),
    (DAILY, DAILY, dg.SpecificPartitionsPartitionMapping(["not-a-day"]), "'not-a-day'"),
    (STATIC, XY, dg.StaticPartitionMapping({"a": "zz"}), "'zz'"),
    (MULTI, MULTI, dg.MultiPartitionMapping(
        {"nope": dg.DimensionPartitionMapping("date", dg.IdentityPartitionMapping())}), "'nope'"),
    (MULTI, MULTI, dg.MultiPartitionMapping(
        {"date": dg.DimensionPartitionMapping("nope", dg.IdentityPartitionMapping())}), "'nope'"),
    (STATIC, DAILY, "not a mapping", "not a PartitionMapping"),
])
def test_check_refuses_mappings_that_do_not_fit(up, down, mapping, fragment):
    with pytest.raises(InvalidDefinitionError, match=fragment):
        check_partition_mapping("up", up, "down", down, mapping)


@pytest.mark.parametrize("up,down,mapping", [
    (None, STATIC, dg.StaticPartitionMapping({"q": "z"})),  # an unpartitioned upstream is read whole
    (DAILY, LATE_DAILY, None),
    (dg.DynamicPartitionsDefinition(name="a"), dg.DynamicPartitionsDefinition(name="b"), None),
    (MULTI, MULTI, dg.MultiPartitionMapping(
        {"date": dg.DimensionPartitionMapping("date", TW(-1, -1))})),
    (None, None, None),
])
def test_check_accepts(up, down, mapping):
    check_partition_mapping("up", up, "down", down, mapping)


# --- the asset graph ------------------------------------------------------------------------


def _graph(*assets):
    return dg.Definitions(assets=list(assets)).resolve_asset_graph()


def test_graph_partition_queries():
    @dg.asset(partitions_def=HOURLY)
    def hourly():
        return 1

    @dg.asset(partitions_def=DAILY, ins={"hourly": dg.AssetIn(partition_mapping=TW(-1, 0))})
    def daily(hourly):
        return 1

    @dg.asset(deps=[daily])
    def summary():
        return 1

    graph = _graph(hourly, daily, summary)
    key = dg.AssetKey
    assert graph.partitions_def_for(key("daily")) == DAILY
    assert graph.partitions_def_for(key("summary")) is None
    assert graph.partition_mapping_for(key("daily"), key("hourly")) == TW(-1, 0)
    assert graph.partition_mapping_for(key("summary"), key("daily")) == dg.AllPartitionMapping()
    assert daily.partition_mappings == {key("hourly"): TW(-1, 0)}


def test_graph_build_refuses_a_mismatch_and_names_the_assets():
    @dg.asset(partitions_def=STATIC)
    def regions():
        return 1

    @dg.asset(partitions_def=DAILY)
    def report(regions):
        return 1

    defs = dg.Definitions(assets=[regions, report])
    with pytest.raises(InvalidDefinitionError, match="'report'.*'regions'"):
        dg.Definitions.validate_loadable(defs)


def test_asset_dep_mapping_reaches_the_graph():
    @dg.asset(partitions_def=STATIC)
    def regions():
        return 1

    @dg.asset(partitions_def=DAILY,
              deps=[dg.AssetDep("regions", partition_mapping=dg.AllPartitionMapping())])
    def report():
        return 1

    graph = _graph(regions, report)
    assert graph.partition_mapping_for(dg.AssetKey("report"), dg.AssetKey("regions")) == (
        dg.AllPartitionMapping())


def test_unpartitioned_graph_has_no_partitions():
    @dg.asset
    def a():
        return 1

    graph = _graph(a)
    assert not graph.has_partitions
    assert graph.partitions_def_for(dg.AssetKey("a")) is None


# --- jobs and their partitions --------------------------------------------------------------


def test_asset_job_partitions_def_and_errors():
    @dg.asset(partitions_def=DAILY)
    def d():
        return 1

    @dg.asset(partitions_def=STATIC)
    def s():
        return 1

    defs = dg.Definitions(assets=[d, s], jobs=[
        dg.define_asset_job("days", selection=[d]),
        dg.define_asset_job("mixed", selection=[d, s]),
        dg.define_asset_job("wrong", selection=[d], partitions_def=STATIC)])
    assert defs.get_job_def("days").partitions_def == DAILY
    with pytest.raises(InvalidDefinitionError, match="'mixed'.*different partitions"):
        defs.get_job_def("mixed")
    with pytest.raises(InvalidDefinitionError, match="'wrong' has partitions_def"):
        defs.get_job_def("wrong")
    assert defs.get_implicit_global_asset_job_def().partitions_def is None


def test_schedule_for_a_job_selected_by_group_resolves_with_its_definitions():
    @dg.asset(partitions_def=DAILY, group_name="g")
    def d():
        return 1

    job = dg.define_asset_job("by_group", selection=dg.AssetSelection.groups("g"))
    sched = dg.build_schedule_from_partitioned_job(job)
    with pytest.raises(InvalidDefinitionError, match="validate_loadable"):
        sched.cron_schedule  # noqa: B018 - the job's partitions are not known yet
    defs = dg.Definitions(assets=[d], jobs=[job], schedules=[sched])
    dg.Definitions.validate_loadable(defs)
    assert sched.cron_schedule == "0 0 * * *"
    result = sched.evaluate_tick(dg.build_schedule_context(
        scheduled_execution_time=datetime.datetime(2024, 2, 2, tzinfo=datetime.timezone.utc)))
    assert [r.partition_key for r in result.run_requests] == ["2024-02-01"]


def test_schedule_for_an_unpartitioned_job_is_refused():
    @dg.asset
    def u():
        return 1

    with pytest.raises(InvalidDefinitionError, match="has no partitions"):
        dg.build_schedule_from_partitioned_job(dg.define_asset_job("plain", selection=[u]))


def test_schedule_with_both_cron_and_moves_is_refused():
    @dg.asset(partitions_def=DAILY)
    def d():
        return 1

    with pytest.raises(InvalidDefinitionError, match="not both"):
        dg.build_schedule_from_partitioned_job(
            dg.define_asset_job("j", selection=[d]), cron_schedule="0 1 * * *", hour_of_day=3)


def test_schedule_run_tags_include_given_tags():
    @dg.asset(partitions_def=DAILY)
    def d():
        return 1

    sched = dg.build_schedule_from_partitioned_job(dg.define_asset_job("j", selection=[d]),
                                                   tags={"team": "data"})
    request = sched(dg.build_schedule_context(
        scheduled_execution_time=datetime.datetime(2024, 2, 2, tzinfo=datetime.timezone.utc)))
    assert request.tags == {"team": "data", "dagster/partition": "2024-02-01",
                            "dagster/partition_set": "j_partition_set"}
