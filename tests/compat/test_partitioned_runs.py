"""Partitioned runs: one partition, a range of partitions, inputs across partitions, jobs."""

import datetime
import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

UTC = datetime.timezone.utc
static = dg.StaticPartitionsDefinition(["a", "b", "c"])
daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-10")
colors_by_day = dg.MultiPartitionsDefinition({
    "date": dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03"),
    "color": dg.StaticPartitionsDefinition(["red", "blue"])})
RANGE_TAGS = {"dagster/asset_partition_range_start": "2024-01-02",
              "dagster/asset_partition_range_end": "2024-01-04"}


def test_range_run_context():
    seen = {}

    @dg.asset(partitions_def=daily)
    def ranged(context: dg.AssetExecutionContext):
        seen["keys"] = context.partition_keys
        seen["range"] = context.partition_key_range
        seen["window"] = context.partition_time_window
        seen["has_key"] = context.has_partition_key
        seen["has_range"] = context.has_partition_key_range
        seen["out_keys"] = context.asset_partition_keys_for_output()
        with pytest.raises(dg.DagsterInvariantViolationError):
            context.partition_key  # noqa: B018
        return dg.MaterializeResult()

    result = dg.materialize([ranged], tags=RANGE_TAGS)
    assert seen["keys"] == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert seen["range"] == dg.PartitionKeyRange("2024-01-02", "2024-01-04")
    assert seen["window"].start == datetime.datetime(2024, 1, 2, tzinfo=UTC)
    assert seen["window"].end == datetime.datetime(2024, 1, 5, tzinfo=UTC)
    assert (seen["has_key"], seen["has_range"]) == (False, True)
    assert seen["out_keys"] == ["2024-01-02", "2024-01-03", "2024-01-04"]
    mats = result.asset_materializations_for_node("ranged")
    assert sorted(m.partition for m in mats) == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert result.dagster_run.tags["dagster/asset_partition_range_start"] == "2024-01-02"


def test_single_partition_context_helpers():
    seen = {}

    @dg.asset(partitions_def=daily)
    def up():
        return 1

    @dg.asset(partitions_def=daily)
    def down(context: dg.AssetExecutionContext, up):
        seen["out"] = context.asset_partition_key_for_output()
        seen["in"] = context.asset_partition_key_for_input("up")
        seen["range"] = context.partition_key_range
        seen["def"] = context.assets_def.partitions_def
        return up

    dg.materialize([up, down], partition_key="2024-01-05")
    assert seen["out"] == "2024-01-05"
    assert seen["in"] == "2024-01-05"
    assert seen["range"] == dg.PartitionKeyRange("2024-01-05", "2024-01-05")
    assert seen["def"] == daily


def test_filesystem_io_manager_one_file_per_partition(tmp_path):
    @dg.asset(partitions_def=static)
    def letters(context: dg.AssetExecutionContext):
        return context.partition_key.upper()

    io = dg.FilesystemIOManager(base_dir=str(tmp_path))
    for key in ("a", "c"):
        dg.materialize([letters], partition_key=key, resources={"io_manager": io})
    assert sorted(os.listdir(tmp_path / "letters")) == ["a", "c"]


def test_unpartitioned_downstream_reads_every_upstream_partition(tmp_path):
    @dg.asset(partitions_def=static)
    def letters(context: dg.AssetExecutionContext):
        return context.partition_key.upper()

    @dg.asset
    def joined(letters):
        return "".join(letters[k] for k in sorted(letters))

    io = dg.FilesystemIOManager(base_dir=str(tmp_path))
    instance = dg.DagsterInstance.ephemeral()
    for key in ("a", "b", "c"):
        dg.materialize([letters], partition_key=key, resources={"io_manager": io},
                       instance=instance)
    result = dg.materialize([letters.to_source_asset(), joined], resources={"io_manager": io},
                            instance=instance)
    assert result.output_for_node("joined") == "ABC"


def test_io_manager_sees_asset_partitions_of_input():
    seen = {}

    class Recorder(dg.IOManager):
        def handle_output(self, context, obj):
            seen.setdefault("out", []).append(
                (context.asset_key.path[-1], context.asset_partition_key))

        def load_input(self, context):
            seen["in"] = (context.asset_partition_key, context.partition_key,
                          context.asset_partitions_def == static)
            return 1

    @dg.asset(partitions_def=static)
    def first():
        return 1

    @dg.asset(partitions_def=static)
    def second(first):
        return first

    dg.materialize([first, second], partition_key="b", resources={"io_manager": Recorder()})
    assert seen["out"] == [("first", "b"), ("second", "b")]
    assert seen["in"] == ("b", "b", True)


def test_assets_with_different_partitions_cannot_share_a_run():
    @dg.asset(partitions_def=static)
    def by_letter():
        return 1

    @dg.asset(partitions_def=daily)
    def by_day():
        return 1

    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([by_letter, by_day], partition_key="a")


