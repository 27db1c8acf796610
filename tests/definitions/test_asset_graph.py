"""Resolving assets into a graph: bad input fails with an error that names the user's objects."""

from __future__ import annotations

import pytest

import headwater as dg


def where(fn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def validate(*assets, resources=None) -> None:
    dg.Definitions(assets=list(assets), resources=resources).validate()


# --- duplicate keys ---

def test_duplicate_key_names_the_key_and_both_functions():
    def first():
        return 1

    def second():
        return 2

    one, two = dg.asset(name="orders")(first), dg.asset(name="orders")(second)
    with pytest.raises(dg.InvalidDefinitionError) as info:
        validate(one, two)
    text = str(info.value)
    assert "'orders'" in text
    assert where(first) in text and where(second) in text


def test_duplicate_key_between_multi_asset_and_asset_names_both():
    def pair():
        return 1, 2

    def lone():
        return 3

    multi = dg.multi_asset(outs={"m1": dg.AssetOut(), "m2": dg.AssetOut()})(pair)
    single = dg.asset(name="m2")(lone)
    with pytest.raises(dg.InvalidDefinitionError) as info:
        validate(multi, single)
    text = str(info.value)
    assert "'m2'" in text and where(pair) in text and where(lone) in text


def test_duplicate_key_is_also_caught_by_materialize():
    def first():
        return 1

    def second():
        return 2

    with pytest.raises(dg.InvalidDefinitionError, match="Duplicate asset key 'k'"):
        dg.materialize_to_memory([dg.asset(name="k")(first), dg.asset(name="k")(second)])


def test_prefixed_keys_with_the_same_name_are_distinct():
    @dg.asset(key_prefix="raw", name="orders")
    def raw_orders():
        return 1

    @dg.asset(key_prefix="clean", name="orders")
    def clean_orders():
        return 2

    validate(raw_orders, clean_orders)


# --- cycles ---

def test_two_asset_cycle_prints_the_path():
    @dg.asset(deps=["b"])
    def a():
        return 1

    @dg.asset(deps=["a"])
    def b():
        return 1

    with pytest.raises(dg.InvalidDefinitionError) as info:
        validate(a, b)
    text = str(info.value)
    assert "cycle" in text
    assert "a -> b -> a" in text or "b -> a -> b" in text


def test_cycle_through_parameters_prints_the_path():
    @dg.asset
    def x(y):
        return y

    @dg.asset
    def y(x):
        return x

    with pytest.raises(dg.InvalidDefinitionError) as info:
        validate(x, y)
    assert "x -> y -> x" in str(info.value) or "y -> x -> y" in str(info.value)


def test_cycle_path_lists_only_the_cycle_in_data_flow_order():
    # source -> a -> b -> c -> a, and c -> sink: the message shows exactly a -> b -> c -> a
    @dg.asset
    def source():
        return 1

    @dg.asset(deps=["source", "c"])
    def a():
        return 1

    @dg.asset(deps=["a"])
    def b():
        return 1

    @dg.asset(deps=["b"])
    def c():
        return 1

    @dg.asset(deps=["c"])
    def sink():
        return 1

    with pytest.raises(dg.InvalidDefinitionError) as info:
        validate(sink, source, a, b, c)
    text = str(info.value)
    path = text.split("cycle: ", 1)[1].split(".", 1)[0]
    nodes = path.split(" -> ")
    assert nodes[0] == nodes[-1]
    assert set(nodes) == {"a", "b", "c"}
    edges = {("source", "a"), ("c", "a"), ("a", "b"), ("b", "c"), ("c", "sink")}
    assert all(pair in edges for pair in zip(nodes, nodes[1:], strict=False))


def test_cycle_is_also_caught_by_materialize():
    @dg.asset(deps=["q"])
    def p():
        return 1

    @dg.asset(deps=["p"])
    def q():
        return 1

    with pytest.raises(dg.InvalidDefinitionError, match="cycle"):
        dg.materialize_to_memory([p, q])


# --- unknown upstream keys ---

def test_unknown_upstream_names_asset_parameter_and_suggests_a_close_name():
    @dg.asset
    def upstream():
        return 1

    def downstream(upstrem):
        return upstrem

    asset = dg.asset(downstream)
    with pytest.raises(dg.InvalidDefinitionError) as info:
        validate(upstream, asset)
    text = str(info.value)
    assert "'downstream'" in text and where(downstream) in text
    assert "parameter 'upstrem'" in text
    assert "Did you mean 'upstream'?" in text


def test_unknown_upstream_through_ins_names_the_full_key_and_suggests():
    @dg.asset(key_prefix="raw")
    def orders():
        return 1

    @dg.asset(ins={"data": dg.AssetIn(key=["raw", "ordrs"])})
    def report(data):
        return data

    with pytest.raises(dg.InvalidDefinitionError) as info:
        validate(orders, report)
    text = str(info.value)
    assert "'report'" in text and "'data'" in text and "'raw/ordrs'" in text
    assert "'raw/orders'" in text


def test_unknown_upstream_without_a_close_name_makes_no_suggestion():
    @dg.asset
    def lonely(zzz_nothing_like_it):
        return 1

    with pytest.raises(dg.InvalidDefinitionError) as info:
        validate(lonely)
    assert "Did you mean" not in str(info.value)
    assert "'zzz_nothing_like_it'" in str(info.value)


def test_unknown_upstream_is_also_caught_by_materialize():
    @dg.asset
    def upstream():
        return 1

    @dg.asset
    def downstream(upstrem):
        return upstrem

    with pytest.raises(dg.InvalidDefinitionError, match="Did you mean 'upstream'"):
        dg.materialize_to_memory([upstream, downstream])


def test_unknown_dep_becomes_an_external_asset_not_an_error():
    # deps=[...] (no value loaded) on an undefined key is allowed, as in Dagster.
    @dg.asset(deps=["somewhere_else"])
    def reader():
        return 1

    defs = dg.Definitions(assets=[reader])
    defs.validate()
    assert dg.AssetKey("somewhere_else") in defs.resolve_all_asset_keys()


# --- a parameter that looks like a resource ---

class Warehouse(dg.ConfigurableResource):
    url: str = "sqlite://"


def test_unannotated_parameter_matching_a_resource_key_says_to_annotate():
    @dg.asset
    def loads(warehouse):
        return warehouse

    with pytest.raises(dg.InvalidDefinitionError) as info:
        validate(loads, resources={"warehouse": Warehouse()})
    text = str(info.value)
    assert "'loads'" in text and "'warehouse'" in text
    assert "A resource named 'warehouse' exists: annotate the parameter" in text


def test_unannotated_resource_parameter_hint_also_from_materialize():
    @dg.asset
    def loads(warehouse):
        return warehouse

    with pytest.raises(dg.InvalidDefinitionError, match="annotate the parameter"):
        dg.materialize_to_memory([loads], resources={"warehouse": Warehouse()})


def test_annotated_resource_parameter_is_not_an_upstream_asset():
    @dg.asset
    def loads(warehouse: Warehouse):
        return warehouse.url

    defs = dg.Definitions(assets=[loads], resources={"warehouse": Warehouse()})
    defs.validate()
    assert defs.resolve_all_asset_keys() == [dg.AssetKey("loads")]
