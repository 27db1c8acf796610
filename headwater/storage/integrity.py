"""``headwater instance check``: is the instance's database whole, and at which revision?

SQLite: ``PRAGMA integrity_check`` over the whole file. When SQLite stops that check on a
damaged page (it raises "malformed" instead of listing what it found), each table is checked on
its own (``PRAGMA integrity_check(table)``, which also checks the table's indexes) so that the
report names the damaged tables. PostgreSQL: the server answers, the schema revision is known,
the tables are there (the server keeps its own files whole).

Never migrates and never writes: a read-only instance is checked as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from headwater.definitions.errors import StorageError
from headwater.storage import sqlite_files
from headwater.storage.database import Database
from headwater.storage.errors import DatabaseDamagedError
from headwater.storage.migrate import HEAD, REVISIONS, current_revision

MAX_MESSAGES = 100


@dataclass(frozen=True)
class CheckReport:
    """What ``check_database`` found; ``ok`` when there are no problems."""

    database: str
    revision: str | None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    advice: str | None = None
    damaged_tables: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(db: Database) -> CheckReport:
    """Check ``db`` (see the module docstring). Storage errors become problems in the report."""
    where = db.location()
    problems: list[str] = []
    notes: list[str] = []
    advice: str | None = None
    damaged: list[str] = []
    revision: str | None = None
    try:
        revision = current_revision(db)
        if db.is_sqlite:
            messages, damaged = _sqlite_integrity(db)
            if messages:
                problems += messages
                advice = sqlite_files.damage_advice(db.path, check=False)
        if revision is None:
            notes.append("no Headwater schema yet (a new, empty database)")
        elif revision not in REVISIONS:
            problems.append(f"schema revision {revision!r} was written by a newer Headwater (this "
                            f"one knows up to {HEAD!r}): upgrade Headwater to use it")
        elif revision != HEAD:
            notes.append(f"schema revision {revision} is behind this Headwater's {HEAD}: "
                         "`headwater instance migrate` (with write access) upgrades it")
        else:
            missing = sorted(set(_expected_tables()) - set(_present_tables(db)))
            if missing:
                problems.append(f"tables missing although the revision is {HEAD}: "
                                + ", ".join(missing))
    except DatabaseDamagedError as e:
        problems.append(f"SQLite cannot read the file: {getattr(e, 'original', e)}")
        advice = sqlite_files.damage_advice(db.path, check=False)
    except StorageError as e:
        problems.append(str(e))
    if db.read_only:
        notes.append("opened read-only (this user cannot write it): nothing was changed")
    return CheckReport(where, revision, tuple(problems), tuple(notes), advice, tuple(damaged))


def _sqlite_integrity(db: Database) -> tuple[list[str], list[str]]:
    """(problems, damaged tables) from SQLite's own checks."""
    try:
        with db.read_cursor() as cursor:
            rows = cursor.execute(f"PRAGMA integrity_check({MAX_MESSAGES})").fetchall()
        lines = [line for (text,) in rows for line in str(text).splitlines()]
        return ([] if lines == ["ok"] else [ln for ln in lines if not ln.startswith("***")]), []
    except DatabaseDamagedError:
        pass  # SQLite stopped on a damaged page: check table by table to say which
    with db.read_cursor() as cursor:
        tables = [name for (name,) in cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()]
    problems: list[str] = []
    damaged: list[str] = []
    for table in tables:
        quoted = table.replace("'", "''")
        try:
            with db.read_cursor() as cursor:
                rows = cursor.execute(f"PRAGMA integrity_check('{quoted}')").fetchall()
        except DatabaseDamagedError as e:
            damaged.append(table)
            problems.append(f"table {table} (or one of its indexes) is damaged: "
                            f"{getattr(e, 'original', e)}")
            continue
        lines = [line for (text,) in rows for line in str(text).splitlines()
                 if not line.startswith("***")]
        if lines != ["ok"]:
            damaged.append(table)
            problems += [f"table {table}: {line}" for line in lines]
    if not problems:
        problems.append("SQLite reports the file as damaged, outside any one table (its free "
                        "page list or page accounting)")
    return problems, damaged


def _expected_tables() -> list[str]:
    from headwater.storage import schema

    return [*schema.metadata.tables, "alembic_version"]


def _present_tables(db: Database) -> list[str]:
    import sqlalchemy as sa

    with db.read() as conn:
        return list(sa.inspect(conn).get_table_names())
