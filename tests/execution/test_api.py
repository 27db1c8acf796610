"""``Definitions.load_asset_value``: read back what an earlier run stored, outside any run."""

from __future__ import annotations

import pytest

import headwater as dg


@dg.asset
def numbers():
    return [1, 2, 3]


@dg.asset
def total(numbers):
    return sum(numbers)


def test_load_asset_value_from_an_earlier_run(home):
    with dg.Instance.local(home) as instance:
        assert dg.materialize([numbers, total], instance=instance).success
    # a new instance object and a new Definitions: only storage connects them
    defs = dg.Definitions(assets=[numbers, total])
    with dg.Instance.local(home) as instance:
        assert defs.load_asset_value("total", instance=instance) == 6
        assert defs.load_asset_value(dg.AssetKey("numbers"), instance=instance) == [1, 2, 3]


def test_load_asset_value_defaults_to_the_home_instance(home):
    with dg.Instance.get() as instance:
        dg.materialize([numbers, total], instance=instance)
    assert dg.Definitions(assets=[numbers, total]).load_asset_value("total") == 6


def test_load_asset_value_sees_the_latest_run(home):
    counter = iter(range(10))

    @dg.asset
    def ticking():
        return next(counter)

    with dg.Instance.get() as instance:
        dg.materialize([ticking], instance=instance)
        dg.materialize([ticking], instance=instance)
        assert dg.Definitions(assets=[ticking]).load_asset_value(
            "ticking", instance=instance) == 1


def test_load_asset_value_uses_the_assets_io_manager(home):
    class Fixed(dg.IOManager):
        def handle_output(self, context, obj):
            raise AssertionError("not called when loading")

        def load_input(self, context):
            return f"loaded {context.asset_key.to_user_string()}"

    @dg.asset(io_manager_key="special")
    def special_asset():
        return 1

    defs = dg.Definitions(assets=[special_asset], resources={"special": Fixed()})
    assert defs.load_asset_value("special_asset") == "loaded special_asset"


def test_load_asset_value_before_any_run_names_the_asset(home):
    with dg.Instance.get() as instance, pytest.raises(FileNotFoundError) as info:
        dg.Definitions(assets=[numbers]).load_asset_value("numbers", instance=instance)
    assert "'numbers'" in str(info.value) and "materialize it first" in str(info.value)
