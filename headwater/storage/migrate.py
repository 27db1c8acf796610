"""Schema versions: a fast "is this database current?" check, and Alembic when it is not.

Opening an up-to-date instance costs one plain query (``SELECT version_num FROM
alembic_version``); Alembic is imported only when a database is new or behind.
A new in-memory database is created from ``schema.metadata`` and stamped, without Alembic
(the test suite checks that the migrations and the metadata describe the same schema).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from headwater.definitions.errors import StorageError
from headwater.storage import schema

if TYPE_CHECKING:
    from headwater.storage.database import Database

# Every revision in migrations/versions, oldest first; HEAD is the last one.
REVISIONS: tuple[str, ...] = ("0001", "0002")
HEAD = REVISIONS[-1]
MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")

_version_table = sa.Table("alembic_version", sa.MetaData(),
                          sa.Column("version_num", sa.String(32), primary_key=True))


def read_revision(conn: Connection) -> str | None:
    """The database's revision, None if it has no version table (a new database)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.select(_version_table.c.version_num)).scalar()


def _check_known(db_name: str, revision: str | None) -> None:
    if revision is not None and revision not in REVISIONS:
        raise StorageError(
            f"{db_name} has schema revision {revision!r}, which this version of Headwater does "
            f"not know (its newest is {HEAD!r}): it was written by a newer Headwater. Upgrade "
            "Headwater, or point HEADWATER_HOME at another folder.")


def ensure_schema(db: Database) -> None:
    """Make the database current. Fast path: one query; Alembic only when new or behind."""
    revision: str | None = None
    with db.read() as conn:
        try:
            revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except (sa_exc.OperationalError, sa_exc.ProgrammingError):
            revision = None  # no version table yet (a locked file is reported by write() below)
    if revision == HEAD:
        return
    _check_known(db.describe(), revision)
    with db.write() as conn:
        revision = read_revision(conn)  # again, under the write lock: another process may have won
        if revision == HEAD:
            return
        _check_known(db.describe(), revision)
        if revision is None:  # a new database: create it at head, no Alembic needed
            schema.metadata.create_all(conn)
            _version_table.create(conn)
            conn.execute(_version_table.insert(), {"version_num": HEAD})
        else:
            _run_alembic(conn)


def _run_alembic(conn: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR.replace("%", "%%"))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def upgrade(engine: Engine | Connection) -> tuple[str | None, str]:
    """Upgrade a database to the newest schema; returns (revision before, revision after)."""
    if isinstance(engine, Connection):
        before = read_revision(engine)
        _check_known("The database", before)
        if before != HEAD:
            _run_alembic(engine)
        return before, HEAD
    with engine.begin() as conn:
        return upgrade(conn)


def migrate_instance(home: str | None = None,
                     url: str | sa.URL | None = None) -> tuple[str | None, str]:
    """``headwater instance migrate``: upgrade the configured instance's database.

    With neither argument, the database of ``Instance.get()`` (HEADWATER_HOME / DAGSTER_HOME).
    Returns (revision before, revision after); equal when nothing had to be done.
    """
    from headwater.storage.database import Database
    from headwater.storage.instance import prepare_home, sqlite_url_for_home

    db = Database(url if url is not None else sqlite_url_for_home(prepare_home(home)))
    try:
        with db.write() as conn:
            before = read_revision(conn)
            _check_known(db.describe(), before)
            if before != HEAD:
                _run_alembic(conn)
        return before, HEAD
    finally:
        db.dispose()
