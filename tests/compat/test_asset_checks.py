import importlib
import os

import pytest

from ._helpers import NOISE, a, b

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.asset(deps=[a])
def c():
    return 3


@dg.asset_check(asset=a)
def a_ok(a):
    return dg.AssetCheckResult(passed=a == 1, metadata={"v": a})


@dg.asset_check(asset=a, blocking=True, description="blocks downstream")
def a_block():
    return dg.AssetCheckResult(passed=False)


@dg.asset_check(asset="a")
def a_warn():
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)


@dg.asset_check(asset=a)
def a_fail_nonblocking():
    return dg.AssetCheckResult(passed=False)


def _core(result):
    return [e.event_type_value for e in result.all_events if e.event_type_value not in NOISE]


def test_check_key_and_spec():
    assert a_ok.check_key == dg.AssetCheckKey(dg.AssetKey("a"), "a_ok")
    assert set(a_ok.check_keys) == {dg.AssetCheckKey(dg.AssetKey("a"), "a_ok")}
    (spec,) = list(a_ok.check_specs)
    assert isinstance(spec, dg.AssetCheckSpec)
    assert spec.name == "a_ok"
    assert spec.asset_key == dg.AssetKey("a")
    assert spec.blocking is False


def test_check_spec_blocking_and_description():
    (spec,) = list(a_block.check_specs)
    assert spec.blocking is True
    assert spec.description == "blocks downstream"


def test_check_is_asset_checks_definition():
    assert isinstance(a_ok, dg.AssetChecksDefinition)


def test_check_evaluation_on_result():
    result = dg.materialize([a, a_ok])
    assert result.success
    (ev,) = result.get_asset_check_evaluations()
    assert ev.asset_key == dg.AssetKey("a")
    assert ev.check_name == "a_ok"
    assert ev.asset_check_key == dg.AssetCheckKey(dg.AssetKey("a"), "a_ok")
    assert ev.passed is True
    assert ev.metadata == {"v": dg.MetadataValue.int(1)}
    # Default severity is ERROR.
    assert ev.severity == dg.AssetCheckSeverity.ERROR
    assert ev.blocking is False


def test_check_event_sequence():
    result = dg.materialize([a, a_ok])
    assert _core(result) == [
        "PIPELINE_START",
        "STEP_START",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
        "STEP_START",
        "LOADED_INPUT",
        "STEP_INPUT",
        "STEP_OUTPUT",
        "ASSET_CHECK_EVALUATION",
        "STEP_SUCCESS",
        "PIPELINE_SUCCESS",
    ]


def test_check_step_key_is_asset_op_name_plus_check_name():
    result = dg.materialize([a, a_ok])
    assert [e.step_key for e in result.get_step_success_events()] == ["a", "a_a_ok"]


def test_severity_values():
    assert {s.value for s in dg.AssetCheckSeverity} == {"WARN", "ERROR"}
    assert dg.AssetCheckSeverity.WARN.value == "WARN"


def test_asset_check_result_defaults():
    r = dg.AssetCheckResult(passed=True)
    assert r.passed is True
    assert r.severity == dg.AssetCheckSeverity.ERROR
    assert r.check_name is None
    assert r.asset_key is None
    assert r.metadata == {}


def test_asset_check_result_description():
    @dg.asset_check(asset=a)
    def described():
        return dg.AssetCheckResult(passed=True, description="result desc")

    (ev,) = dg.materialize([a, described]).get_asset_check_evaluations()
    assert ev.description == "result desc"


def test_warn_failure_does_not_fail_run():
    result = dg.materialize([a, b, a_warn])
    assert result.success
    (ev,) = result.get_asset_check_evaluations()
    assert ev.passed is False
    assert ev.severity == dg.AssetCheckSeverity.WARN


def test_nonblocking_error_failure_does_not_fail_run():
    result = dg.materialize([a, b, a_fail_nonblocking])
    assert result.success
    assert [e.step_key for e in result.get_step_success_events()] == [
        "a",
        "a_a_fail_nonblocking",
        "b",
    ]


def test_failed_blocking_check_stops_downstream():
    result = dg.materialize([a, b, c, a_block], raise_on_error=False)
    assert result.success is False
    assert result.get_failed_step_keys() == {"a_a_block"}
    mats = [e.asset_key for e in result.get_asset_materialization_events()]
    assert mats == [dg.AssetKey("a")]
    (ev,) = result.get_asset_check_evaluations()
    assert ev.passed is False
    assert ev.blocking is True


