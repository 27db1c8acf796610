"""One launch path: a plain-data ``LaunchRequest`` beside the loaded target goes through
``launch``, for assets, jobs, partitions, re-executions and any registered executor."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest

import headwater as dg
from headwater.execution import LaunchRequest, LoadedTarget, launch
from headwater.execution.executors.base import InProcessExecutor
from headwater.execution.executors.registry import (
    ExecutorConfig,
    ExecutorKind,
    register,
    unregister,
)

CALLS: list[str] = []


@dg.asset
def hwlaunch_raw() -> int:
    CALLS.append("hwlaunch_raw")
    return 2


@dg.asset
def hwlaunch_doubled(hwlaunch_raw: int) -> int:
    CALLS.append("hwlaunch_doubled")
    return hwlaunch_raw * 2


@dg.asset_check(asset=hwlaunch_doubled)
def hwlaunch_even(hwlaunch_doubled: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=hwlaunch_doubled % 2 == 0)


hwlaunch_days = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-01-05")


@dg.asset(partitions_def=hwlaunch_days)
def hwlaunch_daily(context: dg.AssetExecutionContext) -> None:
    CALLS.append(",".join(context.partition_keys))


@dg.op(config_schema={"n": int})
def hwlaunch_number(context) -> int:
    return context.op_config["n"]


@dg.op
def hwlaunch_plus_one(x: int) -> int:
    CALLS.append("hwlaunch_plus_one")
    return x + 1


@dg.job
def hwlaunch_job():
    hwlaunch_plus_one(hwlaunch_number())


defs = dg.Definitions(assets=[hwlaunch_raw, hwlaunch_doubled, hwlaunch_daily],
                      asset_checks=[hwlaunch_even], jobs=[hwlaunch_job])


@pytest.fixture(autouse=True)
def _calls() -> None:
    CALLS.clear()


@pytest.fixture
def instance() -> Iterator[Any]:
    with dg.instance_for_test() as instance:
        yield instance


def test_a_request_is_plain_data():
    request = LaunchRequest(asset_selection=(dg.AssetKey("hwlaunch_raw"),),
                            partition_range=("2026-01-01", "2026-01-02"),
                            run_config={"ops": {}}, tags={"team": "snow"}, run_id="r1")
    assert pickle.loads(pickle.dumps(request)) == request
    with pytest.raises(AttributeError):
        request.run_id = "r2"  # type: ignore[misc]


def test_an_asset_selection_is_launched_over_the_loaded_graph(instance):
    request = LaunchRequest(asset_selection=(dg.AssetKey("hwlaunch_doubled"),),
                            tags={"team": "snow"}, run_id="launch-1")
    # hwlaunch_doubled's input is loaded from storage: materialize its upstream first
    launch(LaunchRequest(asset_selection=(dg.AssetKey("hwlaunch_raw"),)), instance,
           LoadedTarget.of_assets(defs.asset_graph))
    result = launch(request, instance, LoadedTarget.of_assets(defs.asset_graph))
    assert result.success and result.run_id == "launch-1"
    assert CALLS == ["hwlaunch_raw", "hwlaunch_doubled"]
    assert [e.passed for e in result.get_asset_check_evaluations()] == [True]
    run = instance.get_run_by_id("launch-1")
    assert run.tags["team"] == "snow"
    assert run.asset_selection == {dg.AssetKey("hwlaunch_doubled")}


def test_a_partition_range_is_one_run_with_the_range_tags(instance):
    request = LaunchRequest(asset_selection=(dg.AssetKey("hwlaunch_daily"),),
                            partition_range=("2026-01-02", "2026-01-03"))
    result = launch(request, instance, LoadedTarget.of_assets(defs.asset_graph))
    assert result.success and CALLS == ["2026-01-02,2026-01-03"]
    tags = instance.get_run_by_id(result.run_id).tags
    assert (tags["dagster/asset_partition_range_start"],
            tags["dagster/asset_partition_range_end"]) == ("2026-01-02", "2026-01-03")


def test_a_job_runs_with_its_run_config_and_can_be_re_executed(instance):
    job = defs.get_job_def("hwlaunch_job")
    config = {"ops": {"hwlaunch_number": {"config": {"n": 41}}}}
    first = launch(LaunchRequest(job_name="hwlaunch_job", run_config=config), instance,
                   LoadedTarget.of_job(job))
    assert first.output_for_node("hwlaunch_plus_one") == 42
    CALLS.clear()
    again = launch(LaunchRequest(job_name="hwlaunch_job", parent_run_id=first.run_id,
                                 step_selection=("hwlaunch_number", "hwlaunch_plus_one")),
                   instance, LoadedTarget.of_job(job))
    assert again.output_for_node("hwlaunch_plus_one") == 42  # the parent's run config again
    assert CALLS == ["hwlaunch_plus_one"]
    assert instance.get_run_by_id(again.run_id).parent_run_id == first.run_id


def test_a_request_names_a_registered_executor(instance):
    ran: list[str] = []

    class Counting(InProcessExecutor):
        def submit(self, rc: Any, step: Any, attempt: int) -> None:
            ran.append(step.key)
            super().submit(rc, step, attempt)

    register(ExecutorKind("hwlaunch_counting", lambda cfg, where: ExecutorConfig(
        "hwlaunch_counting"), lambda config, target: Counting()))
    try:
        request = LaunchRequest(asset_selection=(dg.AssetKey("hwlaunch_raw"),),
                                executor="hwlaunch_counting")
        assert launch(request, instance, LoadedTarget.of_assets(defs.asset_graph)).success
    finally:
        unregister("hwlaunch_counting")
    assert ran == ["hwlaunch_raw"]


def test_bad_requests_are_clear_errors_and_record_nothing(instance):
    graph = LoadedTarget.of_assets(defs.asset_graph)
    with pytest.raises(dg.InvalidInvocationError, match="a partition key or a partition range"):
        launch(LaunchRequest(partition_key="2026-01-01", partition_range=("a", "b")),
               instance, graph)
    with pytest.raises(dg.InvalidInvocationError,
                       match="names job 'other', but the loaded job is 'hwlaunch_job'"):
        launch(LaunchRequest(job_name="other"), instance,
               LoadedTarget.of_job(defs.get_job_def("hwlaunch_job")))
    with pytest.raises(dg.InvalidInvocationError, match="Only a job's run can be re-executed"):
        launch(LaunchRequest(parent_run_id="x"), instance, graph)
    with pytest.raises(dg.InvalidConfigError) as e:
        launch(LaunchRequest(executor="dask"), instance, graph)
    assert "executor: no executor named 'dask' is registered" in e.value.errors[0]
    assert instance.get_runs() == []
