import datetime
import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

UTC = datetime.timezone.utc
static = dg.StaticPartitionsDefinition(["a", "b", "c"])
daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05")


def test_static_partition_keys():
    assert static.get_partition_keys() == ["a", "b", "c"]


def test_static_duplicate_keys_rejected():
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.StaticPartitionsDefinition(["a", "a"])


def test_daily_keys_end_date_exclusive():
    assert daily.get_partition_keys() == ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]
    assert daily.get_first_partition_key() == "2024-01-01"
    assert daily.get_last_partition_key() == "2024-01-04"


def test_daily_attributes():
    assert daily.fmt == "%Y-%m-%d"
    assert daily.timezone == "UTC"
    assert daily.cron_schedule == "0 0 * * *"
    assert daily.start == datetime.datetime(2024, 1, 1, tzinfo=UTC)


def test_daily_time_window():
    tw = daily.time_window_for_partition_key("2024-01-02")
    assert tw.start == datetime.datetime(2024, 1, 2, tzinfo=UTC)
    assert tw.end == datetime.datetime(2024, 1, 3, tzinfo=UTC)


def test_daily_start_as_datetime():
    pd = dg.DailyPartitionsDefinition(
        start_date=datetime.datetime(2024, 1, 1), end_date="2024-01-03"
    )
    assert pd.get_partition_keys() == ["2024-01-01", "2024-01-02"]


def test_daily_open_ended_has_many_keys():
    assert len(dg.DailyPartitionsDefinition(start_date="2024-01-01").get_partition_keys()) > 300


def test_weekly_partitions_start_on_sunday():
    # Surprising: 2024-01-01 is a Monday, so the first full (Sunday-start) week is 2024-01-07.
    wp = dg.WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
    assert wp.get_partition_keys() == ["2024-01-07", "2024-01-14", "2024-01-21"]


def test_monthly_partitions():
    mp = dg.MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-04-01")
    assert mp.get_partition_keys() == ["2024-01-01", "2024-02-01", "2024-03-01"]


def test_hourly_partitions():
    hp = dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00", end_date="2024-01-01-03:00")
    assert hp.get_partition_keys() == ["2024-01-01-00:00", "2024-01-01-01:00", "2024-01-01-02:00"]


def test_multi_partitions_keys():
    mpd = dg.MultiPartitionsDefinition(
        {"date": daily, "color": dg.StaticPartitionsDefinition(["red", "blue"])}
    )
    keys = mpd.get_partition_keys()
    assert len(keys) == 8
    assert isinstance(keys[0], dg.MultiPartitionKey)
    # Dimensions are ordered by name, joined with "|".
    assert keys[0] == "red|2024-01-01"
    assert keys[0].keys_by_dimension == {"color": "red", "date": "2024-01-01"}


def test_materialize_static_partition():
    seen = {}

    @dg.asset(partitions_def=static)
    def pa(context: dg.AssetExecutionContext):
        seen["pk"] = context.partition_key
        seen["has"] = context.has_partition_key
        seen["keys"] = context.partition_keys
        return context.partition_key

    result = dg.materialize([pa], partition_key="b")
    assert result.output_for_node("pa") == "b"
    assert seen == {"pk": "b", "has": True, "keys": ["b"]}
    assert result.asset_materializations_for_node("pa")[0].partition == "b"
    assert result.dagster_run.tags["dagster/partition"] == "b"


def test_materialize_unknown_partition():
    @dg.asset(partitions_def=static)
    def pa():
        return 1

    with pytest.raises(dg.DagsterUnknownPartitionError):
        dg.materialize([pa], partition_key="zz")


def test_partition_key_outside_partitioned_run():
    @dg.asset(partitions_def=static)
    def pa(context: dg.AssetExecutionContext):
        return context.partition_key

    with pytest.raises(dg.DagsterInvariantViolationError):
        dg.materialize([pa])


