"""Partition subsets as values, and partition mappings asked through them
(``get_downstream_partitions_for_partitions``,
``get_upstream_mapped_partitions_result_for_partitions``), as custom sensors and mapping tests
use them."""

import importlib
import os

import pytest

IMPL = os.environ.get("DG_IMPL", "headwater")
dg = importlib.import_module(IMPL)

# Dagster marks some of these mappings beta; the filter line projects write must resolve
pytestmark = pytest.mark.filterwarnings(f"ignore::{IMPL}.BetaWarning")

PARTS = dg.StaticPartitionsDefinition(["a", "b", "c"])
DAILY = dg.DailyPartitionsDefinition("2024-01-01", end_date="2024-01-06")


def keys(subset):
    return sorted(subset.get_partition_keys())


def test_empty_subset_and_with_partition_keys():
    empty = PARTS.empty_subset()
    assert len(empty) == 0 and empty.is_empty
    subset = empty.with_partition_keys(["b", "a"])
    assert keys(subset) == ["a", "b"] and len(subset) == 2
    assert "a" in subset and "c" not in subset
    assert subset[0] == {"a", "b"}  # Dagster's DefaultPartitionsSubset is a NamedTuple of the set
    assert len(empty) == 0  # subsets are values
    assert subset == PARTS.subset_with_partition_keys(["a", "b"])
    assert keys(subset.with_partition_keys(["c"])) == ["a", "b", "c"]


def test_subset_set_operations_and_ranges():
    ab = PARTS.subset_with_partition_keys(["a", "b"])
    c = PARTS.subset_with_partition_keys(["c"])
    a = PARTS.subset_with_partition_keys(["a"])
    assert keys(ab | c) == ["a", "b", "c"]
    assert keys(ab & a) == ["a"]
    assert keys(ab - a) == ["b"]
    assert ab.get_partition_key_ranges(PARTS) == [dg.PartitionKeyRange("a", "b")]
    assert sorted(ab.get_partition_keys_not_in_subset(PARTS)) == ["c"]
    assert keys(PARTS.empty_subset().with_partition_key_range(
        PARTS, dg.PartitionKeyRange("b", "c"))) == ["b", "c"]


def test_time_window_subset_is_in_time_order():
    subset = DAILY.empty_subset().with_partition_keys(["2024-01-03", "2024-01-02"])
    assert list(subset.get_partition_keys()) == ["2024-01-02", "2024-01-03"]
    assert len(subset) == 2 and "2024-01-02" in subset and "2024-01-04" not in subset
    assert subset == DAILY.subset_with_partition_keys(["2024-01-02", "2024-01-03"])
    assert len(DAILY.empty_subset()) == 0


def test_multi_subset_keeps_multi_partition_keys():
    multi = dg.MultiPartitionsDefinition({"d": PARTS, "e": dg.StaticPartitionsDefinition(["x"])})
    key = dg.MultiPartitionKey({"d": "a", "e": "x"})
    subset = multi.empty_subset().with_partition_keys([key])
    (only,) = subset.get_partition_keys()
    assert isinstance(only, dg.MultiPartitionKey) and only.keys_by_dimension == {"d": "a", "e": "x"}


def test_identity_and_static_mappings_downstream():
    subset = PARTS.subset_with_partition_keys(["a"])
    down = dg.IdentityPartitionMapping().get_downstream_partitions_for_partitions(
        upstream_partitions_subset=subset, upstream_partitions_def=PARTS,
        downstream_partitions_def=PARTS)
    assert type(down).__name__ == "DefaultPartitionsSubset" and keys(down) == ["a"]
    mapping = dg.StaticPartitionMapping({"a": "x", "b": "y"})
    xy = dg.StaticPartitionsDefinition(["x", "y"])
    assert keys(mapping.get_downstream_partitions_for_partitions(subset, PARTS, xy)) == ["x"]


