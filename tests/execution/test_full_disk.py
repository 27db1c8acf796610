"""Fault test: the disk fills during a step, on a real small file system (a 1 MB tmpfs).

A value too big for the IO manager's disk fails its step with a message naming the asset, the
path, "the disk is full" and what to do; the run is FAILURE with a STEP_FAILURE; nothing
half-written is left (the previous value stays whole). A compute log that fills its disk never
fails the step. Mounting needs root (CI runs as root); the tests skip, saying why, elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import headwater as dg
from headwater.execution.compute_logs import read_compute_log
from headwater.execution.pickle_io import IOManagerStorageError

DISK_SIZE = "1m"
TOO_BIG = 2 * 1024 * 1024


def _mount_small_disk(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no `mount` command: a small tmpfs cannot be mounted for the full-disk test")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs",
                           str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here (needs root): {done.stderr.strip()}")


def _unmount(folder: Path) -> None:
    if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB file system for the IO manager's values (the instance lives elsewhere)."""
    folder = tmp_path / "small_disk"
    _mount_small_disk(folder)
    try:
        yield folder
    finally:
        _unmount(folder)


@pytest.fixture
def full_compute_logs(home: Path) -> Iterator[Path]:
    """The instance's compute-log folder on a 1 MB file system (its database elsewhere)."""
    folder = home / "compute_logs"
    _mount_small_disk(folder)
    try:
        yield folder
    finally:
        _unmount(folder)


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_value_bigger_than_the_disk_fails_its_step_clearly(instance, small_disk):
    size = {"big": 100}

    @dg.asset
    def small() -> bytes:
        return b"s" * 10

    @dg.asset
    def big(small: bytes) -> bytes:
        return b"b" * size["big"]

    @dg.asset
    def after_big(big: bytes) -> int:
        return len(big)

    resources = {"io_manager": dg.FilesystemIOManager(base_dir=str(small_disk))}
    assets = [small, big, after_big]
    first = dg.materialize(assets, instance=instance, resources=resources)
    assert first.success

    size["big"] = TOO_BIG
    result = dg.materialize(assets, instance=instance, resources=resources,
                            raise_on_error=False)
    assert not result.success
    assert result.is_node_success("small") and result.is_node_failed("big")
    assert result.is_node_untouched("after_big")
    assert instance.get_run_by_id(result.run_id).status == dg.RunStatus.FAILURE

    path = small_disk / "big"
    failure, = instance.all_logs(result.run_id, of_type="STEP_FAILURE")
    assert failure.step_key == "big"
    for part in ("asset 'big'", str(path), "the disk is full", "Free space",
                 "IO manager 'io_manager'"):
        assert part in failure.message, failure.message
    data = failure.dagster_event.event_specific_data
    assert data.error_source == "FRAMEWORK_ERROR"  # not the user's code
    assert data.error.cls_name == "IOManagerStorageError" and data.error.stack == []
    types = [e.dagster_event_type.value for e in instance.all_logs(result.run_id)
             if e.dagster_event is not None and e.step_key == "big"]
    assert "ASSET_MATERIALIZATION" not in types and "HANDLED_OUTPUT" not in types
    assert types[-1] == "STEP_FAILURE"

    # nothing half-written: the earlier value is whole, no temporary file is left
    latest = instance.get_latest_materialization_event(dg.AssetKey("big"))
    assert latest.run_id == first.run_id
    assert _files(small_disk) == ["after_big", "big", "small"]
    assert path.read_bytes() != b"" and dg.Definitions(assets=assets, resources=resources) \
        .load_asset_value("big", instance=instance) == b"b" * 100

    with pytest.raises(IOManagerStorageError, match="the disk is full") as raised:
        dg.materialize(assets, instance=instance, resources=resources)
    assert isinstance(raised.value, OSError) and raised.value.path == str(path)
    assert _files(small_disk) == ["after_big", "big", "small"]


def test_a_compute_log_that_fills_its_disk_does_not_fail_the_step(instance, full_compute_logs,
                                                                  capsys):
    chunk = "x" * 1023 + "\n"

    @dg.asset
    def talkative() -> int:
        for _ in range(TOO_BIG // len(chunk)):
            print(chunk, end="")
        return 1

    @dg.asset
    def quiet_after(talkative: int) -> int:
        return talkative + 1

    result = dg.materialize([talkative, quiet_after], instance=instance)
    assert result.success and result.output_for_node("quiet_after") == 2
    assert instance.get_run_by_id(result.run_id).status == dg.RunStatus.SUCCESS
    captured = capsys.readouterr()
    assert captured.out.count(chunk) == TOO_BIG // len(chunk)  # the console got everything
    assert "could not write the compute log" in captured.err
    assert "the disk is full" in captured.err and "Traceback" not in captured.err
    log = read_compute_log(instance, result.run_id, "talkative")
    assert 0 < len(log) < TOO_BIG and set(log) == {"x", "\n"}  # what fitted, then nothing
    assert os.statvfs(full_compute_logs).f_bavail == 0
