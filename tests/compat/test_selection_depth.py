"""Depth in the selection string syntax, on a chain a -> b -> c -> d -> e: ``N+key:c`` is c and
N layers upstream, ``key:c+N`` N layers downstream; a bare ``+`` around an attribute or a
parenthesised selection is every layer; around a bare key (Dagster's older syntax: ``+c+``,
``++c``) each ``+`` is one layer."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.asset
def a():
    return 1


@dg.asset
def b(a):
    return a + 1


@dg.asset
def c(b):
    return b + 1


@dg.asset
def d(c):
    return c + 1


@dg.asset
def e(d):
    return d + 1


CHAIN = [a, b, c, d, e]


def resolved(text):
    graph = dg.Definitions(assets=CHAIN).resolve_asset_graph()
    return sorted(k.to_user_string() for k in dg.AssetSelection.from_string(text).resolve(graph))


@pytest.mark.parametrize("text, expected", [
    ("1+key:c", ["b", "c"]),
    ("2+key:c", ["a", "b", "c"]),
    ("key:c+1", ["c", "d"]),
    ("2+key:c+1", ["a", "b", "c", "d"]),
    ("1+ key:c", ["b", "c"]),
    ("2 +key:c", ["a", "b", "c"]),
    ("key:c +1", ["c", "d"]),
    ('key:"c"+1', ["c", "d"]),
    ("1+(key:c or key:e)", ["b", "c", "d", "e"]),
    ("(key:c)+1", ["c", "d"]),
    ("1+key:c or key:e", ["b", "c", "e"]),
    ("not 1+key:c", ["a", "d", "e"]),
    ("1+key:c+1 and not key:c", ["b", "d"]),
    ("sinks(1+key:c)", ["c"]),
])
def test_depth_limited_layers(text, expected):
    assert resolved(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("+key:c", ["a", "b", "c"]),
    ("key:c+", ["c", "d", "e"]),
    ("+key:c+", ["a", "b", "c", "d", "e"]),
    ("+(key:c)", ["a", "b", "c"]),
    ("(key:c)+", ["c", "d", "e"]),
    ("roots(+key:c)", ["a"]),
    ("key:b+ and +key:d", ["b", "c", "d"]),  # the path between two assets
])
def test_a_bare_plus_around_an_attribute_is_every_layer(text, expected):
    assert resolved(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("+c", ["b", "c"]),
    ("c+", ["c", "d"]),
    ("+c+", ["b", "c", "d"]),
    ("++c", ["a", "b", "c"]),
    ("c++", ["c", "d", "e"]),
    ("*c", ["a", "b", "c"]),
    ("c*", ["c", "d", "e"]),
    ("*c+", ["a", "b", "c", "d"]),
])
def test_older_syntax_one_layer_per_plus(text, expected):
    assert resolved(text) == expected


# the same chain by deps (nothing to load): a run of part of it needs no earlier run
@dg.asset(key="dep_a")
def dep_a():
    return None


@dg.asset(key="dep_b", deps=[dep_a])
def dep_b():
    return None


@dg.asset(key="dep_c", deps=[dep_b])
def dep_c():
    return None


@dg.asset(key="dep_d", deps=[dep_c])
def dep_d():
    return None


DEPS_CHAIN = [dep_a, dep_b, dep_c, dep_d]


def materialized_keys(result):
    return sorted(ev.asset_key.to_user_string() for ev in result.get_asset_materialization_events())


def test_an_asset_job_with_a_depth_limited_selection():
    job = dg.define_asset_job("parents_of_c", selection="1+key:dep_c")
    defs = dg.Definitions(assets=DEPS_CHAIN, jobs=[job])
    result = defs.resolve_job_def("parents_of_c").execute_in_process()
    assert result.success
    assert materialized_keys(result) == ["dep_b", "dep_c"]


def test_materialize_with_a_depth_limited_selection():
    assert materialized_keys(dg.materialize(DEPS_CHAIN, selection="key:dep_b+1")) == [
        "dep_b", "dep_c"]
    assert materialized_keys(dg.materialize(DEPS_CHAIN, selection="+key:dep_c")) == [
        "dep_a", "dep_b", "dep_c"]