def test_materialize_daily_partition_time_window():
    seen = {}

    @dg.asset(partitions_def=daily)
    def da(context: dg.AssetExecutionContext):
        seen["tw"] = context.partition_time_window
        return 1

    dg.materialize([da], partition_key="2024-01-03")
    assert seen["tw"].start == datetime.datetime(2024, 1, 3, tzinfo=UTC)
    assert seen["tw"].end == datetime.datetime(2024, 1, 4, tzinfo=UTC)


def test_partitioned_chain_and_io_manager_partition_keys():
    seen = {}

    class PIO(dg.IOManager):
        def handle_output(self, context, obj):
            seen.setdefault("out", []).append((context.has_partition_key, context.partition_key))

        def load_input(self, context):
            seen["in"] = (context.has_partition_key, context.asset_partition_key)
            return 1

    @dg.asset(partitions_def=daily)
    def da():
        return 1

    @dg.asset(partitions_def=daily)
    def dd(da):
        return da + 1

    result = dg.materialize([da, dd], partition_key="2024-01-02", resources={"io_manager": PIO()})
    assert result.output_for_node("dd") == 2
    assert seen["out"] == [(True, "2024-01-02"), (True, "2024-01-02")]
    assert seen["in"] == (True, "2024-01-02")


def test_build_asset_context_partition_key_direct_invocation():
    @dg.asset(partitions_def=static)
    def pa(context: dg.AssetExecutionContext):
        return context.partition_key

    assert pa(dg.build_asset_context(partition_key="c")) == "c"


def test_instance_materialized_partitions():
    @dg.asset(partitions_def=static)
    def pa():
        return 1

    inst = dg.DagsterInstance.ephemeral()
    dg.materialize([pa], partition_key="a", instance=inst)
    dg.materialize([pa], partition_key="c", instance=inst)
    assert inst.get_materialized_partitions(dg.AssetKey("pa")) == {"a", "c"}
    status = inst.get_status_by_partition(
        dg.AssetKey("pa"), partition_keys=["a", "b", "c"], partitions_def=static
    )
    assert status["a"] == dg.AssetPartitionStatus.MATERIALIZED
    assert status["b"] is None


def test_dynamic_partitions():
    inst = dg.DagsterInstance.ephemeral()
    fruits = dg.DynamicPartitionsDefinition(name="fruits")
    inst.add_dynamic_partitions("fruits", ["apple", "pear"])
    assert inst.get_dynamic_partitions("fruits") == ["apple", "pear"]
    assert fruits.get_partition_keys(dynamic_partitions_store=inst) == ["apple", "pear"]
    assert inst.has_dynamic_partition("fruits", "apple")
    inst.delete_dynamic_partition("fruits", "apple")
    assert inst.get_dynamic_partitions("fruits") == ["pear"]

    @dg.asset(partitions_def=fruits)
    def fa(context: dg.AssetExecutionContext):
        return context.partition_key

    assert dg.materialize([fa], partition_key="pear", instance=inst).output_for_node("fa") == "pear"
    with pytest.raises(dg.DagsterUnknownPartitionError):
        dg.materialize([fa], partition_key="kiwi", instance=inst)


def test_partition_key_range():
    r = dg.PartitionKeyRange("a", "b")
    assert (r.start, r.end) == ("a", "b")


def test_dynamic_partition_requests_from_a_sensor():
    fruits = dg.DynamicPartitionsDefinition(name="fruits")
    add = fruits.build_add_request(["apple"])
    assert (add.partitions_def_name, list(add.partition_keys)) == ("fruits", ["apple"])
    assert isinstance(fruits.build_delete_request(["apple"]), dg.DeleteDynamicPartitionsRequest)

    @dg.asset(partitions_def=fruits)
    def fruit(context: dg.AssetExecutionContext):
        return context.partition_key

    @dg.sensor(asset_selection=[fruit])
    def new_fruit(context: dg.SensorEvaluationContext):
        return dg.SensorResult(run_requests=[dg.RunRequest(partition_key="kiwi")],
                               dynamic_partitions_requests=[fruits.build_add_request(["kiwi"])])

    result = new_fruit(dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral()))
    assert [r.partition_key for r in result.run_requests] == ["kiwi"]
    assert isinstance(result.dynamic_partitions_requests[0], dg.AddDynamicPartitionsRequest)
