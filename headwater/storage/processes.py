"""Which process runs something, and whether it still does: host, pid, and the process's
start time, so that a pid the system gave to another process since is not taken for it.

Pure Python, no database: the run health checks (``run_health.py``) and backfills
(``execution/backfill.py``) decide "is that process gone?" here, in one place.

On Linux a process is known by ``(host, pid namespace, pid, start time)``: the start time is
field 22 of ``/proc/<pid>/stat`` (clock ticks since boot) and the namespace is the boot id and
the pid namespace, i.e. where that pid means that process. A process recorded in the same
namespace is checked directly (no such pid, or a pid with another start time, means it is
gone). Elsewhere (another host, a container with its own pids, a reboot) it cannot be checked
from here: the caller falls back on the heartbeat its process refreshes. Off Linux the
namespace and start time are unknown and a same-host pid is checked with ``kill(pid, 0)``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import NamedTuple


class ProcessIdentity(NamedTuple):
    """A process: its host name and pid, and on Linux where that pid is meaningful
    (``namespace``) and when the process started (``start``)."""

    host: str
    pid: int
    namespace: str | None = None
    start: str | None = None

    def describe(self) -> str:
        return f"pid {self.pid} on host {self.host}"

    # Backfills record their runner as one string: "host:pid" (older) or
    # "host:pid:namespace:start" (colons never appear in the namespace or the start).
    def encode(self) -> str:
        if self.namespace is None or self.start is None:
            return f"{self.host}:{self.pid}"
        return f"{self.host}:{self.pid}:{self.namespace}:{self.start}"

    @staticmethod
    def decode(text: str) -> ProcessIdentity | None:
        """The identity ``encode`` wrote; None for text that is not one."""
        parts = text.rsplit(":", 3)
        if len(parts) == 4 and parts[1].isdigit() and "/" in parts[2]:
            return ProcessIdentity(parts[0], int(parts[1]), parts[2], parts[3])
        host, _, pid = text.rpartition(":")
        if not host or not pid.isdigit():
            return None
        return ProcessIdentity(host, int(pid))


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


@lru_cache(maxsize=1)
def _namespace() -> str | None:
    """This machine boot's pid namespace, as ``<boot id>/<pid namespace inode>``; None when
    not on Linux."""
    boot = _read("/proc/sys/kernel/random/boot_id")
    try:
        pid_ns = os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
    except OSError:
        return None
    if not boot:
        return None
    return f"{boot}/{pid_ns.partition('[')[2].rstrip(']') or pid_ns}"


def start_time(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), None if there is no
    such process or it cannot be read (not Linux)."""
    stat = _read(f"/proc/{pid}/stat")
    if stat is None:
        return None
    # "pid (command) state ppid ...": the command may hold spaces and parentheses
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


_current: tuple[int, ProcessIdentity] | None = None


def host_name() -> str:
    """This machine's name (``socket.gethostname()``, without importing socket on POSIX)."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return str(uname().nodename)
    import socket

    return socket.gethostname()


def current_process() -> ProcessIdentity:
    """This process (computed once per process; a forked child computes its own)."""
    global _current
    pid = os.getpid()
    if _current is None or _current[0] != pid:
        namespace = _namespace()
        start = start_time(pid) if namespace is not None else None
        _current = (pid, ProcessIdentity(host_name(), pid,
                                         namespace if start is not None else None, start))
    return _current[1]


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by another user
        return True
    except (OverflowError, ValueError):
        return False
    return True


def can_check(process: ProcessIdentity) -> bool:
    """Whether this process can see ``process``'s pid (same host, same pid namespace)."""
    here = current_process()
    if process.host != here.host:
        return False
    if process.namespace is not None and here.namespace is not None:
        return process.namespace == here.namespace
    return True


def gone_reason(process: ProcessIdentity) -> str | None:
    """Why ``process`` is known to be gone (checked here and now), or None if it lives or
    cannot be checked from this process (``can_check`` is False)."""
    here = current_process()
    if process == here or not can_check(process):
        return None
    if process.namespace is not None and here.namespace is not None:
        started = start_time(process.pid)
        if started is None:
            return f"no process has pid {process.pid} any more"
        if process.start is not None and started != process.start:
            return (f"pid {process.pid} now belongs to another process (the system reused "
                    "the pid)")
        return None
    if process.pid == here.pid or _pid_exists(process.pid):
        return None
    return f"no process has pid {process.pid} any more"


def is_alive(process: ProcessIdentity | None) -> bool:
    """Whether ``process`` may still run: True unless it is known to be gone."""
    return process is not None and gone_reason(process) is None
