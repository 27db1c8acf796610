import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.op
def one():
    return 1


@dg.op
def add_one(context: dg.OpExecutionContext, x):
    context.log.info("adding")
    return x + 1


@dg.op
def double(x):
    return x * 2


@dg.job
def simple_job():
    add_one(one())


def test_job_execute_in_process():
    result = simple_job.execute_in_process()
    assert result.success
    assert result.output_for_node("add_one") == 2
    assert result.dagster_run.job_name == "simple_job"


def test_job_event_sequence_has_no_materializations():
    result = simple_job.execute_in_process()
    types = [e.event_type_value for e in result.all_events]
    assert "ASSET_MATERIALIZATION" not in types
    assert types[0] == "PIPELINE_START"
    assert types[-1] == "PIPELINE_SUCCESS"
    assert types.count("STEP_SUCCESS") == 2


def test_op_direct_invocation():
    assert one() == 1
    assert add_one(dg.build_op_context(), 1) == 2


def test_op_config_via_run_config():
    class OpCfg(dg.Config):
        factor: int

    @dg.op
    def scaled(config: OpCfg):
        return 3 * config.factor

    @dg.job
    def cfg_job():
        scaled()

    result = cfg_job.execute_in_process(run_config={"ops": {"scaled": {"config": {"factor": 2}}}})
    assert result.output_for_node("scaled") == 6
    with pytest.raises(dg.DagsterInvalidConfigError):
        cfg_job.execute_in_process()


def test_dynamic_out_map_collect():
    @dg.op(out=dg.DynamicOut())
    def fan():
        for i in range(3):
            yield dg.DynamicOutput(i, mapping_key=f"k{i}")

    @dg.op
    def total(xs):
        return sum(xs)

    @dg.job
    def dyn():
        total(fan().map(double).collect())

    assert dyn.execute_in_process().output_for_node("total") == 6


def test_multiple_outs_optional():
    @dg.op(out={"a": dg.Out(), "b": dg.Out(is_required=False)})
    def two_outs():
        yield dg.Output(1, "a")

    @dg.job
    def tj():
        two_outs()

    assert tj.execute_in_process().output_for_node("two_outs", "a") == 1


def test_retry_policy_on_op():
    calls = {"n": 0}

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=2))
    def flaky():
        calls["n"] += 1
        if calls["n"] < 3:
            raise ValueError("flaky")
        return calls["n"]

    @dg.job
    def fj():
        flaky()

    result = fj.execute_in_process()
    assert result.success
    assert result.output_for_node("flaky") == 3
    assert result.retry_attempts_for_node("flaky") == 2
    step_types = [e.event_type_value for e in result.all_events if e.step_key == "flaky"]
    assert step_types.count("STEP_UP_FOR_RETRY") == 2
    assert step_types.count("STEP_RESTARTED") == 2


def test_retry_policy_on_asset():
    calls = {"n": 0}

    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
    def flaky_asset():
        calls["n"] += 1
        if calls["n"] < 2:
            raise ValueError("flaky")
        return calls["n"]

    result = dg.materialize([flaky_asset])
    assert result.success
    assert result.output_for_node("flaky_asset") == 2
    assert len(result.get_asset_materialization_events()) == 1


def test_retry_policy_exhausted_fails():
    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=1))
    def always_fails():
        raise ValueError("always")

    result = dg.materialize([always_fails], raise_on_error=False)
    assert result.success is False
    assert result.retry_attempts_for_node("always_fails") == 1


def test_graph_asset():
    @dg.graph_asset
    def ga():
        return double(one())

    assert ga.key == dg.AssetKey("ga")
    assert dg.materialize([ga]).asset_value("ga") == 2


def test_type_check_on_return_annotation():
    @dg.asset
    def typed() -> int:
        return "not an int"

    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        dg.materialize([typed])
    result = dg.materialize([typed], raise_on_error=False)
    assert result.success is False


def test_type_check_on_input_annotation():
    @dg.asset
    def produces() -> int:
        return 1

    @dg.asset
    def consumes(produces: str) -> str:
        return produces

    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        dg.materialize([produces, consumes])


def test_type_check_on_direct_invocation():
    @dg.asset
    def typed() -> int:
        return "not an int"

    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        typed()


def test_type_check_on_op():
    @dg.op
    def bad_op() -> int:
        return "x"

    @dg.job
    def bj():
        bad_op()

    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        bj.execute_in_process()


def test_log_event_asset_observation():
    @dg.asset
    def observed(context: dg.AssetExecutionContext):
        context.log_event(dg.AssetObservation(asset_key="observed", metadata={"o": 1}))
        return 1

    result = dg.materialize([observed])
    (obs,) = result.asset_observations_for_node("observed")
    assert obs.asset_key == dg.AssetKey("observed")
    assert obs.metadata == {"o": dg.MetadataValue.int(1)}
    types = [e.event_type_value for e in result.all_events]
    assert types.index("ASSET_OBSERVATION") < types.index("ASSET_MATERIALIZATION")


def test_event_objects_normalize_metadata_eagerly():
    # Unlike AssetSpec/@asset metadata, event objects normalize at construction.
    assert dg.AssetMaterialization(asset_key="x", metadata={"a": 1}).metadata == {
        "a": dg.MetadataValue.int(1)
    }
    assert dg.Output(1, metadata={"a": 1}).metadata == {"a": dg.MetadataValue.int(1)}


def test_output_defaults():
    out = dg.Output(1)
    assert out.value == 1
    assert out.output_name == "result"


def test_source_asset_and_data_version():
    assert dg.SourceAsset("s").key == dg.AssetKey("s")
    assert dg.DataVersion("x").value == "x"


def test_file_relative_path():
    assert dg.file_relative_path("/a/b/c.py", "d.txt") == "/a/b/d.txt"


def test_get_dagster_logger_is_logger():
    import logging

    assert isinstance(dg.get_dagster_logger(), logging.Logger)


def test_a_jobs_graph_and_node_definitions():
    @dg.asset
    def first_asset():
        return 1

    @dg.asset
    def second_asset(first_asset):
        return first_asset

    asset_job = dg.Definitions(
        assets=[first_asset, second_asset],
        jobs=[dg.define_asset_job("both_assets")]).resolve_job_def("both_assets")
    assert {n.name for n in asset_job.graph.nodes} == {"first_asset", "second_asset"}
    assert {d.name for d in asset_job.all_node_defs} == {"first_asset", "second_asset"}

    @dg.op
    def leaf():
        return 1

    @dg.graph
    def inner():
        return leaf()

    @dg.op
    def top(x):
        return x

    @dg.job
    def nested():
        top(inner())

    assert {n.name for n in nested.graph.nodes} == {"inner", "top"}
    assert {d.name for d in nested.all_node_defs} == {"inner", "leaf", "top"}
