import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.multi_asset(
    outs={
        "x": dg.AssetOut(),
        "y": dg.AssetOut(key_prefix="p", group_name="g", metadata={"m": 1}, description="yy"),
    }
)
def xy():
    return 1, 2


def _mat_keys(result):
    return [e.asset_key for e in result.get_asset_materialization_events()]


def test_asset_out_keys():
    assert xy.keys == {dg.AssetKey("x"), dg.AssetKey(["p", "y"])}
    assert xy.keys_by_output_name == {"x": dg.AssetKey("x"), "y": dg.AssetKey(["p", "y"])}
    assert xy.op.name == "xy"


def test_multi_asset_key_property_raises():
    # Dagster raises an internal check error here; any exception class is acceptable.
    with pytest.raises(Exception):  # noqa: B017
        _ = xy.key


def test_asset_out_attributes_on_specs():
    specs = {s.key: s for s in xy.specs}
    assert specs[dg.AssetKey("x")].group_name == "default"
    assert specs[dg.AssetKey(["p", "y"])].group_name == "g"
    assert specs[dg.AssetKey(["p", "y"])].description == "yy"
    assert specs[dg.AssetKey(["p", "y"])].metadata == {"m": 1}


def test_asset_out_tuple_return_materializes_both():
    result = dg.materialize([xy])
    assert result.output_for_node("xy", "x") == 1
    assert result.output_for_node("xy", "y") == 2
    assert result.asset_value("x") == 1
    assert result.asset_value(["p", "y"]) == 2
    assert _mat_keys(result) == [dg.AssetKey("x"), dg.AssetKey(["p", "y"])]


def test_asset_out_yield_outputs():
    @dg.multi_asset(outs={"a1": dg.AssetOut(), "a2": dg.AssetOut()})
    def two():
        yield dg.Output(1, output_name="a1")
        yield dg.Output(2, output_name="a2")

    result = dg.materialize([two])
    assert (result.asset_value("a1"), result.asset_value("a2")) == (1, 2)


def test_asset_out_explicit_key():
    @dg.multi_asset(outs={"o": dg.AssetOut(key=dg.AssetKey(["k", "o"]))})
    def keyed():
        return 5

    assert keyed.keys == {dg.AssetKey(["k", "o"])}
    assert dg.materialize([keyed]).asset_value(["k", "o"]) == 5


def test_downstream_of_multi_asset():
    @dg.asset(ins={"y": dg.AssetIn(key=["p", "y"])})
    def use_xy(x, y):
        return x + y

    assert dg.materialize([xy, use_xy]).output_for_node("use_xy") == 3


def test_downstream_missing_prefix_is_error():
    @dg.asset
    def use_y(y):
        return y

    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([xy, use_y])


def test_wrong_number_of_returned_values():
    @dg.multi_asset(outs={"a1": dg.AssetOut(), "a2": dg.AssetOut()})
    def wrong():
        return 1

    with pytest.raises(dg.DagsterInvariantViolationError):
        dg.materialize([wrong])


def test_missing_required_output():
    @dg.multi_asset(outs={"a1": dg.AssetOut(), "a2": dg.AssetOut()})
    def missing():
        yield dg.Output(1, output_name="a1")

    with pytest.raises(dg.DagsterStepOutputNotFoundError):
        dg.materialize([missing])
    result = dg.materialize([missing], raise_on_error=False)
    assert result.success is False
    assert _mat_keys(result) == [dg.AssetKey("a1")]