def test_partitioned_asset_job():
    @dg.asset(partitions_def=static)
    def pa(context: dg.AssetExecutionContext):
        return context.partition_key

    job = dg.define_asset_job("letters_job", selection=[pa])
    defs = dg.Definitions(assets=[pa], jobs=[job])
    resolved = defs.resolve_job_def("letters_job")
    result = resolved.execute_in_process(partition_key="c")
    assert result.success
    assert result.dagster_run.tags["dagster/partition"] == "c"
    assert result.asset_materializations_for_node("pa")[0].partition == "c"
    with pytest.raises(dg.DagsterUnknownPartitionError):
        resolved.execute_in_process(partition_key="nope")


def test_partitioned_op_job():
    seen = {}

    @dg.op
    def which(context: dg.OpExecutionContext):
        seen["key"] = context.partition_key
        seen["has"] = context.has_partition_key

    @dg.job(partitions_def=static)
    def letter_job():
        which()

    result = letter_job.execute_in_process(partition_key="b")
    assert result.success
    assert seen == {"key": "b", "has": True}
    assert result.dagster_run.tags["dagster/partition"] == "b"
    with pytest.raises(dg.DagsterUnknownPartitionError):
        letter_job.execute_in_process(partition_key="zz")


def test_previous_day_through_time_window_mapping():
    seen = {}

    class Recorder(dg.IOManager):
        def handle_output(self, context, obj):
            pass

        def load_input(self, context):
            seen["keys"] = context.asset_partition_keys
            return 1

    @dg.asset(partitions_def=daily)
    def events():
        return 1

    @dg.asset(partitions_def=daily, ins={"events": dg.AssetIn(
        partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))})
    def yesterday(context: dg.AssetExecutionContext, events):
        seen["in"] = context.asset_partition_key_for_input("events")
        return events

    dg.materialize([events.to_source_asset(), yesterday], partition_key="2024-01-05",
                   resources={"io_manager": Recorder()})
    assert seen == {"keys": ["2024-01-04"], "in": "2024-01-04"}


def test_direct_invocation_with_partition_key_range():
    @dg.asset(partitions_def=daily)
    def ranged(context: dg.AssetExecutionContext):
        return context.partition_keys

    ctx = dg.build_asset_context(partition_key_range=dg.PartitionKeyRange("2024-01-02",
                                                                          "2024-01-03"))
    assert ranged(ctx) == ["2024-01-02", "2024-01-03"]


def test_graph_asset_inner_ops_read_the_mapped_upstream_partition():
    @dg.asset(partitions_def=daily)
    def raw_day(context: dg.AssetExecutionContext):
        return context.partition_key

    @dg.op
    def double(x):
        return x * 2

    @dg.op
    def stamp(context: dg.OpExecutionContext, y):
        return (context.partition_key, y)

    @dg.graph_asset(partitions_def=daily, ins={"raw_day": dg.AssetIn(
        partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))})
    def from_yesterday(raw_day):
        return stamp(double(raw_day))

    instance = dg.DagsterInstance.ephemeral()
    dg.materialize([raw_day], partition_key="2024-01-04", instance=instance)
    result = dg.materialize([raw_day.to_source_asset(), from_yesterday],
                            partition_key="2024-01-05", instance=instance)
    assert result.output_for_node("from_yesterday") == ("2024-01-05", "2024-01-042024-01-04")


def test_asset_check_reads_every_partition_of_its_asset():
    @dg.asset(partitions_def=static)
    def lettered(context: dg.AssetExecutionContext):
        return context.partition_key

    @dg.asset_check(asset=lettered)
    def all_letters(lettered):
        return dg.AssetCheckResult(passed=sorted(lettered) == ["a", "b", "c"])

    instance = dg.DagsterInstance.ephemeral()
    for key in ("a", "b"):
        dg.materialize([lettered], partition_key=key, instance=instance)
    result = dg.materialize([lettered, all_letters], partition_key="c", instance=instance)
    assert [e.passed for e in result.get_asset_check_evaluations()] == [True]


def test_multi_partitioned_run_key_and_files(tmp_path):
    seen = {}

    @dg.asset(partitions_def=colors_by_day)
    def painted(context: dg.AssetExecutionContext):
        seen["type"] = isinstance(context.partition_key, dg.MultiPartitionKey)
        seen["dims"] = context.partition_key.keys_by_dimension
        return context.partition_key.keys_by_dimension["color"]

    io = dg.FilesystemIOManager(base_dir=str(tmp_path))
    result = dg.materialize([painted], partition_key="red|2024-01-02",
                            resources={"io_manager": io})
    assert seen == {"type": True, "dims": {"color": "red", "date": "2024-01-02"}}
    assert result.asset_materializations_for_node("painted")[0].partition == "red|2024-01-02"
    assert (tmp_path / "painted" / "red" / "2024-01-02").is_file()


def test_multi_partitioned_time_window_is_the_time_dimensions():
    seen = {}

    @dg.asset(partitions_def=colors_by_day)
    def painted(context: dg.AssetExecutionContext):
        seen["window"] = context.partition_time_window
        return 1

    dg.materialize([painted], partition_key="blue|2024-01-02")
    assert seen["window"].start == datetime.datetime(2024, 1, 2, tzinfo=UTC)
    assert seen["window"].end == datetime.datetime(2024, 1, 3, tzinfo=UTC)
