"""What an asset returns compares by value, as Dagster's result records do: users' tests assert
``assert my_asset(...) == dg.MaterializeResult(metadata={...})``."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


def test_materialize_results_compare_by_value():
    assert dg.MaterializeResult(metadata={"rows": 3}) == dg.MaterializeResult(metadata={"rows": 3})
    assert dg.MaterializeResult(metadata={"rows": 3}) != dg.MaterializeResult(metadata={"rows": 4})
    assert dg.MaterializeResult(asset_key="a") != dg.MaterializeResult(asset_key="b")
    assert dg.MaterializeResult(asset_key="a") == dg.MaterializeResult(asset_key=dg.AssetKey("a"))
    with_version = dg.MaterializeResult(data_version=dg.DataVersion("x"))
    assert with_version != dg.MaterializeResult()
    assert with_version == dg.MaterializeResult(data_version=dg.DataVersion("x"))


def test_an_observe_result_is_not_a_materialize_result():
    assert dg.ObserveResult(metadata={"rows": 3}) == dg.ObserveResult(metadata={"rows": 3})
    assert dg.ObserveResult(metadata={"rows": 3}) != dg.MaterializeResult(metadata={"rows": 3})


def test_check_results_compare_by_value():
    assert dg.AssetCheckResult(passed=True) == dg.AssetCheckResult(passed=True)
    assert dg.AssetCheckResult(passed=True) != dg.AssetCheckResult(passed=False)
    assert (dg.AssetCheckResult(passed=False, metadata={"bad": 2})
            == dg.AssetCheckResult(passed=False, metadata={"bad": 2}))
    assert (dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)
            != dg.AssetCheckResult(passed=False))


def test_a_result_with_its_check_results_compares_them_too():
    checked = dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])
    assert checked == dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])
    assert checked != dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=False)])


def test_an_asset_invoked_directly_returns_a_comparable_result():
    @dg.asset
    def counted():
        return dg.MaterializeResult(metadata={"rows": 3})

    assert counted() == dg.MaterializeResult(metadata={"rows": 3})


def test_results_are_not_hashable():
    with pytest.raises(TypeError):
        hash(dg.MaterializeResult(metadata={"rows": 3}))


def test_result_types_are_generic_over_the_value():
    # projects annotate assets with MaterializeResult[T] (T the stored value's type)
    assert dg.MaterializeResult[int](metadata={"n": 1}) == dg.MaterializeResult(metadata={"n": 1})
    assert dg.Output[int](5).value == 5


def test_partitions_and_metadata_values_are_generic_in_annotations():
    def keys(p: dg.PartitionsDefinition[str]) -> list[str]:
        return p.get_partition_keys()

    assert keys(dg.StaticPartitionsDefinition(["a"])) == ["a"]
    assert dg.MetadataValue[int] is not None
    assert dg.MetadataValue.int(3) == dg.MetadataValue.int(3)


def test_a_materialize_result_without_a_value_is_told_from_value_none():
    assert dg.MaterializeResult().value is not None
    assert dg.MaterializeResult(value=None) != dg.MaterializeResult()

    @dg.asset
    def nothing_yet():
        return dg.MaterializeResult(value=None)

    @dg.asset
    def downstream(nothing_yet):
        return ("got", nothing_yet)

    result = dg.materialize([nothing_yet, downstream])
    assert result.output_for_node("downstream") == ("got", None)


def test_unset_result_fields_are_none_as_in_dagster():
    result = dg.MaterializeResult()
    assert result.metadata is None and result.tags is None and result.data_version is None
    assert result.check_results == []
    assert dg.ObserveResult().metadata is None


def test_check_evaluations_and_hook_contexts_are_public_types():
    @dg.asset(check_specs=[dg.AssetCheckSpec("ok", asset="checked_asset")])
    def checked_asset():
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])

    seen = []

    @dg.success_hook
    def remember(context):
        seen.append(isinstance(context, dg.HookContext))

    @dg.op
    def noop():
        return 1

    @dg.job(hooks={remember})
    def hooked_job():
        noop()

    (evaluation,) = dg.materialize([checked_asset]).get_asset_check_evaluations()
    assert isinstance(evaluation, dg.AssetCheckEvaluation)
    assert hooked_job.execute_in_process().success and seen == [True]
