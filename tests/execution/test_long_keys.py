"""Any valid asset key works: a key part over the file-name limit (255 bytes) or a key deeper
than a reasonable path gets stored values and compute logs under names that fit, are unique,
and are found again by the same key."""

from __future__ import annotations

from pathlib import Path

import pytest

import headwater as dg
from headwater.execution.compute_logs import ComputeLogManager, read_compute_log

LONG = "x" * 300
DEEP = [f"part{i:02d}_" + "y" * 55 for i in range(30)]  # 1.8 KB of path


def _names_fit(home: Path, storage: str) -> None:
    for path in home.rglob("*"):
        assert len(path.name.encode()) <= 255, path
    for path in Path(storage).rglob("*"):
        assert len(str(path.relative_to(storage)).encode()) <= 1024, path


@pytest.mark.parametrize("key", [["deep", LONG], DEEP, [LONG, LONG, "z"]],
                         ids=["long-part", "deep", "two-long-parts"])
def test_a_long_key_materializes_logs_and_loads(instance, home, key):
    @dg.asset(key=key)
    def producer() -> int:
        print("producer prints")
        return 41

    @dg.asset(ins={"value": dg.AssetIn(key)})
    def consumer(value: int) -> int:
        return value + 1

    result = dg.materialize([producer, consumer], instance=instance)
    assert result.success
    assert result.output_for_node("consumer") == 42
    step = dg.AssetKey(key).to_python_identifier()
    assert read_compute_log(instance, result.run_id, step) == "producer prints\n"
    assert ComputeLogManager.for_instance(instance).step_keys(result.run_id) == [step]
    defs = dg.Definitions(assets=[producer, consumer])
    assert defs.load_asset_value(dg.AssetKey(key), instance=instance) == 41
    _names_fit(home, instance.storage_directory())


def test_long_keys_with_the_same_prefix_stay_apart(instance):
    keys = [["p", "q" * 280 + "a"], ["p", "q" * 280 + "b"]]

    def make(index: int) -> dg.AssetsDefinition:
        @dg.asset(key=keys[index])
        def value() -> int:
            return index
        return value

    assets = [make(0), make(1)]
    assert dg.materialize(assets, instance=instance).success
    defs = dg.Definitions(assets=assets)
    assert [defs.load_asset_value(dg.AssetKey(k), instance=instance) for k in keys] == [0, 1]


def test_dot_parts_stay_inside_the_storage_folder(instance, home):
    @dg.asset(key=["..", "escape"])
    def sneaky() -> int:
        return 5

    @dg.asset(key=["escape"])
    def plain() -> int:
        return 6

    assert dg.materialize([sneaky, plain], instance=instance).success
    defs = dg.Definitions(assets=[sneaky, plain])
    assert defs.load_asset_value(dg.AssetKey(["..", "escape"]), instance=instance) == 5
    assert defs.load_asset_value(dg.AssetKey(["escape"]), instance=instance) == 6
    storage = Path(instance.storage_directory())
    assert not (storage.parent / "escape").exists()


def test_partition_keys_that_are_no_file_names_are_stored_apart(instance, home):
    keys = ["../up", "a/b", "p" * 300, "p" * 300 + "2"]
    partitions = dg.StaticPartitionsDefinition(keys)

    @dg.asset(partitions_def=partitions)
    def parted(context: dg.AssetExecutionContext) -> str:
        return context.partition_key

    for key in keys:
        assert dg.materialize([parted], instance=instance, partition_key=key).success
    defs = dg.Definitions(assets=[parted])
    assert [defs.load_asset_value("parted", instance=instance, partition_key=k)
            for k in keys] == keys
    storage = Path(instance.storage_directory())
    assert (storage / "parted" / "a" / "b").is_file()  # a "/" still makes a folder
    assert not (storage / "up").exists()
    _names_fit(home, instance.storage_directory())


def test_a_long_key_in_worker_processes(instance):
    from . import hwexec_long_keys as module

    job = module.hwexec_long_defs.get_job_def("hwexec_long_job")
    with dg.execute_job(dg.reconstructable(job), instance) as result:
        assert result.success
        assert result.asset_value("hwexec_after_long") == 8
    long_step = dg.AssetKey(["hwexec", module.LONG]).to_python_identifier()
    assert read_compute_log(instance, result.run_id, long_step) == "long in a worker\n"
    assert ComputeLogManager.for_instance(instance).step_keys(result.run_id) == sorted(
        ["hwexec_after_long", long_step])
