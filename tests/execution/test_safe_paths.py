"""File names that fit the file system and stay unique; files written whole, atomically, by
any number of concurrent writers (threads here; processes in test_concurrent_runs.py)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from headwater.execution.safe_paths import (
    MAX_RELATIVE,
    NAME_MAX,
    fit_name,
    fit_parts,
    is_temp_name,
    write_whole,
)


def test_names_that_fit_are_kept_as_they_are():
    assert fit_name("daily_sales") == "daily_sales"
    assert fit_name("a" * 255) == "a" * 255
    assert fit_name("a" * 251, reserve=4) == "a" * 251
    assert fit_parts(["raw", "sales", "2024-01-01"]) == ["raw", "sales", "2024-01-01"]
    assert fit_parts(["raw", "region/eu"]) == ["raw", "region", "eu"]  # a "/" makes folders


@pytest.mark.parametrize("name", ["a" * 256, "é" * 200, "a" * 1000])
def test_a_name_too_long_is_shortened_within_the_limit(name):
    short = fit_name(name)
    assert len(short.encode()) <= NAME_MAX and short.startswith("a" if "a" in name else "é")
    assert fit_name(name) == short  # the same name every time: values are found again


def test_shortened_names_stay_unique():
    names = ["q" * 300 + tail for tail in "abcdefgh"]
    assert len({fit_name(n) for n in names}) == len(names)
    assert fit_name("a" * 252, reserve=4) != fit_name("a" * 253, reserve=4)


@pytest.mark.parametrize("name", [".", "..", "", "a\0b"])
def test_names_with_a_meaning_in_paths_are_made_plain(name):
    fitted = fit_name(name)
    assert fitted not in (".", "..", "") and "\0" not in fitted and "/" not in fitted


def test_a_path_too_deep_is_folded_below_the_limit():
    parts = [f"part{i:03d}_" + "y" * 50 for i in range(100)]
    fitted = fit_parts(parts)
    assert len("/".join(fitted).encode()) <= MAX_RELATIVE
    assert fitted[:5] == parts[:5]  # the leading folders are kept
    assert fit_parts(parts) == fitted
    assert fit_parts([*parts[:-1], "other"]) != fitted


def test_write_whole_replaces_atomically_and_leaves_nothing_behind(tmp_path: Path):
    target = tmp_path / "value"
    write_whole(str(target), b"first")
    write_whole(str(target), b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["value"]


def test_write_whole_into_a_missing_folder_fails_and_leaves_nothing(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        write_whole(str(tmp_path / "missing" / "value"), b"x")
    assert os.listdir(tmp_path) == []


def test_a_failed_write_removes_its_temporary_file(tmp_path: Path):
    class Unwritable:  # a buffer that cannot be viewed: fails after the file is created
        pass

    with pytest.raises(TypeError):
        write_whole(str(tmp_path / "value"), Unwritable())  # type: ignore[arg-type]
    assert os.listdir(tmp_path) == []


def test_concurrent_writers_of_one_file_each_write_whole(tmp_path: Path):
    target = str(tmp_path / "shared")
    values = [bytes([i]) * 200_000 for i in range(16)]
    barrier = threading.Barrier(len(values))
    errors: list[BaseException] = []

    def writer(value: bytes) -> None:
        try:
            barrier.wait()
            for _ in range(5):
                write_whole(target, value)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(v,)) for v in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Path(target).read_bytes() in values  # one writer's value, whole
    assert os.listdir(tmp_path) == ["shared"]
    assert not any(is_temp_name(n) for n in os.listdir(tmp_path))
