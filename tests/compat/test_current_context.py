"""``AssetExecutionContext.get()`` / ``OpExecutionContext.get()``: the running step's context,
for helpers called from an asset or op that take no ``context`` parameter."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


def test_get_outside_a_step_raises():
    with pytest.raises(Exception, match="No current AssetExecutionContext in scope"):
        dg.AssetExecutionContext.get()
    with pytest.raises(Exception, match="No current OpExecutionContext in scope"):
        dg.OpExecutionContext.get()


def test_build_asset_context_does_not_make_a_current_context():
    dg.build_asset_context()
    with pytest.raises(Exception, match="No current AssetExecutionContext in scope"):
        dg.AssetExecutionContext.get()


def test_get_inside_an_asset_is_its_context():
    seen = {}

    @dg.asset(partitions_def=dg.StaticPartitionsDefinition(["p1", "p2"]))
    def part(context):
        seen["same"] = dg.AssetExecutionContext.get() is context
        seen["key"] = dg.AssetExecutionContext.get().partition_key
        seen["asset"] = dg.OpExecutionContext.get().asset_key
        return 1

    dg.materialize([part], partition_key="p2")
    assert seen == {"same": True, "key": "p2", "asset": dg.AssetKey("part")}
    with pytest.raises(Exception, match="No current AssetExecutionContext in scope"):
        dg.AssetExecutionContext.get()


def test_get_inside_a_generator_op():
    seen = []

    @dg.op
    def gen():
        seen.append(dg.OpExecutionContext.get().op_def.name)
        yield dg.Output(1)

    @dg.job
    def job():
        gen()

    assert job.execute_in_process().success
    assert seen == ["gen"]
