"""The instance's database handle: one connection, explicit transactions, clear errors.

SQLite: ONE stdlib ``sqlite3`` connection per instance, opened on first use and held until
``dispose()``, shared by threads under a lock; WAL mode, ``synchronous=NORMAL``, a busy timeout.
Writes take the write lock up front (``BEGIN IMMEDIATE``) so a busy database fails fast and
whole, never half-way. PostgreSQL: a small SQLAlchemy connection pool, one transaction per call.

Two ways in, over the same connection and lock:

* ``write_cursor()`` / ``read_cursor()``: a DB-API cursor for SQL written once as text
  (``?`` parameters; ``sql()`` adapts them to the driver). The paths every run takes use
  these, so that a process that opens a SQLite instance and runs never imports SQLAlchemy.
* ``write()`` / ``read()``: a SQLAlchemy Core connection, for the rarer queries built with
  SQLAlchemy. SQLAlchemy is imported, and its engine made, on the first such call.

Every driver error that means "the database cannot be used right now" (locked, read-only,
missing folder, damaged file, full disk) becomes a ``StorageError`` (a subclass per reason,
``storage/errors.py``) that names the database and says what to do; programming errors (bad
SQL, integrity violations) pass through unchanged.

A SQLite file this user cannot write (permissions, a read-only mount) is opened read-only
(``sqlite_files.open_mode``): reads work, a write raises ``ReadOnlyInstanceError`` before
SQLite is asked, and nothing is migrated.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from headwater.definitions.errors import StorageError
from headwater.storage import sqlite_files
from headwater.storage.errors import ReadOnlyInstanceError

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection, Engine

DEFAULT_BUSY_TIMEOUT = 5.0
# How long a PostgreSQL instance keeps trying to reach its server before giving up.
DEFAULT_RECONNECT_SECONDS = 10.0
# Connection errors that waiting will not fix.
_PERMANENT_CONNECT_ERRORS = ("password authentication failed", "does not exist",
                             "no password supplied", "could not translate host name")

_SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")
# DB-API exception classes that are programming errors, not "the database cannot be used".
_PASS_THROUGH = ("IntegrityError", "ProgrammingError", "DataError", "InterfaceError",
                 "NotSupportedError")


def normalize_url(url: str) -> str:
    """PostgreSQL URLs without a driver (``postgresql://``, ``postgres://``) use psycopg 3."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def sqlite_connect_args(url: str) -> tuple[str, dict[str, Any]] | None:
    """``(database, sqlite3.connect keyword arguments)`` for a SQLite URL; None for another
    database. Plain URLs (``sqlite://``, ``sqlite:///path``) are read here; any other form
    (a query string such as ``?mode=ro&uri=true``) by SQLAlchemy's pysqlite dialect, so that
    every URL means exactly what it means to SQLAlchemy."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in _SQLITE_SCHEMES:
        return None
    if rest == "" or (rest.startswith("/") and "?" not in rest and "%" not in rest):
        database = rest[1:]
        if database in ("", ":memory:"):
            return ":memory:", {}
        return os.path.abspath(database), {}
    from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
    from sqlalchemy.engine import make_url

    args, kwargs = SQLiteDialect_pysqlite().create_connect_args(make_url(url))
    return str(args[0]), dict(kwargs)


class Database:
    """A database URL opened for the instance. Every access goes through ``write_cursor()``/
    ``read_cursor()`` (DB-API) or ``write()``/``read()`` (SQLAlchemy)."""

    def __init__(self, url: str | sa.URL, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT):
        self.url = normalize_url(url if isinstance(url, str)
                                 else url.render_as_string(hide_password=False))
        self._sqlite = sqlite_connect_args(self.url)
        self.is_sqlite = self._sqlite is not None
        self.is_memory = False
        self.path: str | None = None
        if self._sqlite is not None:
            database, kwargs = self._sqlite
            uri = bool(kwargs.get("uri"))
            name, _, query = database.partition("?") if uri else (database, "", "")
            self.is_memory = name in ("", ":memory:", "file::memory:") or "mode=memory" in query
            if not self.is_memory:
                self.path = os.path.abspath(name[5:] if name.startswith("file:") else name)
        self.busy_timeout = busy_timeout
        self.reconnect_seconds = DEFAULT_RECONNECT_SECONDS
        self._pg_reached = False
        # True once opened read-only: the URL asks for it (mode=ro), or the file cannot be written
        self.read_only = self._sqlite is not None and "mode=ro" in self._sqlite[0]
        # (revision, newest revision) of a read-only database behind this Headwater's schema
        self.schema_behind: tuple[str, str] | None = None
        self._lock = threading.RLock()
        self._raw: sqlite3.Connection | None = None
        self._conn: Connection | None = None
        self._pid = os.getpid()
        self._disposed = False
        self._sql: dict[str, str] = {}
        if not self.is_sqlite:
            self.engine  # noqa: B018 -- a bad URL or a missing driver fails here, at once

    @cached_property
    def dialect_name(self) -> str:
        return "sqlite" if self.is_sqlite else self.engine.dialect.name

    @cached_property
    def dbapi(self) -> Any:
        """The driver module (its exception classes are the ones raw cursors raise)."""
        return sqlite3 if self.is_sqlite else self.engine.dialect.loaded_dbapi

    # ------------------------------------------------------------------ setup

    @cached_property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made on first use. On SQLite it wraps this instance's one
        ``sqlite3`` connection, so both ways in share the connection and its transactions."""
        import sqlalchemy as sa
        from sqlalchemy.pool import StaticPool

        if not self.is_sqlite:
            return sa.create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        return sa.create_engine("sqlite://", poolclass=StaticPool,
                                creator=self._sqlite_connection)

    def _open_sqlite(self) -> sqlite3.Connection:
        assert self._sqlite is not None
        database, kwargs = self._sqlite
        if self.path is not None and not kwargs.get("uri"):
            mode = sqlite_files.open_mode(self.path)
            if mode is not sqlite_files.OpenMode.READ_WRITE:
                database, kwargs = sqlite_files.read_only_uri(self.path, mode), {"uri": True}
                self.read_only = True
        # isolation_level=None: the driver never begins transactions; write_cursor() does.
        conn = sqlite3.connect(database, **{**kwargs, "check_same_thread": False,
                                            "timeout": self.busy_timeout,
                                            "isolation_level": None})
        try:
            if not self.is_memory and not self.read_only:
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                except sqlite3.Error:  # read-only file, or locked at open: keep the current mode
                    pass
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys=OFF")
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_open(self) -> None:
        if self._disposed:
            raise StorageError(f"{self.describe()} was closed (Instance.dispose() was called); "
                               "open a new instance.")
        if self._pid != os.getpid():  # forked: never use the parent's SQLite handle
            self._raw = None
            self._conn = None
            if "engine" in self.__dict__:
                self.engine.dispose(close=False)
            self._pid = os.getpid()

    def _sqlite_connection(self) -> sqlite3.Connection:
        self._check_open()
        if self._raw is None:
            self._raw = self._open_sqlite()
        return self._raw

    def _connection(self) -> Connection:
        self._check_open()
        if self._conn is None:
            self._conn = self.engine.connect()
        return self._conn

    def dispose(self) -> None:
        with self._lock:
            if self._disposed:
                return
            self._disposed = True
            here = self._pid == os.getpid()
            if self._conn is not None and here:
                self._conn.close()
            self._conn = None
            if "engine" in self.__dict__:
                self.engine.dispose(close=here)
            if self._raw is not None and here:
                self._raw.close()
            self._raw = None

    # ------------------------------------------------------------ DB-API access

    def sql(self, text: str) -> str:
        """``text``, written with ``?`` parameters, in this driver's parameter style."""
        if self.is_sqlite:
            return text
        converted = self._sql.get(text)
        if converted is None:
            converted = self._sql[text] = text.replace("%", "%%").replace("?", "%s")
        return converted

    @contextmanager
    def write_cursor(self) -> Iterator[Any]:
        """A DB-API cursor in one write transaction: commits on success, rolls back on any
        error. Pass SQL through ``sql()`` unless it only ever runs on SQLite."""
        if not self.is_sqlite:
            with self._pooled_cursor(self.write()) as cursor:
                yield cursor
            return
        with self._lock, self.translate_errors():
            raw = self._sqlite_connection()
            if self.read_only:
                raise self.read_only_error() from None
            sqlite_cursor = raw.execute("BEGIN IMMEDIATE")
            try:
                yield sqlite_cursor
                raw.commit()
            except BaseException:
                raw.rollback()
                raise
            finally:
                sqlite_cursor.close()

    @contextmanager
    def read_cursor(self) -> Iterator[Any]:
        """A DB-API cursor for reads (SQLite: on the instance's connection, under its lock)."""
        if not self.is_sqlite:
            with self._pooled_cursor(self.read()) as cursor:
                yield cursor
            return
        with self._lock, self.translate_errors():
            sqlite_cursor = self._sqlite_connection().cursor()
            try:
                yield sqlite_cursor
            finally:
                sqlite_cursor.close()

    @staticmethod
    @contextmanager
    def _pooled_cursor(connection: AbstractContextManager[Connection]) -> Iterator[Any]:
        """A DB-API cursor on a pooled SQLAlchemy connection (PostgreSQL)."""
        with connection as conn:
            cursor = conn.connection.cursor()
            try:
                yield cursor
            finally:
                cursor.close()

    # ------------------------------------------------------- SQLAlchemy access

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: commits on success, rolls back on any error."""
        if not self.is_sqlite:
            with self.translate_errors(), self._pg_connect() as conn, conn.begin():
                yield conn
            return
        with self._lock, self.translate_errors():
            conn = self._connection()
            if self.read_only:
                raise self.read_only_error() from None
            with conn.begin():
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (SQLite: the instance's connection, under its lock)."""
        if not self.is_sqlite:
            with self.translate_errors(), self._pg_connect() as conn:
                yield conn
            return
        with self._lock, self.translate_errors():
            conn = self._connection()
            with conn.begin():
                yield conn

    def _pg_connect(self) -> Connection:
        """A pooled connection (checked with a ping); while the server cannot be reached,
        retried with backoff for up to ``reconnect_seconds`` (a restart, a fail-over), then the
        error; an instance that never reached its server fails at once. Only the checkout is
        retried: a transaction already begun is never replayed."""
        import sqlalchemy as sa

        delay, deadline = 0.05, time.monotonic() + self.reconnect_seconds
        while True:
            try:
                conn = self.engine.connect()
                self._pg_reached = True
                return conn
            except sa.exc.OperationalError as exc:
                low = str(exc.orig).lower()
                # A server never reached is bad input (a wrong URL): say so at once.
                transient = self._pg_reached and not any(
                    s in low for s in _PERMANENT_CONNECT_ERRORS)
                if not transient or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def insert(self, table: sa.Table) -> Any:
        """The dialect's INSERT, which has ``on_conflict_do_update`` on SQLite and PostgreSQL."""
        if self.dialect_name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)

    # ------------------------------------------------------------------ errors

    def describe(self) -> str:
        if self.is_memory:
            return "the in-memory Headwater database"
        return f"the Headwater database at {self.location()}"

    def location(self) -> str:
        """The file, or the URL without its password."""
        if self.is_memory:
            return ":memory:"
        if self.path is not None:
            return self.path
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)

    def _is_unusable(self, exc: BaseException) -> bool:
        """Whether a driver error means the database cannot be used (vs. a programming error)."""
        sa_exc = sys.modules.get("sqlalchemy.exc")
        if sa_exc is not None and isinstance(exc, sa_exc.DBAPIError):
            return type(exc).__name__ not in _PASS_THROUGH
        dbapi = self.dbapi
        if not isinstance(exc, dbapi.Error):
            return False
        return not isinstance(exc, tuple(getattr(dbapi, n) for n in _PASS_THROUGH))

    @contextmanager
    def translate_errors(self) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            if self._is_unusable(exc):
                raise self.storage_error(exc) from None
            raise

    def storage_error(self, exc: Exception) -> StorageError:
        orig = getattr(exc, "orig", None)
        cause = orig if orig is not None else exc
        detail = str(cause)
        where = self.describe()
        if not self.is_sqlite:
            err = StorageError(self._postgres_message(where, detail, detail.lower()))
        else:
            problem = sqlite_files.classify(cause)
            if problem is sqlite_files.Problem.MISSING_TABLE and self.schema_behind:
                revision, head = self.schema_behind
                err = StorageError(
                    f"{where} has schema revision {revision}, older than this Headwater's "
                    f"{head}, and is opened read-only, so it was not upgraded; this command "
                    f"needs what the upgrade adds ({detail}). Run `headwater instance migrate` "
                    "with write access to the instance, then retry.")
            else:
                err = sqlite_files.storage_error(problem, where, self.path, detail,
                                                 self.busy_timeout)
        err.original = cause  # type: ignore[attr-defined]
        return err

    def read_only_error(self) -> ReadOnlyInstanceError:
        """The error a write on a read-only database raises (before SQLite is asked)."""
        return ReadOnlyInstanceError(sqlite_files.read_only_message(self.describe(), self.path))

    def _postgres_message(self, where: str, detail: str, low: str) -> str:
        first = detail.strip().splitlines()[0] if detail.strip() else detail
        if "password authentication failed" in low or "no password supplied" in low:
            return (f"PostgreSQL refused the user name or password for {where} ({first}). Fix "
                    "the username and password (storage.postgres in dagster.yaml, or the URL).")
        if "does not exist" in low and "database" in low:
            return (f"{where} does not exist on that PostgreSQL server ({first}). Create it "
                    "(`createdb NAME`, or CREATE DATABASE) or fix db_name in dagster.yaml.")
        if "role" in low and "does not exist" in low:
            return (f"PostgreSQL has no such user for {where} ({first}). Create the role or fix "
                    "the username.")
        if any(s in low for s in ("connection refused", "could not connect", "connection failed",
                                  "could not translate host name", "server closed the connection",
                                  "terminating connection", "connection is closed",
                                  "consuming input failed", "the connection is lost")):
            return (f"Cannot reach PostgreSQL for {where} ({first}). Check that the server is "
                    "running and reachable at that host and port, then retry.")
        if "read-only" in low or "read only" in low:
            return (f"{where} is read-only (a standby or a read-only transaction), so Headwater "
                    "cannot write to it. Point Headwater at the primary server.")
        if "no space left" in low or "disk full" in low:
            return f"{where} could not be written: the server's disk is full. Free some space."
        return f"{where} could not be used: {first}"
