"""A damaged database file: found on open or on the first read of a damaged page, reported as
DatabaseDamagedError (which file, that it is damaged, what to do); `check_database` names the
damaged tables. The database is written by real runs, then one page of it is overwritten."""

from __future__ import annotations

import os
import re
import shutil

import pytest

import headwater as dg
from headwater.storage import Instance, RunStatus
from headwater.storage.database import Database
from headwater.storage.errors import DatabaseDamagedError
from headwater.storage.instance import sqlite_url_for_home
from headwater.storage.integrity import check_database
from headwater.storage.migrate import HEAD

from ._faults import overwrite_page, table_leaf_pages

RUNS = 24


@dg.asset
def depth(context: dg.AssetExecutionContext) -> int:
    context.log.info("measuring the depth " + "." * 300)
    return 3


@dg.asset
def report(depth: int) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"depth": depth})


def _materialize(home):
    with Instance.local(home) as instance:
        return dg.materialize([depth, report], instance=instance, raise_on_error=False)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A home with RUNS real runs (several leaf pages of runs and of event_logs)."""
    home = tmp_path_factory.mktemp("written") / "home"
    run_ids = [_materialize(home).run_id for _ in range(RUNS)]
    return home, run_ids


@pytest.fixture
def home(written, tmp_path):
    """A fresh copy of the written home, for this test to damage."""
    source, _ = written
    copy = tmp_path / "home"
    shutil.copytree(source, copy)
    return copy


def _db(home) -> str:
    return str(home / "history" / "headwater.db")


def _assert_damage_message(err: BaseException, home) -> None:
    text = str(err)
    assert _db(home) in text and "damaged" in text
    assert "headwater instance check" in text and ".recover" in text and "backup" in text
    assert err.__cause__ is None and err.__suppress_context__
    assert not re.search(r"Traceback|sqlite3\.\w+Error", text)


def _check(home):
    db = Database(sqlite_url_for_home(str(home)))
    try:
        return check_database(db)
    finally:
        db.dispose()


def _unreadable_runs(home, run_ids: list[str]) -> list[str]:
    """Which of ``run_ids`` have event logs that cannot be read."""
    damaged = []
    with Instance.local(home) as instance:
        for run_id in run_ids:
            try:
                instance.all_logs(run_id)
            except DatabaseDamagedError:
                damaged.append(run_id)
    return damaged


def test_page_in_the_middle_of_event_logs(home, written):
    _, run_ids = written
    leaves = table_leaf_pages(_db(home), "event_logs")
    assert len(leaves) >= 5
    overwrite_page(_db(home), leaves[len(leaves) // 2])
    # Opening reads the header, the schema and the revision: all intact, so it opens.
    with Instance.local(home) as instance:
        assert len(instance.get_runs()) == RUNS  # the runs table is whole
        with pytest.raises(DatabaseDamagedError) as info:
            for run_id in run_ids:
                instance.all_logs(run_id)
        _assert_damage_message(info.value, home)
        # the same instance still reads what is whole: the newest run's logs
        assert instance.all_logs(run_ids[-1])
        # and a new run still records (the damaged page is not on its path)
        assert dg.materialize([depth, report], instance=instance).success
    damaged = _unreadable_runs(home, run_ids)
    assert damaged and len(damaged) < RUNS
    report_ = _check(home)
    assert not report_.ok and report_.damaged_tables == ("event_logs",)
    assert report_.revision == HEAD and ".recover" in (report_.advice or "")


def test_page_of_runs_read_by_every_listing(home):
    leaves = table_leaf_pages(_db(home), "runs")
    overwrite_page(_db(home), leaves[-1], b"\xa5")  # the newest runs
    with Instance.local(home) as instance:
        with pytest.raises(DatabaseDamagedError) as info:
            instance.get_runs(limit=5)
        _assert_damage_message(info.value, home)
        # a new run cannot be created on that page: refused before anything runs
        with pytest.raises(DatabaseDamagedError):
            dg.materialize([depth, report], instance=instance)
    report_ = _check(home)
    assert report_.damaged_tables == ("runs",)


def test_damage_found_by_a_running_run_fails_it_with_the_reason(home):
    # The asset index's page: the run is created, its first step stores a materialization
    # (which updates the index) and finds the damage there.
    (leaf,) = table_leaf_pages(_db(home), "asset_keys")
    overwrite_page(_db(home), leaf)
    with Instance.local(home) as instance:
        with pytest.raises(DatabaseDamagedError) as info:
            dg.materialize([depth, report], instance=instance)
        _assert_damage_message(info.value, home)
        run = instance.get_runs(limit=1)[0]
        assert run.status == RunStatus.FAILURE
        failure = instance.all_logs(run.run_id, of_type="PIPELINE_FAILURE")
        assert len(failure) == 1 and "damaged" in failure[0].message
        # nothing of the step that hit the damage was half-stored
        assert not instance.all_logs(run.run_id, of_type="ASSET_MATERIALIZATION")
        assert not instance.all_logs(run.run_id, of_type="STEP_SUCCESS")


def test_first_page_overwritten_is_found_on_open(home):
    overwrite_page(_db(home), 1, b"\x17")
    with pytest.raises(DatabaseDamagedError, match="not a SQLite database") as info:
        Instance.local(home)
    _assert_damage_message(info.value, home)
    report_ = _check(home)
    assert not report_.ok and report_.revision is None
    assert "not a database" in report_.problems[0]


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_file_is_found_on_open(home, keep):
    size = os.path.getsize(_db(home))
    os.truncate(_db(home), int(size * keep))
    with pytest.raises(DatabaseDamagedError) as info:
        Instance.local(home)
    _assert_damage_message(info.value, home)
    assert os.path.getsize(_db(home)) == int(size * keep)  # nothing was written to it


def test_another_kind_of_file(tmp_path):
    db = tmp_path / "history" / "headwater.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseDamagedError, match="not a SQLite database") as info:
        Instance.local(tmp_path)
    _assert_damage_message(info.value, tmp_path)
    assert db.read_bytes() == b"this is not sqlite" * 100


def test_whole_database_checks_ok(home):
    report_ = _check(home)
    assert report_.ok and report_.problems == () and report_.revision == HEAD


@pytest.mark.parametrize("backend", ["file", "postgres"])
def test_check_reports_a_missing_table(request, tmp_path, backend):
    url = (sqlite_url_for_home(str(tmp_path)) if backend == "file"
           else request.getfixturevalue("postgres_url"))
    if backend == "file":
        (tmp_path / "history").mkdir()
    Instance.from_url(url).dispose()
    db = Database(url)
    try:
        assert check_database(db).ok and check_database(db).revision == HEAD
        with db.write_cursor() as cursor:
            cursor.execute("DROP TABLE dynamic_partitions")
        report_ = check_database(db)
    finally:
        db.dispose()
    assert not report_.ok and report_.problems == (
        f"tables missing although the revision is {HEAD}: dynamic_partitions",)
