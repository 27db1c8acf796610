"""Schema versions: a fast "is this database current?" check, and Alembic when it is not.

Opening an up-to-date instance costs one plain query (``SELECT version_num FROM
alembic_version``) on a DB-API cursor. A new SQLite database is created from the plain DDL of
``sqlite_schema`` and stamped, without SQLAlchemy or Alembic; another new database from
``schema.metadata``. Alembic is imported only when a database is behind (the test suite checks
that the migrations, the metadata and the DDL describe the same schema).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from headwater.definitions.errors import StorageError
from headwater.storage import sqlite_schema
from headwater.storage.database import Database
from headwater.storage.errors import ReadOnlyInstanceError

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection, Engine

# Every revision in migrations/versions, oldest first; HEAD is the last one.
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004")
HEAD = REVISIONS[-1]
MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")

_READ_REVISION = "SELECT version_num FROM alembic_version"
_SCHEMA_LOCK = 0x68770002  # PostgreSQL advisory lock held while a schema is created or migrated


def read_revision(conn: Connection) -> str | None:
    """The database's revision, None if it has no version table (a new database)."""
    import sqlalchemy as sa

    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql(_READ_REVISION).scalar()


def _sqlite_revision(cursor: Any) -> str | None:
    """``read_revision`` on a SQLite DB-API cursor."""
    if cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                      ("alembic_version",)).fetchone() is None:
        return None
    row = cursor.execute(_READ_REVISION).fetchone()
    return None if row is None else row[0]


def _check_known(db_name: str, revision: str | None) -> None:
    if revision is not None and revision not in REVISIONS:
        raise StorageError(
            f"{db_name} has schema revision {revision!r}, which this version of Headwater does "
            f"not know (its newest is {HEAD!r}): it was written by a newer Headwater. Upgrade "
            "Headwater, or point HEADWATER_HOME at another folder.")


def ensure_schema(db: Database) -> None:
    """Make the database current. Fast path: one query; Alembic only when behind.

    A damaged SQLite file fails that first query (SQLite checks the header, the schema and the
    file's size as it opens), which raises ``DatabaseDamagedError``. A database opened
    read-only is never written: one at head is used as is, one behind is read as far as its
    tables allow (``Database.schema_behind`` makes a missing table say "migrate"), and a
    folder without a database cannot have one created.
    """
    revision = current_revision(db)
    if revision == HEAD:
        return
    _check_known(db.describe(), revision)
    if db.read_only:
        if revision is None:
            raise ReadOnlyInstanceError(
                f"{db.describe()} holds no Headwater data (no schema) and is read-only, so "
                "Headwater cannot create its tables. Make it writable, or set HEADWATER_HOME to "
                "a writable folder.")
        db.schema_behind = (revision, HEAD)
        return
    if db.is_sqlite:
        with db.write_cursor() as cursor:
            # again, under the write lock: another process may have won
            revision = _sqlite_revision(cursor)
            _check_known(db.describe(), revision)
            if revision is None:  # a new database: plain DDL at head, no SQLAlchemy
                sqlite_schema.create_schema(cursor, HEAD)
                return
        if revision == HEAD:
            return
    with db.write() as conn:
        if not db.is_sqlite:  # processes opening a new database at once: one creates it
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
        revision = read_revision(conn)
        if revision == HEAD:
            return
        _check_known(db.describe(), revision)
        if revision is None:  # a new database: create it at head, no Alembic needed
            _create_at_head(conn)
        else:
            _run_alembic(conn)


def current_revision(db: Database) -> str | None:
    """The revision, read with one query; None for a database without a version table (new).
    On SQLite any other error (damaged, locked...) is raised as the ``StorageError`` it means;
    on PostgreSQL it is left to the write that follows, which reports it."""
    with db.read_cursor() as cursor:
        try:
            cursor.execute(_READ_REVISION)
        except db.dbapi.Error as e:
            if db.is_sqlite and "no such table" not in str(e):
                raise
            return None
        row = cursor.fetchone()
        return None if row is None else row[0]


def _create_at_head(conn: Connection) -> None:
    import sqlalchemy as sa

    from headwater.storage import schema

    schema.metadata.create_all(conn)
    version = sa.Table("alembic_version", sa.MetaData(),
                       sa.Column("version_num", sa.String(32), primary_key=True))
    version.create(conn)
    conn.execute(version.insert(), {"version_num": HEAD})


def _upgrade(conn: Connection, db_name: str) -> str | None:
    """Run the migrations a database is missing; returns its revision before."""
    before = read_revision(conn)
    _check_known(db_name, before)
    if before != HEAD:
        _run_alembic(conn)
    return before


def _run_alembic(conn: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR.replace("%", "%%"))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def upgrade(engine: Engine | Connection) -> tuple[str | None, str]:
    """Upgrade a database to the newest schema; returns (revision before, revision after)."""
    from sqlalchemy.engine import Connection

    if isinstance(engine, Connection):
        return _upgrade(engine, "The database"), HEAD
    with engine.begin() as conn:
        return _upgrade(conn, "The database"), HEAD


def migrate_instance(home: str | None = None,
                     url: str | sa.URL | None = None) -> tuple[str | None, str]:
    """``headwater instance migrate``: upgrade the configured instance's database.

    With neither argument, the database of ``Instance.get()`` (HEADWATER_HOME / DAGSTER_HOME).
    Returns (revision before, revision after); equal when nothing had to be done.
    """
    from headwater.storage.instance import prepare_home, sqlite_url_for_home

    db = Database(url if url is not None else sqlite_url_for_home(prepare_home(home)))
    try:
        with db.write() as conn:
            return _upgrade(conn, db.describe()), HEAD
    finally:
        db.dispose()
