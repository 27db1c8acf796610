"""A database that cannot be written raises StorageError naming it, and loses nothing."""

from __future__ import annotations

import re
import shutil
import sqlite3

import pytest

from headwater.definitions.errors import StorageError
from headwater.events import EventType
from headwater.storage import Instance, RunStatus
from headwater.storage.errors import DatabaseDamagedError

from ._events import materialization, run_event, step_start


def _db(home):
    return home / "history" / "headwater.db"


def _assert_clean(err: StorageError):
    # a clear message, not a driver traceback
    assert err.__cause__ is None and err.__suppress_context__
    assert not re.search(r"sqlite3\.\w+Error|Traceback", str(err))
    assert "sqlalchemy" not in str(err).lower()


def test_locked_database(tmp_path):
    home = tmp_path / "home"
    with Instance.local(home, busy_timeout=0.05) as instance:
        run = instance.create_run("j")
        instance.store_events([run_event(run.run_id, EventType.RUN_START),
                               step_start(run.run_id, "a")])
        other = sqlite3.connect(_db(home), isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StorageError) as info:
                instance.store_events([materialization(run.run_id, "x"),
                                       run_event(run.run_id, EventType.RUN_SUCCESS)])
            message = str(info.value)
            assert "locked" in message and str(_db(home)) in message
            assert "retry" in message
            _assert_clean(info.value)
            with pytest.raises(StorageError, match="locked"):
                instance.create_run("j")
            # readers are not blocked (WAL), and what was stored is intact
            assert len(instance.all_logs(run.run_id)) == 2
            assert instance.get_run_by_id(run.run_id).status == RunStatus.STARTED
        finally:
            other.rollback()
            other.close()
        # the same instance recovers once the lock is gone
        instance.store_events([materialization(run.run_id, "x"),
                               run_event(run.run_id, EventType.RUN_SUCCESS)])
        assert len(instance.all_logs(run.run_id)) == 4
        assert instance.get_run_by_id(run.run_id).is_success


def test_opening_a_locked_database_that_is_current(tmp_path):
    with Instance.local(tmp_path, busy_timeout=0.05):
        pass
    other = sqlite3.connect(_db(tmp_path), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with Instance.local(tmp_path, busy_timeout=0.05) as instance:
            assert instance.get_runs() == []
    finally:
        other.rollback()
        other.close()


def test_read_only_database(tmp_path):
    # Tests may run as root, where chmod does not stop writes: open the copy read-only instead.
    with Instance.local(tmp_path / "home") as instance:
        run = instance.create_run("j")
        instance.store_event(step_start(run.run_id, "a"))
    copy = tmp_path / "copy.db"
    shutil.copy(_db(tmp_path / "home"), copy)
    url = f"sqlite:///file:{copy}?mode=ro&uri=true"
    with Instance.from_url(url) as read_only:
        assert read_only.get_run_by_id(run.run_id) is not None
        assert len(read_only.all_logs(run.run_id)) == 1
        with pytest.raises(StorageError) as info:
            read_only.store_event(step_start(run.run_id, "b"))
        assert "read-only" in str(info.value) and str(copy) in str(info.value)
        _assert_clean(info.value)
        with pytest.raises(StorageError, match="read-only"):
            read_only.handle_run_status(run.run_id, RunStatus.STARTED)
        assert len(read_only.all_logs(run.run_id)) == 1


def test_missing_read_only_database(tmp_path):
    with pytest.raises(StorageError, match="Cannot open") as info:
        Instance.from_url(f"sqlite:///file:{tmp_path / 'nope.db'}?mode=ro&uri=true")
    _assert_clean(info.value)


def test_corrupt_database_file(tmp_path):
    _db(tmp_path).parent.mkdir(parents=True)
    _db(tmp_path).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseDamagedError, match="not a SQLite database") as info:
        Instance.local(tmp_path)
    assert "headwater instance check" in str(info.value)
    assert str(_db(tmp_path)) in str(info.value)
    _assert_clean(info.value)


def test_failed_write_is_rolled_back_and_instance_stays_usable(tmp_path):
    with Instance.local(tmp_path) as instance:
        run = instance.create_run("j")
        with pytest.raises(RuntimeError, match="mid-transaction"):
            with instance.database.write() as conn:
                from headwater.storage.schema import event_logs

                conn.execute(event_logs.insert(), {
                    "run_id": run.run_id, "event_type": "LOG", "step_key": None,
                    "asset_key": None, "partition": None, "timestamp": 0.0, "body": b"{}"})
                raise RuntimeError("mid-transaction")
        assert instance.all_logs(run.run_id) == []
        instance.store_event(step_start(run.run_id, "a"))
        assert len(instance.all_logs(run.run_id)) == 1
    with Instance.local(tmp_path) as reopened:
        assert len(reopened.all_logs(run.run_id)) == 1
