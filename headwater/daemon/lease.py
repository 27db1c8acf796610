"""One daemon per instance: two daemons would both tick every schedule.

SQLite: an exclusive ``flock`` on ``<database>.daemon.lock`` next to the database file.
PostgreSQL: a session advisory lock held on a connection of its own. Both are released by the
operating system or the server the moment the daemon's process dies, even by SIGKILL, so a
restarted daemon never waits for a lease to expire. An in-memory database needs no lock (no
other process can reach it).
"""

from __future__ import annotations

import os
from typing import Any

_PG_LOCK_KEY = 0x4844_5752  # "HDWR": one advisory lock id for the daemon


class DaemonAlreadyRunningError(Exception):
    """Another daemon holds this instance."""


class DaemonLease:
    def __init__(self, release: Any, where: str):
        self._release = release
        self.where = where

    def release(self) -> None:
        if self._release is not None:
            self._release()
            self._release = None

    def __enter__(self) -> DaemonLease:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


def acquire_daemon_lease(instance: Any) -> DaemonLease:
    """Hold the instance for this daemon, or raise ``DaemonAlreadyRunningError``."""
    db = instance.database
    if db.is_sqlite:
        if db.path is None:
            return DaemonLease(None, "in-memory instance")
        return _file_lock(db.path + ".daemon.lock")
    return _pg_lock(db)


def _file_lock(path: str) -> DaemonLease:
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
        os.close(fd)
        raise DaemonAlreadyRunningError(
            f"Another daemon is already running on this instance ({path} is held"
            + (f" by process {holder}" if holder else "") + "). Stop it first; one daemon "
            "per instance ticks every schedule and sensor.") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)

    def release() -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    return DaemonLease(release, path)


def _pg_lock(db: Any) -> DaemonLease:
    import sqlalchemy as sa

    conn = db.engine.connect()
    got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": _PG_LOCK_KEY}).scalar()
    conn.commit()
    if not got:
        conn.close()
        raise DaemonAlreadyRunningError(
            f"Another daemon is already running on this instance ({db.describe()} holds its "
            "advisory lock). Stop it first; one daemon per instance ticks every schedule and "
            "sensor.")

    def release() -> None:
        try:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
        finally:
            conn.close()

    return DaemonLease(release, "postgres advisory lock")