def test_specs_with_materialize_results():
    @dg.multi_asset(specs=[dg.AssetSpec("s1"), dg.AssetSpec("s2", deps=["s1"])])
    def ss():
        yield dg.MaterializeResult(asset_key="s1", metadata={"n": 1})
        yield dg.MaterializeResult(asset_key="s2")

    assert ss.keys == {dg.AssetKey("s1"), dg.AssetKey("s2")}
    assert ss.asset_deps == {dg.AssetKey("s1"): set(), dg.AssetKey("s2"): {dg.AssetKey("s1")}}
    result = dg.materialize([ss])
    assert _mat_keys(result) == [dg.AssetKey("s1"), dg.AssetKey("s2")]
    md = result.asset_materializations_for_node("ss")[0].metadata
    assert md["n"] == dg.MetadataValue.int(1)
    # Spec-based outputs carry no value, so no IO manager is involved.
    assert "HANDLED_OUTPUT" not in [e.event_type_value for e in result.all_events]


def test_specs_return_tuple_of_materialize_results():
    @dg.multi_asset(specs=[dg.AssetSpec("q1"), dg.AssetSpec("q2")])
    def ret():
        return dg.MaterializeResult(asset_key="q1"), dg.MaterializeResult(asset_key="q2")

    assert _mat_keys(dg.materialize([ret])) == [dg.AssetKey("q1"), dg.AssetKey("q2")]


def test_specs_missing_result_still_materialized():
    # Surprising: with specs (Nothing-typed outputs), an asset that yields no result is still
    # reported as materialized.
    @dg.multi_asset(specs=[dg.AssetSpec("m1"), dg.AssetSpec("m2")])
    def only_one():
        yield dg.MaterializeResult(asset_key="m1")

    result = dg.materialize([only_one])
    assert result.success
    assert _mat_keys(result) == [dg.AssetKey("m1"), dg.AssetKey("m2")]


def test_specs_outputs_cannot_carry_values():
    # Surprising: spec-based multi_asset outputs are of type Nothing; yielding a value fails.
    @dg.multi_asset(specs=[dg.AssetSpec("v1"), dg.AssetSpec("v2")])
    def with_values():
        yield dg.Output(1, output_name="v1")
        yield dg.Output(2, output_name="v2")

    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        dg.materialize([with_values])


def test_spec_output_names_for_prefixed_keys():
    @dg.multi_asset(specs=[dg.AssetSpec(["pre", "v1"]), dg.AssetSpec(["pre", "v2"])])
    def prefixed():
        yield dg.MaterializeResult(asset_key=["pre", "v1"])
        yield dg.MaterializeResult(asset_key=["pre", "v2"])

    assert prefixed.keys_by_output_name == {
        "pre__v1": dg.AssetKey(["pre", "v1"]),
        "pre__v2": dg.AssetKey(["pre", "v2"]),
    }


def test_outs_and_specs_together_is_error():
    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.multi_asset(outs={"a": dg.AssetOut()}, specs=[dg.AssetSpec("b")])
        def both():
            return None


def test_multi_asset_name():
    @dg.multi_asset(specs=[dg.AssetSpec("n1"), dg.AssetSpec("n2")], name="named_multi")
    def nm():
        yield dg.MaterializeResult(asset_key="n1")
        yield dg.MaterializeResult(asset_key="n2")

    assert nm.op.name == "named_multi"
    assert dg.materialize([nm]).success


def test_can_subset_with_selected_asset_keys():
    seen = []

    @dg.multi_asset(
        specs=[dg.AssetSpec("c1", skippable=True), dg.AssetSpec("c2", skippable=True)],
        can_subset=True,
    )
    def sub(context: dg.AssetExecutionContext):
        seen.append(set(context.selected_asset_keys))
        for k in sorted(context.selected_asset_keys):
            yield dg.MaterializeResult(asset_key=k)

    assert sub.can_subset is True
    result = dg.materialize([sub], selection=["c2"])
    assert _mat_keys(result) == [dg.AssetKey("c2")]
    assert seen == [{dg.AssetKey("c2")}]
    result = dg.materialize([sub])
    assert set(_mat_keys(result)) == {dg.AssetKey("c1"), dg.AssetKey("c2")}
    assert seen[-1] == {dg.AssetKey("c1"), dg.AssetKey("c2")}


