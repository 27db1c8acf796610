"""BackfillPolicy: its constructors, attributes and validation, and assets carrying one."""

import pytest

import headwater as dg
from headwater.definitions.backfill_policy import BackfillPolicyType
from headwater.definitions.errors import InvalidDefinitionError

DAILY = dg.DailyPartitionsDefinition("2024-01-01")


def test_single_and_multi_run():
    single = dg.BackfillPolicy.single_run()
    assert single.max_partitions_per_run is None
    assert single.policy_type is BackfillPolicyType.SINGLE_RUN
    multi = dg.BackfillPolicy.multi_run(max_partitions_per_run=10)
    assert multi.max_partitions_per_run == 10
    assert multi.policy_type is BackfillPolicyType.MULTI_RUN
    assert dg.BackfillPolicy.multi_run().max_partitions_per_run == 1
    assert dg.BackfillPolicy() == dg.BackfillPolicy.multi_run(1)
    assert dg.BackfillPolicy(None) == single


def test_value_object():
    assert {dg.BackfillPolicy.single_run(), dg.BackfillPolicy.single_run()} == {
        dg.BackfillPolicy.single_run()}
    assert dg.BackfillPolicy.multi_run(2) != dg.BackfillPolicy.multi_run(3)
    assert str(dg.BackfillPolicy.multi_run(2)) == (
        "BackfillPolicy.multi_run(max_partitions_per_run=2)")
    assert repr(dg.BackfillPolicy.single_run()) == "BackfillPolicy(max_partitions_per_run=None)"


@pytest.mark.parametrize("bad", [0, -1, "3", 2.5, True])
def test_bad_max_partitions_per_run(bad):
    with pytest.raises(InvalidDefinitionError, match="max_partitions_per_run"):
        dg.BackfillPolicy.multi_run(bad)


def test_assets_carry_their_policy():
    @dg.asset(partitions_def=DAILY, backfill_policy=dg.BackfillPolicy.single_run())
    def one():
        return 1

    @dg.multi_asset(outs={"x": dg.AssetOut(), "y": dg.AssetOut()}, partitions_def=DAILY,
                    backfill_policy=dg.BackfillPolicy.multi_run(7))
    def two():
        return 1, 2

    assert one.backfill_policy == dg.BackfillPolicy.single_run()
    assert two.backfill_policy.max_partitions_per_run == 7
    assert one.subset_for(one.keys).backfill_policy == one.backfill_policy


def test_a_policy_of_the_wrong_type_is_refused():
    with pytest.raises(InvalidDefinitionError, match="BackfillPolicy.single_run"):
        @dg.asset(partitions_def=DAILY, backfill_policy="single")
        def bad():
            return 1

