"""The instance's database handle: one connection, explicit transactions, clear errors.

SQLite: ONE connection per instance, opened on first use and held until ``dispose()``, shared
by threads under a lock; WAL mode, ``synchronous=NORMAL``, a busy timeout. Writes take the write
lock up front (``BEGIN IMMEDIATE``) so a busy database fails fast and whole, never half-way.
PostgreSQL: a small connection pool, one transaction per call.

Every driver error that means "the database cannot be used right now" (locked, read-only,
missing folder, corrupt file) becomes a ``StorageError`` that names the database and says what
to do; programming errors (bad SQL, integrity violations) pass through unchanged.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import StaticPool

from headwater.definitions.errors import StorageError

DEFAULT_BUSY_TIMEOUT = 5.0

_PASS_THROUGH = (sa_exc.IntegrityError, sa_exc.ProgrammingError, sa_exc.DataError,
                 sa_exc.InterfaceError, sa_exc.NotSupportedError)


class Database:
    """A database URL opened for the instance. Use ``read()``/``write()`` for every access."""

    def __init__(self, url: str | sa.URL, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT):
        self.url = make_url(url)
        self.dialect_name = self.url.get_backend_name()
        self.is_sqlite = self.dialect_name == "sqlite"
        database = self.url.database or ""
        self.is_memory = self.is_sqlite and (
            database in ("", ":memory:") or self.url.query.get("mode") == "memory")
        self.path: str | None = None
        if self.is_sqlite and not self.is_memory:
            self.path = os.path.abspath(database[5:] if database.startswith("file:") else database)
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: Connection | None = None
        self._pid = os.getpid()
        self._disposed = False
        self.engine = self._create_engine()

    # ------------------------------------------------------------------ setup

    def _create_engine(self) -> Engine:
        if not self.is_sqlite:
            return sa.create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        engine = sa.create_engine(
            self.url, poolclass=StaticPool,
            connect_args={"check_same_thread": False, "timeout": self.busy_timeout})
        sa.event.listen(engine, "connect", self._configure_sqlite)
        return engine

    def _configure_sqlite(self, dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the driver: BEGIN is issued by write() itself.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            if not self.is_memory:
                try:
                    cur.execute("PRAGMA journal_mode=WAL")
                except Exception:  # read-only file, or locked at open: keep the current mode
                    pass
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            cur.execute("PRAGMA foreign_keys=OFF")
        finally:
            cur.close()

    def _connection(self) -> Connection:
        if self._disposed:
            raise StorageError(f"{self.describe()} was closed (Instance.dispose() was called); "
                               "open a new instance.")
        if self._pid != os.getpid():  # forked: never use the parent's SQLite handle
            self._conn = None
            self.engine.dispose(close=False)
            self._pid = os.getpid()
        if self._conn is None:
            self._conn = self.engine.connect()
        return self._conn

    def dispose(self) -> None:
        with self._lock:
            if self._disposed:
                return
            self._disposed = True
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None
            self.engine.dispose()

    @property
    def disposed(self) -> bool:
        return self._disposed

    # ------------------------------------------------------------ transactions

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: commits on success, rolls back on any error."""
        if not self.is_sqlite:
            with self.translate_errors(), self.engine.begin() as conn:
                yield conn
            return
        with self._lock, self.translate_errors():
            conn = self._connection()
            with conn.begin():
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (SQLite: the instance's connection, under its lock)."""
        if not self.is_sqlite:
            with self.translate_errors(), self.engine.connect() as conn:
                yield conn
            return
        with self._lock, self.translate_errors():
            conn = self._connection()
            with conn.begin():
                yield conn

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
        if self.path is not None:
            return f"the Headwater database at {self.path}"
        return f"the Headwater database at {self.url.render_as_string(hide_password=True)}"

    @contextmanager
    def translate_errors(self) -> Iterator[None]:
        try:
            yield
        except sa_exc.DBAPIError as exc:
            if isinstance(exc, _PASS_THROUGH):
                raise
            raise self.storage_error(exc) from None
        except self.engine.dialect.loaded_dbapi.Error as exc:  # raw DB-API calls on the hot path
            if isinstance(exc, self.engine.dialect.loaded_dbapi.IntegrityError):
                raise
            raise self.storage_error(exc) from None

    def storage_error(self, exc: Exception) -> StorageError:
        orig = getattr(exc, "orig", None)
        detail = str(orig) if orig is not None else str(exc)
        low = detail.lower()
        where = self.describe()
        if "locked" in low or "busy" in low:
            text = (f"{where} is locked: another process has held its write lock for more than "
                    f"{self.busy_timeout:g}s. Wait for that process (another run, "
                    "`headwater dev` or the daemon using the same HEADWATER_HOME) to finish or "
                    "stop it, then retry. Nothing was written by this call.")
        elif "readonly" in low or "read-only" in low or "read only" in low:
            text = (f"{where} is read-only, so Headwater cannot write to it. Make the file, its "
                    "folder and its -wal/-shm files writable by this user, or set "
                    "HEADWATER_HOME to a writable folder. Nothing was written by this call.")
        elif "unable to open" in low:
            folder = os.path.dirname(self.path) if self.path else None
            text = (f"Cannot open {where}: "
                    + (f"the folder {folder} is missing or not accessible to this user. "
                       if folder else "")
                    + "Create it (or fix its permissions), or set HEADWATER_HOME to a writable "
                    "folder.")
        elif "not a database" in low or "malformed" in low:
            text = (f"{where} is not a readable Headwater database (corrupt or another kind of "
                    "file). Move it aside and let Headwater create a new one.")
        elif "is full" in low:
            text = f"{where} could not be written: the disk is full. Free some space and retry."
        else:
            text = f"{where} could not be used: {detail}"
        err = StorageError(text)
        err.original = orig if orig is not None else exc  # type: ignore[attr-defined]
        return err
