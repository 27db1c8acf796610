"""A read-only instance (a real read-only mount) opens read-only: reads work, nothing is created
or migrated, a write raises ReadOnlyInstanceError saying so. A WAL database is read through
its -wal/-shm files when a writer has it open, and as an immutable file when it was closed."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from headwater.definitions.errors import StorageError
from headwater.storage import Instance, PartitionBackfill
from headwater.storage.errors import ReadOnlyInstanceError
from headwater.storage.migrate import HEAD

from ._events import step_start
from ._faults import read_only_bind

_WRITER = """
import sys
from headwater.storage import Instance
instance = Instance.local(sys.argv[1])
for line in sys.stdin:
    if line.strip() == "stop":
        break
    instance.create_run("j", run_id=line.strip())
    print("stored", flush=True)
instance.dispose()
"""


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _db(home: Path) -> Path:
    return home / "history" / "headwater.db"


def test_closed_instance_on_a_read_only_mount(tmp_path):
    home = tmp_path / "home"
    with Instance.local(home) as instance:
        run = instance.create_run("j", run_id="kept")
        instance.store_events([step_start(run.run_id, "a")])
        instance.add_backfill(PartitionBackfill("bf", partition_keys=["p1"]))
    before = _tree(home)
    assert set(before) == {"history/headwater.db"}  # closed cleanly: no -wal, no -shm
    with read_only_bind(home, tmp_path / "ro") as ro:
        with Instance.local(ro) as instance:
            assert instance.is_read_only
            assert [r.run_id for r in instance.get_runs()] == ["kept"]
            assert len(instance.all_logs("kept")) == 1
            assert instance.get_backfill("bf").partition_keys == ["p1"]
            with pytest.raises(ReadOnlyInstanceError) as info:
                instance.create_run("j")
            text = str(info.value)
            assert "read-only" in text and str(_db(ro)) in text
            assert "missing or not accessible" not in text
            assert info.value.__cause__ is None and info.value.__suppress_context__
            with pytest.raises(ReadOnlyInstanceError):
                instance.store_events([step_start("kept", "b")])
            assert len(instance.all_logs("kept")) == 1
        assert _tree(ro) == before
    assert _tree(home) == before


def test_instance_a_writer_has_open_is_read_through_its_write_ahead_log(tmp_path):
    """A read-only mount of a live instance: the runs still in the -wal are seen."""
    home = tmp_path / "home"
    Instance.local(home).dispose()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(home)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    assert writer.stdin is not None and writer.stdout is not None

    def store(run_id: str) -> None:
        writer.stdin.write(run_id + "\n")
        writer.stdin.flush()
        assert writer.stdout.readline().strip() == "stored"

    try:
        store("first")
        assert os.path.getsize(str(_db(home)) + "-wal") > 0  # the run is in the log only
        with read_only_bind(home, tmp_path / "ro") as ro, Instance.local(ro) as instance:
            assert instance.is_read_only
            assert [r.run_id for r in instance.get_runs()] == ["first"]
            store("second")  # written while the reader is open: its next read sees it
            assert [r.run_id for r in instance.get_runs()] == ["second", "first"]
    finally:
        writer.stdin.write("stop\n")
        writer.stdin.close()
        writer.wait(timeout=60)
    with Instance.local(home) as instance:
        assert {r.run_id for r in instance.get_runs()} == {"first", "second"}


def test_write_ahead_log_without_its_index_is_a_clear_error(tmp_path):
    """A -wal holding changes but no -shm (a crashed writer's files, copied): reading it
    read-only would miss those changes, so it says what to do instead."""
    home = tmp_path / "home"
    Instance.local(home).dispose()
    conn = sqlite3.connect(_db(home), isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("INSERT INTO dynamic_partitions (partitions_def_name, partition, "
                 "create_timestamp) VALUES ('d', 'p', 0)")
    copy = tmp_path / "copy"
    (copy / "history").mkdir(parents=True)
    for suffix in ("", "-wal"):  # as a crash leaves them, without the -shm
        (copy / "history" / ("headwater.db" + suffix)).write_bytes(
            Path(str(_db(home)) + suffix).read_bytes())
    conn.close()
    with read_only_bind(copy, tmp_path / "ro") as ro:
        with pytest.raises(ReadOnlyInstanceError, match="write-ahead log") as info:
            Instance.local(ro)
        assert "write access" in str(info.value)


def _database_at_0001(home: Path) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from headwater.storage import migrate

    _db(home).parent.mkdir(parents=True)
    engine = sa.create_engine(f"sqlite:///{_db(home)}")
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", migrate.MIGRATIONS_DIR)
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.exec_driver_sql(
            "INSERT INTO runs (run_id, job_name, status, tags, run_config, body, "
            "create_timestamp, update_timestamp) VALUES ('old', 'j', 'SUCCESS', '{}', '{}', "
            "'{}', 1.0, 1.0)")
    engine.dispose()


def test_older_schema_read_only_is_read_and_not_migrated(tmp_path):
    home = tmp_path / "home"
    _database_at_0001(home)
    before = _tree(home)
    with read_only_bind(home, tmp_path / "ro") as ro, Instance.local(ro) as instance:
        assert instance.database.schema_behind == ("0001", HEAD)
        assert [r.run_id for r in instance.get_runs()] == ["old"]  # 0001 has runs
        with pytest.raises(StorageError) as info:  # backfills came with 0002
            instance.get_backfills()
        text = str(info.value)
        assert "0001" in text and "headwater instance migrate" in text
        assert "write access" in text
    assert _tree(home) == before


def test_newer_schema_read_only_is_still_refused(tmp_path):
    home = tmp_path / "home"
    Instance.local(home).dispose()
    conn = sqlite3.connect(_db(home))
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with read_only_bind(home, tmp_path / "ro") as ro:
        with pytest.raises(StorageError, match="newer Headwater"):
            Instance.local(ro)


def test_read_only_folder_without_a_database(tmp_path):
    (tmp_path / "home" / "history").mkdir(parents=True)
    with read_only_bind(tmp_path / "home", tmp_path / "ro") as ro:
        with pytest.raises(StorageError) as info:
            Instance.local(ro)
        text = str(info.value)
        assert "read-only" in text and "no database" in text
        assert not (ro / "history" / "headwater.db").exists()


def test_a_dead_run_on_a_read_only_instance_is_read_not_marked(tmp_path):
    from headwater.events import EventType
    from headwater.storage import RunStatus

    from ._events import run_event
    from .test_run_health import _record_process

    home = tmp_path / "home"
    with Instance.local(home) as instance:
        instance.create_run("j", run_id="dead")
        instance.store_events([run_event("dead", EventType.RUN_START)])
        _record_process(instance, "dead", _other_host_process(), heartbeat=0.0)
    with read_only_bind(home, tmp_path / "ro") as ro, Instance.local(ro) as instance:
        assert instance.fail_dead_runs() == []  # a reader never writes
        assert instance.get_run_by_id("dead").status == RunStatus.STARTED
    with Instance.local(home) as instance:  # the next writer marks it
        assert instance.fail_dead_runs() == ["dead"]


def _other_host_process():
    from headwater.storage.processes import current_process

    from .test_run_health import OTHER_HOST

    return current_process()._replace(host=OTHER_HOST)


def test_a_new_database_another_process_creates_meanwhile_opens_read_write(tmp_path,
                                                                          monkeypatch):
    # Processes opening a new instance at once: the file appears between this process's
    # checks. It is still a database this process may write (seen with 8 processes).
    from headwater.storage import sqlite_files

    path = tmp_path / "headwater.db"
    real_access = os.access

    def access_then_created(p, mode, **kwargs):
        result = real_access(p, mode, **kwargs)
        if str(p) == str(path) and not path.exists():
            sqlite3.connect(path).close()  # the other process wins the race here
        return result

    monkeypatch.setattr(os, "access", access_then_created)
    assert sqlite_files.open_mode(str(path)) is sqlite_files.OpenMode.READ_WRITE
