"""Which asset values a check function receives: a parameter named after a checked asset (or
after one of its ``additional_deps``) is an input of that asset; ``ins=`` /
``additional_ins=`` map other names; everything else is refused when the check is defined."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.asset
def orders():
    return [1, 2, 3]


@dg.asset
def customers():
    return ["x", "y"]


@dg.asset
def prices():
    return {"p": 10}


@dg.multi_asset_check(specs=[dg.AssetCheckSpec("orders_not_empty", asset="orders"),
                             dg.AssetCheckSpec("customers_not_empty", asset="customers")])
def both_not_empty(orders, customers):
    yield dg.AssetCheckResult(passed=len(orders) == 3, asset_key="orders",
                              check_name="orders_not_empty")
    yield dg.AssetCheckResult(passed=len(customers) == 2, asset_key="customers",
                              check_name="customers_not_empty")


@dg.multi_asset_check(specs=[dg.AssetCheckSpec("priced", asset="orders",
                                               additional_deps=["prices"])],
                      ins={"price_table": dg.AssetIn("prices")})
def orders_priced(context, orders, price_table):
    return dg.AssetCheckResult(passed=len(orders) == 3 and price_table == {"p": 10})


@dg.asset_check(asset=orders, additional_ins={"people": dg.AssetIn("customers")})
def people_and_orders(people, orders):
    return dg.AssetCheckResult(passed=len(people) == 2 and len(orders) == 3)


@dg.asset_check(asset=orders, additional_deps=[prices])
def after_prices(orders):
    return dg.AssetCheckResult(passed=len(orders) == 3)


def _evaluations(result):
    return sorted((e.asset_key.to_user_string(), e.check_name, e.passed)
                  for e in result.get_asset_check_evaluations())


def test_multi_asset_check_parameters_named_after_checked_assets_are_inputs():
    assert both_not_empty.keys_by_input_name["orders"] == dg.AssetKey("orders")
    assert both_not_empty.keys_by_input_name["customers"] == dg.AssetKey("customers")
    result = dg.materialize([orders, customers, both_not_empty])
    assert result.success
    assert _evaluations(result) == [("customers", "customers_not_empty", True),
                                    ("orders", "orders_not_empty", True)]


def test_multi_asset_check_direct_invocation_by_name_and_position():
    by_name = list(both_not_empty(orders=[1, 2, 3], customers=["x", "y"]))
    by_position = list(both_not_empty([1, 2, 3], ["x", "y"]))
    for results in (by_name, by_position):
        assert [r.check_name for r in results] == ["orders_not_empty", "customers_not_empty"]
        assert all(r.passed for r in results)


def test_multi_asset_check_ins_for_an_additional_dep_with_context():
    assert orders_priced.keys_by_input_name["price_table"] == dg.AssetKey("prices")
    assert orders_priced.keys_by_input_name["orders"] == dg.AssetKey("orders")
    result = dg.materialize([orders, prices, orders_priced])
    assert result.success
    assert _evaluations(result) == [("orders", "priced", True)]


def test_multi_asset_check_parameter_named_after_an_additional_dep():
    @dg.multi_asset_check(specs=[dg.AssetCheckSpec("c", asset="orders",
                                                   additional_deps=["prices"])])
    def check_with_dep(orders, prices):
        return dg.AssetCheckResult(passed=prices == {"p": 10})

    assert check_with_dep.keys_by_input_name["prices"] == dg.AssetKey("prices")
    result = dg.materialize([orders, prices, check_with_dep])
    assert _evaluations(result) == [("orders", "c", True)]


@pytest.mark.parametrize("param", ["customers", "unrelated"])
def test_multi_asset_check_parameter_naming_no_checked_asset_is_refused(param):
    def body(**kwargs):
        return dg.AssetCheckResult(passed=True)

    namespace: dict = {}
    exec(f"def check_fn({param}):\n    return body({param}={param})", {"body": body}, namespace)
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=param):
        dg.multi_asset_check(specs=[dg.AssetCheckSpec("c", asset="orders")])(namespace["check_fn"])


def test_multi_asset_check_ins_outside_the_checked_assets_is_refused():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="prices"):
        @dg.multi_asset_check(specs=[dg.AssetCheckSpec("c", asset="orders")],
                              ins={"table": dg.AssetIn("prices")})
        def check_fn(table):
            return dg.AssetCheckResult(passed=True)


def test_asset_check_additional_ins_in_any_parameter_order():
    assert people_and_orders.keys_by_input_name["orders"] == dg.AssetKey("orders")
    assert people_and_orders.keys_by_input_name["people"] == dg.AssetKey("customers")
    result = dg.materialize([orders, customers, people_and_orders])
    assert _evaluations(result) == [("orders", "people_and_orders", True)]
    assert people_and_orders(people=["x", "y"], orders=[1, 2, 3]).passed
    assert people_and_orders(["x", "y"], [1, 2, 3]).passed


def test_asset_check_one_other_parameter_is_the_checked_asset():
    @dg.asset_check(asset=orders, additional_ins={"people": dg.AssetIn("customers")})
    def check_fn(value, people):
        return dg.AssetCheckResult(passed=len(value) == 3 and len(people) == 2)

    assert check_fn.keys_by_input_name["value"] == dg.AssetKey("orders")
    result = dg.materialize([orders, customers, check_fn])
    assert _evaluations(result) == [("orders", "check_fn", True)]


def test_asset_check_two_unmapped_parameters_are_refused():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="additional_ins"):
        @dg.asset_check(asset=orders)
        def check_fn(first, second):
            return dg.AssetCheckResult(passed=True)


def test_asset_check_additional_ins_that_name_no_parameter_are_refused():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="zz"):
        @dg.asset_check(asset=orders, additional_ins={"zz": dg.AssetIn("customers")})
        def check_fn(orders):
            return dg.AssetCheckResult(passed=True)


def test_asset_check_additional_deps_are_on_the_spec_and_run_first():
    (spec,) = list(after_prices.check_specs)
    assert [d.asset_key for d in spec.additional_deps] == [dg.AssetKey("prices")]
    result = dg.materialize([orders, prices, after_prices])
    assert _evaluations(result) == [("orders", "after_prices", True)]
    steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"]
    assert steps.index("prices") < steps.index("orders_after_prices")
