"""A real, throwaway PostgreSQL server: ``initdb`` + ``pg_ctl`` on a temp folder, loopback only.

Shared by the tests (``tests/conftest.py``: fsync off, for speed) and the benchmarks
(``bench/_pg.py``: fsync on, for realistic durability). Standard library only, so that both
virtualenvs can import it (``admin()`` alone needs psycopg 3).

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user
(``runuser -u postgres --``) on a folder it owns. The server listens on 127.0.0.1 on a free
port and on a Unix socket in its own folder, and is stopped (``-m immediate``) at the end.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence

_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def find_bindir() -> str | None:
    """The folder of ``initdb``/``pg_ctl``: on PATH, else Debian's newest versioned folder."""
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(os.path.realpath(found))
    folders = sorted(glob.glob(_BIN_GLOB), key=lambda p: int(p.split("/")[-2].split(".")[0]))
    return folders[-1] if folders else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One throwaway cluster; ``url(db)`` gives a psycopg 3 SQLAlchemy URL for a database."""

    def __init__(self, bindir: str, *, fsync: bool = False):
        self.bindir = bindir
        self.fsync = fsync
        self.root = tempfile.mkdtemp(prefix="headwater-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = 0
        self.password = "headwater-test"
        self._as_postgres = os.geteuid() == 0
        self._names = itertools.count()

    def _run(self, args: Sequence[str]) -> None:
        cmd = [os.path.join(self.bindir, args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            log = os.path.join(self.root, "server.log")
            tail = open(log).read()[-2000:] if os.path.exists(log) else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n"
                               f"{done.stdout}\n{done.stderr}\n{tail}")

    def start(self) -> PostgresServer:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        pwfile = os.path.join(self.root, "pwfile")
        with open(pwfile, "w") as f:
            f.write(self.password + "\n")
        if self._as_postgres:
            shutil.chown(pwfile, "postgres", "postgres")
        # Password authentication over TCP, so that tests can check a wrong password.
        self._run(["initdb", "-D", self.data, "--auth-local=trust",
                   "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "-U", "postgres",
                   "-E", "UTF8", "--no-sync", "--no-instructions"])
        self.port = _free_port()
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   f"-c max_connections=300 -c fsync={'on' if self.fsync else 'off'}")
        if not self.fsync:
            options += " -c synchronous_commit=off -c full_page_writes=off"
        self._run(["pg_ctl", "-D", self.data, "-l", os.path.join(self.root, "server.log"),
                   "-w", "-o", options, "start"])
        return self

    def stop(self) -> None:
        if self.port:
            try:
                self._run(["pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"])
            finally:
                self.port = 0
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", *, driver: str | None = "psycopg") -> str:
        """A SQLAlchemy URL; ``driver=None`` gives a plain ``postgresql://`` URL."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement on the ``postgres`` database, outside a transaction."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres "
                             f"password={self.password}",
                             autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, prefix: str = "test") -> str:
        """A new empty database; returns its name."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