def test_subset_of_non_subsettable_multi_asset_is_error():
    @dg.multi_asset(specs=[dg.AssetSpec("d1"), dg.AssetSpec("d2")])
    def nosub():
        yield dg.MaterializeResult(asset_key="d1")
        yield dg.MaterializeResult(asset_key="d2")

    assert nosub.can_subset is False
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([nosub], selection=["d1"])


def test_optional_outputs_and_skipped_downstream():
    @dg.multi_asset(
        outs={"o1": dg.AssetOut(is_required=False), "o2": dg.AssetOut(is_required=False)},
        can_subset=True,
    )
    def optional_outs():
        yield dg.Output(1, output_name="o1")

    @dg.asset
    def after_o2(o2):
        return o2

    result = dg.materialize([optional_outs, after_o2])
    # A step whose input was never produced is SKIPPED, and the run still succeeds.
    assert result.success
    assert _mat_keys(result) == [dg.AssetKey("o1")]
    assert [e.step_key for e in result.get_step_skipped_events()] == ["after_o2"]
    assert result.is_node_skipped("after_o2")


def test_multi_asset_with_deps_and_ins():
    @dg.asset
    def base():
        return 10

    @dg.multi_asset(outs={"m_a": dg.AssetOut(), "m_b": dg.AssetOut()}, deps=["other_ext"])
    def from_base(base):
        return base + 1, base + 2

    assert set(from_base.dependency_keys) == {dg.AssetKey("base"), dg.AssetKey("other_ext")}
    result = dg.materialize([base, from_base])
    assert (result.asset_value("m_a"), result.asset_value("m_b")) == (11, 12)


def test_multi_asset_context_selected_keys_full():
    seen = {}

    @dg.multi_asset(outs={"k1": dg.AssetOut(), "k2": dg.AssetOut()})
    def ctx_multi(context: dg.AssetExecutionContext):
        seen["keys"] = set(context.selected_asset_keys)
        return 1, 2

    dg.materialize([ctx_multi])
    assert seen["keys"] == {dg.AssetKey("k1"), dg.AssetKey("k2")}


def test_direct_invocation_of_multi_asset():
    assert xy() == (1, 2)


def test_multi_asset_in_definitions():
    defs = dg.Definitions(assets=[xy])
    assert set(defs.resolve_all_asset_keys()) == {dg.AssetKey("x"), dg.AssetKey(["p", "y"])}


def test_asset_out_carries_freshness_policy_to_its_spec():
    import datetime

    fresh = dg.FreshnessPolicy.time_window(fail_window=datetime.timedelta(hours=1))

    @dg.multi_asset(outs={"fresh_out": dg.AssetOut(freshness_policy=fresh),
                          "plain_out": dg.AssetOut()})
    def pair():
        return 1, 2

    assert pair.specs_by_key[dg.AssetKey("fresh_out")].freshness_policy == fresh
    assert pair.specs_by_key[dg.AssetKey("plain_out")].freshness_policy is None
    assert dg.AssetOut(backfill_policy=dg.BackfillPolicy.single_run()).backfill_policy == \
        dg.BackfillPolicy.single_run()
    assert dg.AssetOut().is_virtual is False


def test_outs_without_a_description_take_the_functions_docstring():
    @dg.multi_asset(outs={"described": dg.AssetOut(description="its own"),
                          "undescribed": dg.AssetOut()})
    def documented():
        """What both tables hold.

        More detail.
        """
        return 1, 2

    specs = documented.specs_by_key
    assert specs[dg.AssetKey("described")].description == "its own"
    assert specs[dg.AssetKey("undescribed")].description == "What both tables hold.\n\nMore detail."


def test_an_ops_outputs_by_name():
    @dg.multi_asset(outs={"stored": dg.AssetOut(io_manager_key="warehouse"),
                          "other": dg.AssetOut(io_manager_key="lake")})
    def routed():
        return 1, 2

    outputs = routed.node_def.output_dict
    assert outputs["stored"].io_manager_key == "warehouse"
    assert outputs["other"].io_manager_key == "lake"
