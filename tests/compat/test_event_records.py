"""What a stored event record gives users: ``fetch_materializations`` / ``fetch_observations``
records and their accessors (``asset_materialization``, ``asset_observation``, ``asset_key``,
``partition_key``, ``timestamp``, ``storage_id``, ``run_id``)."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

PARTS = dg.StaticPartitionsDefinition(["a", "b"])


@dg.asset(partitions_def=PARTS)
def observed_part(context):
    context.log_event(dg.AssetObservation(asset_key="watched", metadata={"n": 1},
                                          partition=context.partition_key))
    return 1


@pytest.fixture
def ran():
    with dg.instance_for_test() as instance:
        result = dg.materialize([observed_part], instance=instance, partition_key="a")
        yield instance, result


def test_a_materialization_record(ran):
    instance, result = ran
    [record] = instance.fetch_materializations(dg.AssetKey("observed_part"), limit=10).records
    assert record.asset_key == dg.AssetKey("observed_part")
    assert record.partition_key == "a"
    assert record.run_id == result.run_id
    assert isinstance(record.storage_id, int)
    assert isinstance(record.timestamp, float)
    mat = record.asset_materialization
    assert isinstance(mat, dg.AssetMaterialization)
    assert mat.asset_key == dg.AssetKey("observed_part") and mat.partition == "a"
    assert record.asset_observation is None
    assert record.event_log_entry.asset_materialization == mat
    assert record.event_log_entry.run_id == result.run_id


def test_an_observation_record(ran):
    instance, result = ran
    [record] = instance.fetch_observations(dg.AssetKey("watched"), limit=10).records
    assert record.asset_key == dg.AssetKey("watched")
    assert record.partition_key == "a"
    assert record.run_id == result.run_id
    obs = record.asset_observation
    assert isinstance(obs, dg.AssetObservation)
    assert obs.asset_key == dg.AssetKey("watched")
    assert obs.partition == "a"
    assert obs.metadata["n"].value == 1
    assert record.asset_materialization is None
    assert record.event_log_entry.asset_observation is not None
    assert record.event_log_entry.asset_materialization is None


def test_records_are_ordered_by_storage_id(ran):
    instance, _ = ran
    [obs] = instance.fetch_observations(dg.AssetKey("watched"), limit=10).records
    [mat] = instance.fetch_materializations(dg.AssetKey("observed_part"), limit=10).records
    assert obs.storage_id < mat.storage_id  # logged before the asset's output was stored
    assert obs.timestamp <= mat.timestamp