def test_failed_blocking_check_event_sequence():
    result = dg.materialize([a, b, a_block], raise_on_error=False)
    assert _core(result) == [
        "PIPELINE_START",
        "STEP_START",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
        "STEP_START",
        "STEP_OUTPUT",
        "ASSET_CHECK_EVALUATION",
        "STEP_FAILURE",
        "PIPELINE_FAILURE",
    ]


def test_failed_blocking_check_raises_dagster_error():
    # The raised class (DagsterAssetCheckFailedError) is not exported at top level.
    with pytest.raises(dg.DagsterError, match="a_block"):
        dg.materialize([a, b, a_block])


def test_blocking_check_with_warn_severity_does_not_block():
    @dg.asset_check(asset=a, blocking=True)
    def blk_warn():
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)

    result = dg.materialize([a, b, blk_warn])
    assert result.success
    assert dg.AssetKey("b") in {e.asset_key for e in result.get_asset_materialization_events()}


def test_check_raising_exception_fails_run():
    @dg.asset_check(asset=a)
    def boom():
        raise ZeroDivisionError("boom-check")

    with pytest.raises(ZeroDivisionError):
        dg.materialize([a, boom])
    result = dg.materialize([a, boom], raise_on_error=False)
    assert result.success is False
    assert result.get_failed_step_keys() == {"a_boom"}
    assert result.get_asset_check_evaluations() == []


def test_check_specs_on_asset_yielding_results():
    @dg.asset(
        check_specs=[
            dg.AssetCheckSpec("non_neg", asset="spec_asset"),
            dg.AssetCheckSpec("small", asset="spec_asset"),
        ]
    )
    def spec_asset():
        yield dg.Output(5)
        yield dg.AssetCheckResult(check_name="non_neg", passed=True)
        yield dg.AssetCheckResult(check_name="small", passed=False)

    result = dg.materialize([spec_asset])
    assert result.success
    assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [
        ("non_neg", True),
        ("small", False),
    ]
    assert set(spec_asset.check_keys) == {
        dg.AssetCheckKey(dg.AssetKey("spec_asset"), "non_neg"),
        dg.AssetCheckKey(dg.AssetKey("spec_asset"), "small"),
    }
    assert [s.name for s in spec_asset.check_specs] == ["non_neg", "small"]


def test_check_specs_with_materialize_result():
    @dg.asset(check_specs=[dg.AssetCheckSpec("x", asset="mr_asset")])
    def mr_asset():
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])

    result = dg.materialize([mr_asset])
    assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [("x", True)]


def test_check_spec_blocking_in_asset_stops_downstream():
    @dg.asset(check_specs=[dg.AssetCheckSpec("small", asset="src", blocking=True)])
    def src():
        yield dg.Output(5)
        yield dg.AssetCheckResult(check_name="small", passed=False)

    @dg.asset
    def after_src(src):
        return src

    result = dg.materialize([src, after_src], raise_on_error=False)
    assert result.success is False
    # The asset itself is materialized, then its step fails because of the blocking check.
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("src")]
    assert result.get_failed_step_keys() == {"src"}


def test_check_spec_without_result_fails():
    @dg.asset(check_specs=[dg.AssetCheckSpec("x", asset="no_result")])
    def no_result():
        return 1

    result = dg.materialize([no_result], raise_on_error=False)
    assert result.success is False


def test_unexpected_check_name_in_result_fails():
    @dg.asset_check(asset=a)
    def named_check():
        return dg.AssetCheckResult(passed=True, check_name="other_name")

    with pytest.raises(dg.DagsterInvariantViolationError, match="other_name"):
        dg.materialize([a, named_check])


def test_check_execution_context():
    seen = {}

    @dg.asset_check(asset=a)
    def ctx_check(context: dg.AssetCheckExecutionContext):
        seen["is_ctx"] = isinstance(context, dg.AssetCheckExecutionContext)
        seen["keys"] = [s.key for s in context.check_specs]
        context.log.info("checking")
        return dg.AssetCheckResult(passed=True)

    dg.materialize([a, ctx_check])
    assert seen["is_ctx"] is True
    assert seen["keys"] == [dg.AssetCheckKey(dg.AssetKey("a"), "ctx_check")]


def test_direct_invocation_of_check():
    r = a_ok(1)
    assert isinstance(r, dg.AssetCheckResult)
    assert r.passed is True
    assert r.metadata["v"] == dg.MetadataValue.int(1)
    assert a_warn().severity == dg.AssetCheckSeverity.WARN


def test_direct_invocation_of_check_with_context():
    @dg.asset_check(asset=a)
    def ctx_check(context: dg.AssetCheckExecutionContext):
        return dg.AssetCheckResult(passed=True)

    assert ctx_check(dg.build_asset_check_context()).passed is True


