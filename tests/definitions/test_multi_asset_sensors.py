"""Multi-asset sensor context: what Headwater says where Dagster has no answer (the compat
suite covers the shared behaviour)."""

import pytest

import headwater as dg

letters = dg.StaticPartitionsDefinition(["x", "y"])


@dg.asset(partitions_def=letters)
def parted():
    return 1


@dg.asset(partitions_def=letters, deps=[parted])
def child():
    return 2


def test_downstream_partition_keys_without_definitions_says_what_to_pass():
    ctx = dg.build_multi_asset_sensor_context(monitored_assets=[dg.AssetKey("parted")],
                                              instance=dg.DagsterInstance.ephemeral())
    with pytest.raises(dg.InvalidInvocationError, match="pass definitions="):
        ctx.get_downstream_partition_keys("x", dg.AssetKey("parted"), dg.AssetKey("child"))


def test_partition_helpers_accept_string_keys():
    inst = dg.DagsterInstance.ephemeral()
    dg.materialize([parted], instance=inst, partition_key="x")
    ctx = dg.build_multi_asset_sensor_context(
        monitored_assets=[dg.AssetKey("parted")], instance=inst,
        definitions=dg.Definitions(assets=[parted, child]))
    assert ctx.get_downstream_partition_keys("y", "parted", "child") == ["y"]
    assert ctx.all_partitions_materialized("parted", ["x"]) is True
    assert ctx.get_cursor_partition("parted") is None
