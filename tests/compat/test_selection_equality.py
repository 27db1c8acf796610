"""Asset selections compare by value, and an asset job's ``selection`` is an ``AssetSelection``
(Dagster: ``define_asset_job(selection=[a, b]).selection == AssetSelection.assets(a, b)``)."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.asset
def a():
    return 1


@dg.asset
def b(a):
    return a


def test_a_job_selected_by_its_assets_has_that_keys_selection():
    job = dg.define_asset_job("by_assets", selection=[a, b])
    assert isinstance(job.selection, dg.AssetSelection)
    assert job.selection == dg.AssetSelection.assets(a, b)
    assert job.selection != dg.AssetSelection.assets(b, a)  # the order is part of the value


def test_other_ways_of_naming_a_job_selection():
    assert dg.define_asset_job("one", selection="a").selection == dg.AssetSelection.assets("a")
    assert (dg.define_asset_job("key", selection=[dg.AssetKey("a")]).selection
            == dg.AssetSelection.assets(a))
    assert (dg.define_asset_job("group", selection=dg.AssetSelection.groups("default")).selection
            == dg.AssetSelection.groups("default"))
    assert dg.define_asset_job("all").selection == dg.AssetSelection.all()


def test_selections_compare_by_value():
    assert dg.AssetSelection.groups("x") == dg.AssetSelection.groups("x")
    assert dg.AssetSelection.groups("x") != dg.AssetSelection.groups("y")
    assert dg.AssetSelection.groups("x", "y") != dg.AssetSelection.groups("y", "x")
    up = dg.AssetSelection.assets("a").upstream()
    assert up == dg.AssetSelection.assets("a").upstream()
    assert dg.AssetSelection.from_string("a") == dg.AssetSelection.assets("a")
    assert (dg.AssetSelection.assets("a") | dg.AssetSelection.groups("g")
            == dg.AssetSelection.assets("a") | dg.AssetSelection.groups("g"))


def test_selections_are_not_hashable():
    with pytest.raises(TypeError):
        hash(dg.AssetSelection.assets("a"))


def test_a_job_selected_by_value_still_runs():
    job = dg.define_asset_job("runs", selection=[a, b])
    defs = dg.Definitions(assets=[a, b], jobs=[job])
    assert defs.get_job_def("runs").execute_in_process().success
