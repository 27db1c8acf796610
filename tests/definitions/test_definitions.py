"""``Definitions.validate``: a missing resource names the asset (or check) and the key."""

from __future__ import annotations

import pytest

import headwater as dg


class Warehouse(dg.ConfigurableResource):
    url: str = "sqlite://"


def test_missing_typed_resource_names_asset_and_key():
    @dg.asset
    def needs_warehouse(warehouse: Warehouse):
        return warehouse.url

    with pytest.raises(dg.InvalidDefinitionError) as info:
        dg.Definitions(assets=[needs_warehouse]).validate()
    text = str(info.value)
    assert "needs_warehouse" in text and "'warehouse'" in text
    assert "Definitions(resources=" in text  # says how to fix it


def test_missing_required_resource_key_names_asset_and_key():
    @dg.asset(required_resource_keys={"db"})
    def needs_db(context):
        return 1

    with pytest.raises(dg.InvalidDefinitionError) as info:
        dg.Definitions(assets=[needs_db], resources={"other": Warehouse()}).validate()
    text = str(info.value)
    assert "needs_db" in text and "'db'" in text
    assert "'other'" in text  # lists what is provided


def test_missing_io_manager_key_names_asset_and_key():
    @dg.asset(io_manager_key="lake_io")
    def stored_in_lake():
        return 1

    with pytest.raises(dg.InvalidDefinitionError) as info:
        dg.Definitions(assets=[stored_in_lake]).validate()
    assert "stored_in_lake" in str(info.value) and "'lake_io'" in str(info.value)


def test_missing_resource_of_a_check_names_the_check_and_key():
    @dg.asset
    def table():
        return 1

    @dg.asset_check(asset=table, required_resource_keys={"db"})
    def table_not_empty(context):
        return dg.AssetCheckResult(passed=True)

    with pytest.raises(dg.InvalidDefinitionError) as info:
        dg.Definitions(assets=[table], asset_checks=[table_not_empty]).validate()
    assert "table_not_empty" in str(info.value) and "'db'" in str(info.value)


def test_asset_level_resource_defs_satisfy_validation():
    @dg.asset(resource_defs={"warehouse": Warehouse()})
    def self_contained(warehouse: Warehouse):
        return warehouse.url

    dg.Definitions(assets=[self_contained]).validate()


def test_default_io_manager_needs_no_resource():
    @dg.asset
    def plain():
        return 1

    dg.Definitions(assets=[plain]).validate()
