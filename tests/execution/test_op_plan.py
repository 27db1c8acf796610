"""Op plans: graphs flattened into steps by handle, op selection, unconnected inputs, graph assets."""

from __future__ import annotations

import pytest

import headwater as dg
from headwater.definitions.asset_graph import AssetGraph
from headwater.execution.op_plan import build_op_plan
from headwater.execution.plan import build_plan


@dg.op
def one():
    return 1


@dg.op
def inc(x):
    return x + 1


@dg.graph
def inner(x):
    return inc(x)


@dg.graph
def outer(x):
    return inner(inc(x))


@dg.job
def nested():
    outer(one())


@dg.job
def chain():
    inc.alias("d")(inc.alias("c")(inc.alias("b")(one.alias("a")())))


def keys(plan):
    return [s.key for s in plan.steps]


def test_nested_graph_steps_and_graph_node_outputs():
    plan = build_op_plan(nested)
    assert keys(plan) == ["one", "outer.inc", "outer.inner.inc"]
    assert plan.node_outputs == {("outer", "result"): ("outer.inner.inc", "result"),
                                 ("outer.inner", "result"): ("outer.inner.inc", "result")}
    by_key = {s.key: s for s in plan.steps}
    assert by_key["outer.inner.inc"].deps == {by_key["outer.inc"].index}


@pytest.mark.parametrize(("selection", "expected"), [
    (["b"], ["b"]), (["*c"], ["a", "b", "c"]), (["+c"], ["b", "c"]), (["++c"], ["a", "b", "c"]),
    (["b*"], ["b", "c", "d"]), (["b+"], ["b", "c"]), (["a", "d"], ["a", "d"]), ("c", ["c"]),
])
def test_op_selection_clauses(selection, expected):
    config = {"ops": {name: {"inputs": {"x": {"value": 0}}} for name in "bcd"}}
    assert sorted(keys(build_op_plan(chain, selection, config))) == expected


def test_op_selection_matching_nothing_lists_the_ops():
    with pytest.raises(dg.InvalidSubsetError, match="'a', 'b', 'c', 'd'"):
        build_op_plan(chain, ["zz"])


def test_every_unconnected_input_is_reported_with_its_config_path():
    @dg.graph
    def g():
        inc.alias("first")()
        inc.alias("second")()

    @dg.job
    def loose():
        g()
        inc()

    with pytest.raises(dg.InvalidConfigError) as info:
        build_op_plan(loose)
    assert sorted(e.split(":")[0] for e in info.value.errors) == [
        "ops.g.ops.first.inputs.x", "ops.g.ops.second.inputs.x", "ops.inc.inputs.x"]


def test_nothing_input_is_a_dependency_only():
    @dg.op(ins={"after": dg.In(dg.Nothing)})
    def last():
        return 1

    @dg.job
    def ordered():
        last(after=one())

    first, second = build_op_plan(ordered).steps
    assert second.deps == {first.index} and second.op_inputs == []


def test_graph_asset_steps():
    @dg.asset
    def upstream():
        return 1

    @dg.graph_asset
    def ga(upstream):
        return inc(inc(upstream))

    graph = AssetGraph([upstream, ga], [])
    plan = build_plan(graph, range(len(graph)))
    by_key = {s.key: s for s in plan.steps}
    assert keys(plan) == ["upstream", "ga.inc", "ga.inc_2"]
    assert by_key["ga.inc"].inputs[0].asset_key == dg.AssetKey("upstream")
    assert by_key["ga.inc"].asset_outputs == {}
    assert by_key["ga.inc_2"].asset_outputs == {"result": dg.AssetKey("ga")}
    assert plan.node_outputs == {("ga", "result"): ("ga.inc_2", "result")}
