import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.asset(group_name="raw", tags={"tier": "bronze"}, kinds={"python"})
def r1():
    return 1


@dg.asset(group_name="raw", key_prefix="src")
def r2():
    return 2


@dg.asset(group_name="mart", ins={"r2": dg.AssetIn(["src", "r2"])})
def m1(r1, r2):
    return r1 + r2


@dg.asset(group_name="mart")
def m2(m1):
    return m1 + 1


ASSETS = [r1, r2, m1, m2]


def res(selection):
    return sorted(k.to_user_string() for k in selection.resolve(ASSETS))


def mat(selection):
    result = dg.materialize(ASSETS, selection=selection)
    return sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events())


def test_all():
    assert res(dg.AssetSelection.all()) == ["m1", "m2", "r1", "src/r2"]


def test_assets_accepts_defs_strings_and_lists():
    assert res(dg.AssetSelection.assets(r1, "m1", ["src", "r2"])) == ["m1", "r1", "src/r2"]
    assert res(dg.AssetSelection.assets(dg.AssetKey("m2"))) == ["m2"]


def test_groups():
    assert res(dg.AssetSelection.groups("raw")) == ["r1", "src/r2"]
    assert res(dg.AssetSelection.groups("raw", "mart")) == ["m1", "m2", "r1", "src/r2"]


def test_key_prefixes():
    assert res(dg.AssetSelection.key_prefixes("src")) == ["src/r2"]


def test_tag():
    assert res(dg.AssetSelection.tag("tier", "bronze")) == ["r1"]


def test_upstream_and_depth():
    assert res(dg.AssetSelection.assets(m2).upstream()) == ["m1", "m2", "r1", "src/r2"]
    assert res(dg.AssetSelection.assets(m2).upstream(depth=1)) == ["m1", "m2"]


def test_downstream_and_include_self():
    assert res(dg.AssetSelection.assets(r1).downstream()) == ["m1", "m2", "r1"]
    assert res(dg.AssetSelection.assets(r1).downstream(include_self=False)) == ["m1", "m2"]


def test_set_operators():
    assert res(dg.AssetSelection.assets(r1) | dg.AssetSelection.assets(m2)) == ["m2", "r1"]
    assert res(dg.AssetSelection.groups("mart") & dg.AssetSelection.assets(m2)) == ["m2"]
    assert res(dg.AssetSelection.all() - dg.AssetSelection.groups("raw")) == ["m1", "m2"]


def test_roots_and_sinks():
    assert res(dg.AssetSelection.all().roots()) == ["r1", "src/r2"]
    assert res(dg.AssetSelection.all().sinks()) == ["m2"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("group:raw", ["r1", "src/r2"]),
        ("kind:python", ["r1"]),
        ("key:src/r2", ["src/r2"]),
        ("+key:m1", ["m1", "r1", "src/r2"]),
        ("key:m1+", ["m1", "m2"]),
        ("key:r1 or key:m2", ["m2", "r1"]),
        ("group:mart and key:m2", ["m2"]),
        ("tag:tier=bronze", ["r1"]),
        ("key:r*", ["r1"]),
    ],
)
def test_from_string(text, expected):
    assert res(dg.AssetSelection.from_string(text)) == expected


def test_unknown_key_in_selection():
    with pytest.raises(dg.DagsterInvalidSubsetError, match="nope"):
        dg.AssetSelection.assets("nope").resolve(ASSETS)


def test_materialize_group_string_selection():
    assert mat("group:raw") == ["r1", "src/r2"]


def test_materialize_selection_object():
    assert mat(dg.AssetSelection.groups("raw") | dg.AssetSelection.assets(m1)) == [
        "m1",
        "r1",
        "src/r2",
    ]


def test_materialize_upstream_closure():
    assert mat(dg.AssetSelection.assets(m2).upstream()) == ["m1", "m2", "r1", "src/r2"]


def test_define_asset_job_with_selection_object():
    job = dg.define_asset_job("raw_job", selection=dg.AssetSelection.groups("raw"))
    defs = dg.Definitions(assets=ASSETS, jobs=[job])
    result = defs.resolve_job_def("raw_job").execute_in_process()
    assert sorted(
        e.asset_key.to_user_string() for e in result.get_asset_materialization_events()
    ) == [
        "r1",
        "src/r2",
    ]


def test_checks_selection():
    @dg.asset_check(asset=r1)
    def r1_check():
        return dg.AssetCheckResult(passed=True)

    result = dg.materialize([r1, r1_check], selection=dg.AssetSelection.checks_for_assets(r1))
    assert [e.check_name for e in result.get_asset_check_evaluations()] == ["r1_check"]
    assert result.get_asset_materialization_events() == []