@pytest.mark.parametrize("mapping, from_a, from_c, upstream", [
    (dg.AllPartitionMapping(), ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"]),
    (dg.LastPartitionMapping(), [], ["a", "b", "c"], ["c"]),
    (dg.SpecificPartitionsPartitionMapping(["b"]), [], [], ["b"]),
    (dg.IdentityPartitionMapping(), ["a"], ["c"], ["a"]),
])
def test_mappings_through_subsets(mapping, from_a, from_c, upstream):
    a = PARTS.subset_with_partition_keys(["a"])
    assert keys(mapping.get_downstream_partitions_for_partitions(a, PARTS, PARTS)) == from_a
    c = PARTS.subset_with_partition_keys(["c"])
    assert keys(mapping.get_downstream_partitions_for_partitions(c, PARTS, PARTS)) == from_c
    result = mapping.get_upstream_mapped_partitions_result_for_partitions(a, PARTS, PARTS)
    assert keys(result.partitions_subset) == upstream
    assert result.required_but_nonexistent_partition_keys == []


def test_upstream_result_of_an_unpartitioned_downstream():
    result = dg.AllPartitionMapping().get_upstream_mapped_partitions_result_for_partitions(
        None, None, PARTS)
    assert keys(result.partitions_subset) == ["a", "b", "c"]
    last = dg.LastPartitionMapping().get_upstream_mapped_partitions_result_for_partitions(
        None, None, DAILY)
    assert list(last.partitions_subset.get_partition_keys()) == ["2024-01-05"]


def test_required_but_nonexistent_upstream_partitions():
    up = dg.StaticPartitionsDefinition(["a", "b"])
    down = dg.StaticPartitionsDefinition(["a", "z"])
    result = dg.IdentityPartitionMapping().get_upstream_mapped_partitions_result_for_partitions(
        down.subset_with_partition_keys(["a", "z"]), down, up)
    assert keys(result.partitions_subset) == ["a"]
    assert result.required_but_nonexistent_partition_keys == ["z"]
    assert keys(result.required_but_nonexistent_subset) == ["z"]


def test_time_window_mapping_through_subsets():
    subset = DAILY.subset_with_partition_keys(["2024-01-01", "2024-01-03"])
    previous = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    result = previous.get_upstream_mapped_partitions_result_for_partitions(subset, DAILY, DAILY)
    assert list(result.partitions_subset.get_partition_keys()) == ["2024-01-02"]
    assert result.required_but_nonexistent_partition_keys == []  # shifted: the outside is dropped
    down = previous.get_downstream_partitions_for_partitions(subset, DAILY, DAILY)
    assert list(down.get_partition_keys()) == ["2024-01-02", "2024-01-04"]

    later = dg.DailyPartitionsDefinition("2024-01-03", end_date="2024-01-05")
    wanted = DAILY.subset_with_partition_keys(["2024-01-01", "2024-01-04", "2024-01-05"])
    strict = dg.TimeWindowPartitionMapping().get_upstream_mapped_partitions_result_for_partitions(
        wanted, DAILY, later)
    assert list(strict.partitions_subset.get_partition_keys()) == ["2024-01-04"]
    assert sorted(strict.required_but_nonexistent_partition_keys) == ["2024-01-01", "2024-01-05"]
    lenient = dg.TimeWindowPartitionMapping(allow_nonexistent_upstream_partitions=True)
    result = lenient.get_upstream_mapped_partitions_result_for_partitions(wanted, DAILY, later)
    assert (list(result.partitions_subset.get_partition_keys()),
            result.required_but_nonexistent_partition_keys) == (["2024-01-04"], [])


def test_multi_to_single_dimension_mapping_through_subsets():
    multi = dg.MultiPartitionsDefinition({"d": DAILY, "s": PARTS})
    mapping = dg.MultiToSingleDimensionPartitionMapping("s")
    down = mapping.get_downstream_partitions_for_partitions(
        PARTS.subset_with_partition_keys(["a"]), PARTS, multi)
    assert len(down) == 5
    assert sorted(str(k) for k in down.get_partition_keys())[:2] == ["2024-01-01|a", "2024-01-02|a"]
    up = mapping.get_upstream_mapped_partitions_result_for_partitions(
        multi.subset_with_partition_keys(["2024-01-01|b", "2024-01-02|a"]), multi, PARTS)
    assert keys(up.partitions_subset) == ["a", "b"]
