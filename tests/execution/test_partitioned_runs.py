"""Partitioned runs beyond what the compatibility suite pins: validation before anything is
recorded, ranges through the default IO manager, planned partitions, worker processes."""

from __future__ import annotations

import os

import pytest

import headwater as dg
from tests.execution import hwexec_partitioned as mod

static = dg.StaticPartitionsDefinition(["a", "b", "c"])
daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-10")
RANGE = {"dagster/asset_partition_range_start": "2024-01-02",
         "dagster/asset_partition_range_end": "2024-01-04"}


@dg.asset(partitions_def=static)
def letters(context: dg.AssetExecutionContext) -> str:
    return context.partition_key.upper()


@dg.asset
def plain() -> int:
    return 1


def test_unknown_partition_names_the_definition_and_records_no_run(instance):
    with pytest.raises(dg.DagsterUnknownPartitionError, match=r"'zz'.*StaticPartitionsDefinition"):
        dg.materialize([letters], partition_key="zz", instance=instance)
    assert instance.get_runs() == []


def test_partition_key_for_unpartitioned_assets_is_a_clear_error(instance):
    with pytest.raises(dg.DagsterInvalidInvocationError, match="not partitioned"):
        dg.materialize([plain], partition_key="a", instance=instance)
    assert instance.get_runs() == []


def test_mixed_partitionings_name_the_assets(instance):
    @dg.asset(partitions_def=daily)
    def by_day() -> int:
        return 1

    with pytest.raises(dg.DagsterInvalidDefinitionError, match=r"letters.*by_day|by_day.*letters"):
        dg.materialize([letters, by_day], partition_key="a", instance=instance)


def test_reversed_range_is_refused(instance):
    @dg.asset(partitions_def=daily)
    def ranged() -> dg.MaterializeResult:
        return dg.MaterializeResult()

    tags = {"dagster/asset_partition_range_start": "2024-01-04",
            "dagster/asset_partition_range_end": "2024-01-02"}
    with pytest.raises(dg.DagsterInvalidInvocationError, match="reversed"):
        dg.materialize([ranged], tags=tags, instance=instance)
    assert instance.get_runs() == []


def test_range_through_the_default_io_manager_stores_one_file_per_partition(instance):
    @dg.asset(partitions_def=daily)
    def counts(context: dg.AssetExecutionContext) -> dict:
        return {key: i for i, key in enumerate(context.partition_keys)}

    @dg.asset(partitions_def=daily)
    def doubled(context: dg.AssetExecutionContext, counts: dict) -> dict:
        return {key: 2 * counts[key] for key in context.partition_keys}

    result = dg.materialize([counts, doubled], tags=RANGE, instance=instance)
    assert result.success
    folder = os.path.join(instance.storage_directory(), "doubled")
    assert sorted(os.listdir(folder)) == ["2024-01-02", "2024-01-03", "2024-01-04"]
    # a later one-partition run reads exactly its partition, stored by the range run
    @dg.asset(partitions_def=daily)
    def third(doubled: int) -> int:
        return doubled

    one = dg.materialize([doubled.to_source_asset(), third], partition_key="2024-01-04",
                         instance=instance)
    assert one.output_for_node("third") == 4
    assert instance.get_materialized_partitions(dg.AssetKey("doubled")) == {
        "2024-01-02", "2024-01-03", "2024-01-04"}


def test_range_value_that_is_not_a_dict_per_partition_fails_the_step_clearly(instance):
    @dg.asset(partitions_def=daily)
    def lump() -> int:
        return 5

    result = dg.materialize([lump], tags=RANGE, instance=instance, raise_on_error=False)
    assert not result.success
    error, messages = result.get_step_failure_events()[0].event_specific_data.error, []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    message = " ".join(messages)
    assert "covers 3 partitions" in message and "dict" in message


def test_each_partition_of_a_range_is_planned(instance):
    @dg.asset(partitions_def=daily)
    def ranged() -> dg.MaterializeResult:
        return dg.MaterializeResult()

    result = dg.materialize([ranged], tags=RANGE, instance=instance)
    planned = [e.dagster_event.event_specific_data.partition
               for e in instance.all_logs(result.run_id)
               if e.dagster_event is not None
               and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION_PLANNED"]
    assert planned == ["2024-01-02", "2024-01-03", "2024-01-04"]


def test_partitioned_job_in_worker_processes(instance):
    job = mod.hwexec_partitioned_defs.get_job_def("hwexec_daily_job")
    with dg.execute_job(dg.reconstructable(job), instance,
                        tags={"dagster/partition": "2024-01-07"}) as result:
        assert result.success
        assert result.output_for_node("hwexec_daily_clean") == "2024-01-07 seen as 2024-01-07"
        assert result.output_for_node("hwexec_daily_raw")["pid"] != os.getpid()
    assert instance.get_materialized_partitions(dg.AssetKey("hwexec_daily_clean")) == {
        "2024-01-07"}


def test_reexecution_from_failure_keeps_the_partition(instance, monkeypatch):
    from headwater.execution.reexecute import ReexecutionOptions, reexecute_job

    @dg.asset(partitions_def=daily)
    def first(context: dg.AssetExecutionContext) -> str:
        return context.partition_key

    @dg.asset(partitions_def=daily)
    def second(context: dg.AssetExecutionContext, first: str) -> tuple:
        if os.environ.get("HWEXEC_FAIL_SECOND"):
            raise ValueError("not yet")
        return context.partition_key, first

    job = dg.Definitions(assets=[first, second], jobs=[dg.define_asset_job("days")]
                         ).get_job_def("days")
    monkeypatch.setenv("HWEXEC_FAIL_SECOND", "1")
    failed = job.execute_in_process(partition_key="2024-01-03", instance=instance,
                                    raise_on_error=False)
    assert not failed.success
    monkeypatch.delenv("HWEXEC_FAIL_SECOND")
    again = reexecute_job(job, ReexecutionOptions.from_failure(failed.run_id, instance),
                          instance=instance)
    assert again.dagster_run.tags["dagster/partition"] == "2024-01-03"
    assert again.output_for_node("second") == ("2024-01-03", "2024-01-03")