def test_materialize_check_without_its_asset_runs_nothing():
    # Surprising: a check passed to materialize() without its asset is not executed at all.
    result = dg.materialize([a_warn])
    assert result.success
    assert result.get_asset_check_evaluations() == []
    assert "STEP_START" not in _core(result)


def test_select_only_check():
    result = dg.materialize([a, a_warn], selection=dg.AssetSelection.checks(a_warn))
    assert [e.check_name for e in result.get_asset_check_evaluations()] == ["a_warn"]
    assert result.get_asset_materialization_events() == []


def test_multi_asset_check():
    @dg.multi_asset_check(
        specs=[dg.AssetCheckSpec("m1", asset="a"), dg.AssetCheckSpec("m2", asset="a")]
    )
    def mac():
        yield dg.AssetCheckResult(check_name="m1", passed=True, asset_key="a")
        yield dg.AssetCheckResult(check_name="m2", passed=False, asset_key="a")

    result = dg.materialize([a, mac])
    assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [
        ("m1", True),
        ("m2", False),
    ]


def test_additional_deps():
    @dg.asset_check(asset=a, additional_deps=[b])
    def with_deps():
        return dg.AssetCheckResult(passed=True)

    (spec,) = list(with_deps.check_specs)
    assert [d.asset_key for d in spec.additional_deps] == [dg.AssetKey("b")]


def test_duplicate_check_key_in_definitions():
    @dg.asset_check(asset=a, name="a_ok")
    def a_ok_again():
        return dg.AssetCheckResult(passed=True)

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="a_ok"):
        dg.Definitions.validate_loadable(
            dg.Definitions(assets=[a], asset_checks=[a_ok, a_ok_again])
        )


def test_check_evaluation_in_instance_event_log():
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([a, a_ok], instance=instance)
    types = [
        r.dagster_event.event_type_value
        for r in instance.all_logs(result.run_id)
        if r.dagster_event
    ]
    assert "ASSET_CHECK_EVALUATION" in types
    # Planned events are stored in the instance but not returned in result.all_events.
    assert "ASSET_CHECK_EVALUATION_PLANNED" in types
    assert "ASSET_CHECK_EVALUATION_PLANNED" not in _core(result)


def test_latest_check_evaluation_record():
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([a, a_ok], instance=instance)
    key = dg.AssetCheckKey(dg.AssetKey("a"), "a_ok")
    record = instance.get_latest_asset_check_evaluation_record(key)
    assert record.key == key
    assert record.run_id == result.run_id
    assert record.event.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"


def test_a_check_spec_keeps_its_partitions_def():
    import warnings

    days = dg.StaticPartitionsDefinition(["mon", "tue"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dagster's PreviewWarning
        spec = dg.AssetCheckSpec("rows", asset="orders", partitions_def=days)
    assert spec.partitions_def == days
    assert dg.AssetCheckSpec("rows", asset="orders").partitions_def is None


def test_automation_condition_is_generic_over_its_key():
    condition: dg.AutomationCondition[dg.AssetKey] = dg.AutomationCondition.eager()
    assert isinstance(condition, dg.AutomationCondition)


def test_a_partitioned_check_evaluation_names_the_partition_its_run_materialized():
    import warnings

    days = dg.StaticPartitionsDefinition(["mon", "tue"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dagster's PreviewWarning for partitions_def
        spec = dg.AssetCheckSpec("rows", asset="daily", partitions_def=days)

    @dg.asset(partitions_def=days, check_specs=[spec])
    def daily():
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])

    @dg.asset(partitions_def=days, check_specs=[dg.AssetCheckSpec("rows", asset="plain")])
    def plain():
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])

    (evaluation,) = dg.materialize([daily], partition_key="tue").get_asset_check_evaluations()
    assert evaluation.partition == "tue"
    # a check whose spec has no partitions_def is not stamped, even in a partition's run
    (evaluation,) = dg.materialize([plain], partition_key="tue").get_asset_check_evaluations()
    assert evaluation.partition is None


def test_a_check_execution_record_gives_its_evaluation_and_partition():
    import warnings

    days = dg.StaticPartitionsDefinition(["mon", "tue"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dagster's PreviewWarning for partitions_def
        spec = dg.AssetCheckSpec("rows", asset="history_asset", partitions_def=days)

    @dg.asset(partitions_def=days, check_specs=[spec])
    def history_asset():
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=False)])

    key = dg.AssetCheckKey(dg.AssetKey("history_asset"), "rows")
    with dg.instance_for_test() as instance:
        dg.materialize([history_asset], partition_key="mon", instance=instance)
        (record,) = instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
        assert record.evaluation.passed is False
        assert record.evaluation.check_name == "rows"
        assert record.partition == "mon"
