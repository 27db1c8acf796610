"""Dynamic partition keys in the instance (Dagster's instance methods and behaviour)."""

from __future__ import annotations

import pytest

from headwater.definitions.errors import InvalidInvocationError
from headwater.definitions.partitions import DynamicPartitionsDefinition
from headwater.definitions.run_request import (
    AddDynamicPartitionsRequest,
    DeleteDynamicPartitionsRequest,
)


def test_add_get_has_delete(instance):
    assert instance.get_dynamic_partitions("fruits") == []
    assert instance.add_dynamic_partitions("fruits", ["apple", "pear"]) is None
    assert instance.get_dynamic_partitions("fruits") == ["apple", "pear"]
    assert instance.has_dynamic_partition("fruits", "apple")
    assert not instance.has_dynamic_partition("fruits", "kiwi")
    assert not instance.has_dynamic_partition("veg", "apple")
    instance.delete_dynamic_partition("fruits", "apple")
    assert instance.get_dynamic_partitions("fruits") == ["pear"]
    assert not instance.has_dynamic_partition("fruits", "apple")


def test_add_is_idempotent_and_keeps_insertion_order(instance):
    instance.add_dynamic_partitions("fruits", ["b", "a"])
    instance.add_dynamic_partitions("fruits", ["c", "a", "d", "c"])
    assert instance.get_dynamic_partitions("fruits") == ["b", "a", "c", "d"]
    instance.add_dynamic_partitions("fruits", [])
    # a deleted key added again goes to the end, as in Dagster
    instance.delete_dynamic_partition("fruits", "b")
    instance.add_dynamic_partitions("fruits", ["b"])
    assert instance.get_dynamic_partitions("fruits") == ["a", "c", "d", "b"]


def test_definitions_are_separate(instance):
    instance.add_dynamic_partitions("fruits", ["apple"])
    instance.add_dynamic_partitions("shops", ["apple", "north"])
    instance.delete_dynamic_partition("shops", "apple")
    assert instance.get_dynamic_partitions("fruits") == ["apple"]
    assert instance.get_dynamic_partitions("shops") == ["north"]


def test_deleting_a_missing_key_does_nothing(instance):
    instance.add_dynamic_partitions("fruits", ["apple"])
    instance.delete_dynamic_partition("fruits", "kiwi")
    instance.delete_dynamic_partition("unknown", "kiwi")
    assert instance.get_dynamic_partitions("fruits") == ["apple"]


def test_definition_reads_keys_from_the_instance(instance):
    fruits = DynamicPartitionsDefinition(name="fruits")
    instance.add_dynamic_partitions("fruits", ["apple", "pear"])
    assert fruits.get_partition_keys(dynamic_partitions_store=instance) == ["apple", "pear"]


@pytest.mark.parametrize("keys, shown", [
    ([""], "''"), ([None], "None"), ([3], "3"), (["ok", ""], "''")])
def test_invalid_keys_are_refused_and_nothing_is_added(instance, keys, shown):
    with pytest.raises(InvalidInvocationError, match=rf"Invalid partition key {shown} for "
                       r"dynamic partitions 'fruits'.*non-empty string"):
        instance.add_dynamic_partitions("fruits", keys)
    assert instance.get_dynamic_partitions("fruits") == []


def test_a_bare_string_is_refused(instance):
    with pytest.raises(InvalidInvocationError, match=r"must be a list of strings.*\['apple'\]"):
        instance.add_dynamic_partitions("fruits", "apple")


def test_definition_name_must_be_a_string(instance):
    with pytest.raises(InvalidInvocationError, match="name of their DynamicPartitionsDefinition"):
        instance.add_dynamic_partitions(None, ["apple"])
    with pytest.raises(InvalidInvocationError, match="name of their DynamicPartitionsDefinition"):
        instance.get_dynamic_partitions("")


def test_many_keys_in_one_call(instance):
    keys = [f"k{i:05d}" for i in range(5000)]
    instance.add_dynamic_partitions("big", keys)
    assert instance.get_dynamic_partitions("big") == keys


def test_apply_requests_in_order(instance):
    instance.apply_dynamic_partitions_requests([
        AddDynamicPartitionsRequest("fruits", ["apple", "pear", "kiwi"]),
        DeleteDynamicPartitionsRequest("fruits", ["pear", "plum"]),
        AddDynamicPartitionsRequest("shops", ["north"]),
    ])
    assert instance.get_dynamic_partitions("fruits") == ["apple", "kiwi"]
    assert instance.get_dynamic_partitions("shops") == ["north"]


def test_apply_requests_is_all_or_nothing(instance):
    with pytest.raises(InvalidInvocationError, match="Invalid partition key ''"):
        instance.apply_dynamic_partitions_requests([
            AddDynamicPartitionsRequest("fruits", ["apple"]),
            AddDynamicPartitionsRequest("fruits", [""]),
        ])
    with pytest.raises(InvalidInvocationError, match="AddDynamicPartitionsRequest or"):
        instance.apply_dynamic_partitions_requests([
            AddDynamicPartitionsRequest("fruits", ["apple"]), "apple"])
    assert instance.get_dynamic_partitions("fruits") == []
