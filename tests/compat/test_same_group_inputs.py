"""A one-part upstream key that no asset has (``def downstream(upstream)`` under a
``key_prefix``) binds to the one asset of the downstream asset's group that ends in that name."""

import importlib
import os
import types

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


def _up(prefix, group, name="upstream"):
    @dg.asset(key_prefix=prefix, group_name=group, name=name)
    def _asset():
        return 1

    return _asset


def _down(prefix, group):
    @dg.asset(key_prefix=prefix, group_name=group, name="downstream")
    def _asset(upstream):
        return upstream + 1

    return _asset


def _parents(assets, key):
    graph = dg.Definitions(assets=assets).resolve_asset_graph()
    return sorted(k.to_user_string() for k in graph.get(dg.AssetKey(key)).parent_keys)


def test_input_binds_to_the_same_group_asset_and_loads_it():
    up, down = _up(["raw"], "g"), _down(["bronze"], "g")
    assert _parents([up, down], ["bronze", "downstream"]) == ["raw/upstream"]
    result = dg.materialize([up, down])
    assert result.success
    assert result.output_for_node("bronze__downstream") == 2
    # the definition itself keeps the key it was given
    assert down.keys_by_input_name == {"upstream": dg.AssetKey("upstream")}


@pytest.mark.parametrize(("up_prefix", "down_prefix", "group"), [
    (["a", "b"], ["bronze"], "g"),  # a longer prefix
    (["raw"], None, "g"),  # the downstream asset has no prefix
    (["raw"], ["bronze"], None),  # both in the default group
])
def test_prefixes_and_default_group(up_prefix, down_prefix, group):
    key = [*(down_prefix or []), "downstream"]
    assert _parents([_up(up_prefix, group), _down(down_prefix, group)], key) == [
        "/".join([*up_prefix, "upstream"])]


def test_only_same_group_candidates_count():
    assets = [_up(["raw"], "g"), _up(["other"], "h"), _down(["bronze"], "g")]
    assert _parents(assets, ["bronze", "downstream"]) == ["raw/upstream"]


@pytest.mark.parametrize("assets", [
    lambda: [_up(["raw"], "g1"), _down(["bronze"], "g2")],  # another group
    lambda: [_up(["bronze"], "h"), _down(["bronze"], "g")],  # same prefix, another group
    lambda: [_up(["raw"], "g"), _up(["other"], "g"), _down(["bronze"], "g")],  # ambiguous
    lambda: [_up(["raw"], "g"), _down(["bronze"], None)],  # the downstream is in default
], ids=["other-group", "same-prefix-other-group", "ambiguous", "default-vs-named"])
def test_unresolved_input_is_refused_when_the_graph_is_resolved(assets):
    defs = dg.Definitions(assets=assets())  # accepted until the asset graph is resolved
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="upstream"):
        defs.resolve_asset_graph()


def test_an_existing_key_wins():
    assets = [_up(["raw"], "g"), _up(None, "h"), _down(["bronze"], "g")]
    assert _parents(assets, ["bronze", "downstream"]) == ["upstream"]


def test_deps_asset_in_multi_asset_and_graph_asset_resolve_too():
    @dg.asset(key_prefix=["bronze"], group_name="g", deps=["upstream"])
    def by_deps():
        return 1

    @dg.asset(key_prefix=["bronze"], group_name="g", ins={"x": dg.AssetIn(key="upstream")})
    def by_asset_in(x):
        return x

    @dg.multi_asset(outs={"m1": dg.AssetOut(key_prefix=["bronze"])}, group_name="g")
    def multi(upstream):
        return upstream

    @dg.op
    def ident(x):
        return x

    @dg.graph_asset(key_prefix=["bronze"], group_name="g")
    def by_graph(upstream):
        return ident(upstream)

    assets = [_up(["raw"], "g"), by_deps, by_asset_in, multi, by_graph]
    for key in (["bronze", "by_deps"], ["bronze", "by_asset_in"], ["bronze", "m1"],
                ["bronze", "by_graph"]):
        assert _parents(assets, key) == ["raw/upstream"], key


def test_deps_of_another_group_stay_external():
    @dg.asset(key_prefix=["bronze"], group_name="h", deps=["upstream"])
    def by_deps():
        return 1

    assert _parents([_up(["raw"], "g"), by_deps], ["bronze", "by_deps"]) == ["upstream"]


def test_multi_part_keys_are_not_resolved():
    @dg.asset(key_prefix=["bronze"], group_name="g", ins={"x": dg.AssetIn(key=["x", "upstream"])})
    def two_part(x):
        return x

    defs = dg.Definitions(assets=[_up(["raw", "x"], "g"), two_part])
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        defs.resolve_asset_graph()


def test_assets_loaded_from_modules_with_a_key_prefix():
    mod = types.ModuleType("same_group_mod")
    mod.upstream = _up(None, "g")
    other = types.ModuleType("same_group_other")

    @dg.asset(group_name="g")
    def other_down(upstream):
        return upstream + 1

    other.other_down = other_down
    assets = [*dg.load_assets_from_modules([mod], key_prefix="pre"),
              *dg.load_assets_from_modules([other], key_prefix="other")]
    assert _parents(assets, ["other", "other_down"]) == ["pre/upstream"]
    result = dg.materialize(assets)
    assert result.output_for_node("other_down") == 2
