"""``Definitions.resolve_asset_graph()`` and its nodes: ``AssetGraph.get(key)`` answers what
is declared about one asset and where it sits in the graph."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

letters = dg.StaticPartitionsDefinition(["x", "y"])


@dg.asset(group_name="sales", metadata={"rows": 1}, tags={"team": "core"},
          owners=["ann@example.com"], partitions_def=letters, description="raw orders",
          automation_condition=dg.AutomationCondition.eager(), kinds={"python"},
          code_version="1")
def raw_orders():
    return 1


@dg.asset(partitions_def=letters)
def clean_orders(raw_orders):
    return raw_orders


@dg.asset(deps=[clean_orders])
def report():
    return None


@dg.asset_check(asset=raw_orders)
def raw_orders_ok():
    return dg.AssetCheckResult(passed=True)


DEFS = dg.Definitions(assets=[raw_orders, clean_orders, report, dg.AssetSpec("vendor_feed")],
                      asset_checks=[raw_orders_ok])
K = dg.AssetKey


@pytest.fixture(scope="module")
def graph():
    return DEFS.resolve_asset_graph()


def test_a_node_carries_the_declared_attributes(graph):
    node = graph.get(K("raw_orders"))
    assert node.key == K("raw_orders")
    assert node.group_name == "sales"
    assert node.metadata == {"rows": 1}
    assert node.tags == {"team": "core", "dagster/kind/python": ""}
    assert node.kinds == {"python"}
    assert node.owners == ["ann@example.com"]
    assert node.description == "raw orders"
    assert node.code_version == "1"
    assert node.partitions_def == letters
    assert node.is_partitioned
    assert node.automation_condition is not None
    assert node.check_keys == {dg.AssetCheckKey(K("raw_orders"), "raw_orders_ok")}


def test_a_node_knows_its_neighbours(graph):
    assert graph.get(K("raw_orders")).parent_keys == set()
    assert graph.get(K("raw_orders")).child_keys == {K("clean_orders")}
    assert graph.get(K("clean_orders")).parent_keys == {K("raw_orders")}
    assert graph.get(K("report")).parent_keys == {K("clean_orders")}
    assert graph.get(K("report")).child_keys == set()
    assert {n.key for n in graph.get_parents(graph.get(K("clean_orders")))} == {K("raw_orders")}
    assert {n.key for n in graph.get_children(graph.get(K("raw_orders")))} == {K("clean_orders")}


def test_defaults_of_an_undecorated_asset(graph):
    node = graph.get(K("report"))
    assert node.group_name == "default"
    assert node.metadata == {}
    assert node.tags == {}
    assert node.owners == []
    assert node.automation_condition is None
    assert node.description is None
    assert node.partitions_def is None
    assert not node.is_partitioned
    assert node.check_keys == set()


def test_materializable_and_external_nodes(graph):
    node = graph.get(K("clean_orders"))
    assert (node.is_materializable, node.is_executable, node.is_external,
            node.is_observable) == (True, True, False, False)
    ext = graph.get(K("vendor_feed"))
    assert (ext.is_materializable, ext.is_executable, ext.is_external,
            ext.is_observable) == (False, False, True, False)


def test_a_node_gives_its_definition_and_spec(graph):
    node = graph.get(K("clean_orders"))
    assert node.assets_def.key == K("clean_orders")
    spec = node.to_asset_spec()
    assert spec.key == K("clean_orders")
    assert [d.asset_key for d in spec.deps] == [K("raw_orders")]


def test_get_returns_the_same_node_and_refuses_unknown_keys(graph):
    assert graph.get(K("report")) == graph.get(K("report"))
    assert graph.has(K("report"))
    assert not graph.has(K("nope"))
    with pytest.raises(KeyError):
        graph.get(K("nope"))


def test_graph_wide_key_sets(graph):
    assert graph.materializable_asset_keys == {K("raw_orders"), K("clean_orders"), K("report")}
    assert graph.executable_asset_keys == {K("raw_orders"), K("clean_orders"), K("report")}
    assert graph.external_asset_keys == {K("vendor_feed")}
    assert graph.root_materializable_asset_keys == {K("raw_orders")}
    assert graph.all_group_names == {"sales", "default"}
    assert graph.asset_keys_for_group("sales") == {K("raw_orders")}
    assert graph.asset_check_keys == {dg.AssetCheckKey(K("raw_orders"), "raw_orders_ok")}
    assert graph.assets_def_for_key(K("report")).key == K("report")
    assert {n.key for n in graph.asset_nodes} == graph.get_all_asset_keys()
    order = graph.toposorted_asset_keys
    assert order.index(K("raw_orders")) < order.index(K("clean_orders")) < order.index(K("report"))


def test_the_asset_of_a_check_nothing_defines_is_an_external_node():
    @dg.asset_check(asset="ghost")
    def ghost_ok():
        return dg.AssetCheckResult(passed=True)

    graph = dg.Definitions(asset_checks=[ghost_ok]).resolve_asset_graph()
    assert graph.get_all_asset_keys() == {K("ghost")}
    node = graph.get(K("ghost"))
    assert node.is_external and not node.is_materializable
    assert node.check_keys == {dg.AssetCheckKey(K("ghost"), "ghost_ok")}


def test_a_check_key_gives_its_check_node():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dagster's PreviewWarning for partitions_def
        spec = dg.AssetCheckSpec("fresh", asset="checked", blocking=True, description="is fresh",
                                 partitions_def=letters, additional_deps=["raw_orders"])

    @dg.asset(partitions_def=letters, check_specs=[spec], deps=["raw_orders"])
    def checked():
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])

    graph = dg.Definitions(assets=[raw_orders, checked]).resolve_asset_graph()
    node = graph.get(dg.AssetCheckKey(dg.AssetKey("checked"), "fresh"))
    assert node is graph.get(dg.AssetCheckKey(dg.AssetKey("checked"), "fresh"))
    assert node.key == dg.AssetCheckKey(dg.AssetKey("checked"), "fresh")
    assert node.blocking is True
    assert node.description == "is fresh"
    assert node.partitions_def == letters
    assert node.automation_condition is None
    assert node.parent_entity_keys == {dg.AssetKey("checked"), dg.AssetKey("raw_orders")}
    with pytest.raises(KeyError):
        graph.get(dg.AssetCheckKey(dg.AssetKey("checked"), "nope"))
