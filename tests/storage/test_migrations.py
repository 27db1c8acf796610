"""Schema versions: new databases reach head, current ones open without Alembic."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
import sqlalchemy as sa

from headwater.definitions.errors import StorageError
from headwater.storage import Instance, migrate_instance, upgrade
from headwater.storage import migrate as migrate_module
from headwater.storage.schema import ALL_TABLES, metadata


def _db_path(home):
    return home / "history" / "headwater.db"


def _sqlite_objects(conn) -> set[tuple[str, str, bool]]:
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master "
                        "WHERE name NOT LIKE 'sqlite_%'").fetchall()
    return {(t, n, "AUTOINCREMENT" in (sql or "")) for t, n, sql in rows}


def test_new_file_database_is_at_head(tmp_path):
    with Instance.local(tmp_path / "home"):
        pass
    conn = sqlite3.connect(_db_path(tmp_path / "home"))
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
        (migrate_module.HEAD,)]
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(ALL_TABLES) <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_reopening_does_not_migrate(tmp_path, monkeypatch):
    with Instance.local(tmp_path) as instance:
        instance.create_run("j", run_id="kept")

    def fail(conn):
        raise AssertionError("migrations ran on an up-to-date database")

    monkeypatch.setattr(migrate_module, "_run_alembic", fail)
    with Instance.local(tmp_path) as instance:
        assert instance.has_run("kept")


def test_opening_current_database_does_not_import_alembic(tmp_path):
    with Instance.local(tmp_path):
        pass
    code = ("import sys; from headwater.storage import Instance; "
            f"Instance.local({str(tmp_path)!r}).dispose(); "
            "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=_repo_root())
    assert out.stdout.strip() == "False"


def _repo_root():
    import headwater.storage

    return str(__import__("pathlib").Path(headwater.storage.__path__[0]).parents[1])


def test_migrations_match_schema_module(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with Instance.local(tmp_path / "migrated") as migrated, Instance.ephemeral() as created:
        for instance in (migrated, created):
            with instance.database.read() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                assert compare_metadata(context, metadata) == []
    # the metadata path (in-memory) and the Alembic path (files) build the same objects
    with Instance.ephemeral() as created:
        with created.database.read() as conn:
            from_metadata = _sqlite_objects(conn.connection.driver_connection)
    from_alembic = _sqlite_objects(sqlite3.connect(_db_path(tmp_path / "migrated")))
    assert from_metadata == from_alembic


def test_head_matches_alembic_scripts():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(migrate_module.MIGRATIONS_DIR)
    assert scripts.get_current_head() == migrate_module.HEAD
    assert [r.revision for r in scripts.walk_revisions()][::-1] == list(migrate_module.REVISIONS)


def test_upgrade_engine_and_migrate_instance(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert upgrade(engine) == (None, migrate_module.HEAD)
    assert upgrade(engine) == (migrate_module.HEAD, migrate_module.HEAD)
    engine.dispose()
    home = tmp_path / "home"
    assert migrate_instance(str(home)) == (None, migrate_module.HEAD)
    assert migrate_instance(str(home)) == (migrate_module.HEAD, migrate_module.HEAD)


def test_newer_database_is_refused(tmp_path):
    with Instance.local(tmp_path):
        pass
    conn = sqlite3.connect(_db_path(tmp_path))
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="newer Headwater"):
        Instance.local(tmp_path)


def test_upgrade_from_0001_keeps_data(tmp_path):
    """A database written at revision 0001 opens at head with its runs, events and index."""
    from alembic import command
    from alembic.config import Config

    from headwater.definitions.asset_key import AssetKey
    from headwater.storage import PartitionBackfill

    from ._events import materialization

    home = tmp_path / "home"
    (home / "history").mkdir(parents=True)
    engine = sa.create_engine(f"sqlite:///{_db_path(home)}")
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", migrate_module.MIGRATIONS_DIR)
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        assert migrate_module.read_revision(conn) == "0001"
        tables = set(sa.inspect(conn).get_table_names())
        assert "backfills" not in tables and "runs" in tables
    engine.dispose()
    # 0001-era data, in the 0001 tables only
    with Instance(_database(home), migrate=False) as old:
        old.create_run("j", run_id="kept", tags={"dagster/partition": "p1"})
        old.store_events([materialization("kept", AssetKey("a"))])
    conn = sqlite3.connect(_db_path(home))
    conn.execute("INSERT INTO asset_partitions (asset_key, partition, last_materialization_id, "
                 "last_run_id, timestamp) VALUES ('[\"a\"]', 'p1', 1, 'kept', 1.0)")
    conn.commit()
    conn.close()
    with Instance.local(home) as instance:
        assert instance.has_run("kept")
        assert instance.get_latest_materialization_event(AssetKey("a")).run_id == "kept"
        assert instance.get_materialized_partitions(AssetKey("a")) == {"p1"}
        assert instance.get_partition_status(AssetKey("a")).materialized == {"p1"}
        instance.add_dynamic_partitions("fruits", ["apple"])
        instance.add_backfill(PartitionBackfill("bf", partition_keys=["p1"]))
        assert instance.get_backfill("bf").partition_keys == ["p1"]
    conn = sqlite3.connect(_db_path(home))
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
        (migrate_module.HEAD,)]


def _database(home):
    from headwater.storage.database import Database
    from headwater.storage.instance import sqlite_url_for_home

    return Database(sqlite_url_for_home(str(home)))
