"""An asset whose parameter names an asset the Definitions lack: the Definitions are built,
``get_assets_def`` finds the asset, and the error (naming the missing asset) comes where the
asset graph is resolved: validation, jobs, materialization, loading values."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.asset
def downstream_only(upstream_missing):
    return upstream_missing + 1


@dg.asset
def standalone():
    return 1


@dg.asset_check(asset=standalone)
def standalone_ok():
    return dg.AssetCheckResult(passed=True)


def _defs():
    return dg.Definitions(assets=[downstream_only, standalone], asset_checks=[standalone_ok],
                          jobs=[dg.define_asset_job("both", selection=[downstream_only])])


def test_the_definitions_are_built_and_get_assets_def_works():
    defs = _defs()
    assert defs.get_assets_def("downstream_only").key == dg.AssetKey("downstream_only")
    assert defs.get_assets_def(dg.AssetKey("standalone")).key == dg.AssetKey("standalone")
    checks = defs.get_asset_checks_def(dg.AssetCheckKey(dg.AssetKey("standalone"),
                                                        "standalone_ok"))
    assert checks.check_key.name == "standalone_ok"


def test_the_definition_can_be_called_directly():
    assert downstream_only(1) == 2


def test_get_assets_def_of_a_spec():
    defs = dg.Definitions(assets=[dg.AssetSpec("vendor_feed")])
    assert defs.get_assets_def("vendor_feed").key == dg.AssetKey("vendor_feed")


def test_unknown_keys_are_an_invariant_violation():
    defs = dg.Definitions(assets=[standalone])
    with pytest.raises(dg.DagsterInvariantViolationError):
        defs.get_assets_def("nope")
    with pytest.raises(dg.DagsterInvariantViolationError):
        defs.get_asset_checks_def(dg.AssetCheckKey(dg.AssetKey("standalone"), "nope"))


@pytest.mark.parametrize("action", [
    "validate_loadable", "resolve_asset_graph", "resolve_all_job_defs", "get_job_def",
    "implicit_job", "resolve_all_asset_keys", "load_asset_value", "materialize",
])
def test_the_missing_asset_is_named_where_the_graph_is_resolved(action):
    defs = _defs()
    run = {
        "validate_loadable": lambda: dg.Definitions.validate_loadable(defs),
        "resolve_asset_graph": defs.resolve_asset_graph,
        "resolve_all_job_defs": defs.resolve_all_job_defs,
        "get_job_def": lambda: defs.get_job_def("both"),
        "implicit_job": defs.resolve_implicit_global_asset_job_def,
        "resolve_all_asset_keys": defs.resolve_all_asset_keys,
        "load_asset_value": lambda: defs.load_asset_value("standalone"),
        "materialize": lambda: dg.materialize([downstream_only, standalone]),
    }[action]
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="upstream_missing"):
        run()


def test_a_dependency_declared_with_deps_is_an_external_asset_instead():
    @dg.asset(deps=["declared_elsewhere"])
    def reads_nothing():
        return None

    graph = dg.Definitions(assets=[reads_nothing]).resolve_asset_graph()
    assert graph.get_all_asset_keys() == {dg.AssetKey("reads_nothing"),
                                          dg.AssetKey("declared_elsewhere")}
