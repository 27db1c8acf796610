"""PostgreSQL for the benchmarks: a real server with fsync on, a fresh database per measurement.

The server is `tools/pg_server.py` (the one the tests start), run here with `fsync=True` so that
commits are durable as in production. `compare.py` starts one server for the whole comparison
and passes its URL (`--postgres-url`) to every script, so Headwater and Dagster use the same
server in one run; a script run by hand with `--postgres` starts its own.

Databases are created with whichever driver the interpreter has: psycopg 3 (Headwater's venv) or
psycopg2 (Dagster's, from dagster-postgres). Both libraries read the database from
`dagster.yaml` in the home; Headwater is given the plain `postgresql://` URL (it uses
psycopg 3), Dagster `postgresql+psycopg2://` (dagster-postgres' driver; SQLAlchemy 2.1 would
otherwise pick psycopg 3, which Dagster's venv does not have).
"""

from __future__ import annotations

import atexit
import itertools
import os
import secrets
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from pg_server import PostgresServer, find_bindir  # noqa: E402

_names = itertools.count()


def start_server() -> PostgresServer:
    """A throwaway PostgreSQL server with fsync on (realistic durability); call `.stop()`."""
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed: no initdb on PATH or under "
                         "/usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return PostgresServer(bindir, fsync=True).start()


def server_url(given: str | None) -> str:
    """`given` (a URL of the server's `postgres` database), else a server for this process."""
    if given:
        return given
    server = start_server()
    atexit.register(server.stop)
    return server.url("postgres", driver=None)


def _connect(url: str):
    try:
        import psycopg

        return psycopg.connect(url, autocommit=True)
    except ImportError:
        import psycopg2

        conn = psycopg2.connect(url)
        conn.autocommit = True
        return conn


def new_database(admin_url: str, prefix: str = "bench") -> str:
    """Create an empty database on the server of `admin_url`; its URL. Dropped at exit."""
    name = f"{prefix}_{os.getpid()}_{next(_names)}_{secrets.token_hex(3)}"
    conn = _connect(admin_url)
    try:
        conn.cursor().execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    atexit.register(_drop, admin_url, name)
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop(admin_url: str, name: str) -> None:
    try:
        conn = _connect(admin_url)
    except Exception:  # the server is already gone (compare.py stops it)
        return
    try:
        conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception:
        pass
    finally:
        conn.close()


def configure_home(dg: ModuleType, home: str, db_url: str | None) -> None:
    """Point `home` at the PostgreSQL database `db_url` (nothing for SQLite) the way both
    libraries document it: `storage: postgres: postgres_url:` in `$DAGSTER_HOME/dagster.yaml`
    (Dagster through dagster-postgres). Asset values and compute logs stay under `home`."""
    if db_url is None:
        return
    if dg.__name__ == "dagster":
        db_url = db_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    with open(os.path.join(home, "dagster.yaml"), "w") as f:
        f.write(f'storage:\n  postgres:\n    postgres_url: "{db_url}"\n')


def open_instance(dg: ModuleType):
    """The instance of the current `$DAGSTER_HOME`/`$HEADWATER_HOME` (see `configure_home`)."""
    return dg.DagsterInstance.get()
