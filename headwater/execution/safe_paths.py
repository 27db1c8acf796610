"""File names that always fit, and files written whole that readers never see half-written.

Used by the default IO manager (``pickle_io.py``) and the compute logs (``compute_logs.py``).

- **Names that fit.** A file-system name component holds at most 255 bytes; a valid asset key
  part, partition key or step key can be longer. ``fit_name`` keeps every name that fits as it
  is (so what worked before keeps its path) and turns one that does not, or one that would
  mean something else in a path (``.``, ``..``, a ``/``, a NUL), into a readable prefix, ``~``
  and 16 hex digits of the SHA-256 of the whole name: still unique, still within the limit.
  ``fit_parts`` also bounds the whole relative path (``MAX_RELATIVE`` bytes): past it, the
  trailing components are folded into one such name. The result depends only on the names, not
  on where the base folder is, so a value is found again by the same key from anywhere.
- **Atomic whole-file writes.** ``write_whole`` writes to a temporary file with a name unique to
  this writer (process id, thread id, a random token of this process, a counter; created with
  ``O_EXCL``) in the target's own folder, then renames it over the target (``os.replace``).
  Concurrent writers of one target never share a temporary file; readers see the old or the new
  content, never a mix; the temporary file is removed on any error.
"""

from __future__ import annotations

import itertools
import os
import threading

NAME_MAX = 255  # bytes per path component (ext4, xfs, btrfs, APFS, NTFS: 255 units)
MAX_RELATIVE = 1024  # bytes of a path below its base folder (PATH_MAX is 4096 on Linux)
HASH_MARK = "~"
_HASH_DIGITS = 16
_SHORT_PREFIX = 96  # bytes of the original name kept in a shortened one
_TEMP_SUFFIX = ".tmp"
_WRITE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                | getattr(os, "O_CLOEXEC", 0))

_counter = itertools.count()
_token: tuple[int, str] = (-1, "")


def _digest(name: str) -> str:
    import hashlib  # only for names that need shortening: OpenSSL takes ~5 ms to load

    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_DIGITS]


def _prefix(name: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes of ``name``, unsafe characters replaced by ``_``."""
    if name.isascii() and len(name) <= limit and name.isidentifier():  # the common case
        return name
    cleaned = name.replace("/", "_").replace("\\", "_").replace("\0", "_")
    return cleaned.encode("utf-8", "surrogatepass")[:limit].decode("utf-8", "ignore")


def is_plain(name: str, limit: int = NAME_MAX) -> bool:
    """True if ``name`` can be used as a path component as it is, within ``limit`` bytes."""
    return (name not in ("", ".", "..") and "/" not in name and "\\" not in name
            and "\0" not in name and len(name.encode("utf-8", "surrogatepass")) <= limit)


def shortened(name: str) -> str:
    """``name`` as a component that fits and stays unique: a prefix, ``~``, a hash."""
    return f"{_prefix(name, _SHORT_PREFIX)}{HASH_MARK}{_digest(name)}"


def fit_name(name: str, reserve: int = 0) -> str:
    """``name`` as one path component, leaving ``reserve`` bytes for a suffix (``.out``)."""
    return name if is_plain(name, NAME_MAX - reserve) else shortened(name)


def fit_parts(parts: list[str]) -> list[str]:
    """Path components below a base folder for ``parts`` (which may contain ``/``): each one
    fitted; past ``MAX_RELATIVE`` bytes in all, the rest folded into one shortened name."""
    segments = [seg for part in parts for seg in part.split("/")]
    fitted = [fit_name(seg) for seg in segments]
    total = sum(len(f.encode("utf-8", "surrogatepass")) + 1 for f in fitted)
    if total <= MAX_RELATIVE:
        return fitted
    budget = MAX_RELATIVE - len(shortened("x" * _SHORT_PREFIX)) - 1
    kept: list[str] = []
    for f in fitted:
        size = len(f.encode("utf-8", "surrogatepass")) + 1
        if size > budget:
            break
        kept.append(f)
        budget -= size
    return [*kept, shortened("/".join(segments[len(kept):]))]


def _temp_name(name: str) -> str:
    """A temporary name next to ``name``, unique to this writer; hidden, and short enough."""
    global _token
    pid = os.getpid()
    if _token[0] != pid:  # a new process (or a forked child): a token of its own
        _token = (pid, os.urandom(6).hex())
    return (f".{_prefix(name, 64)}.{pid}.{threading.get_ident()}.{_token[1]}"
            f".{next(_counter)}{_TEMP_SUFFIX}")


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and name.endswith(_TEMP_SUFFIX)


def write_whole(path: str, data: bytes | memoryview, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically (see the module docstring). The folder must exist;
    ``FileNotFoundError`` otherwise. Any ``OSError`` propagates, with nothing left behind."""
    folder, name = os.path.split(path)
    while True:
        tmp = os.path.join(folder, _temp_name(name))
        try:
            fd = os.open(tmp, _WRITE_FLAGS, mode)
        except FileExistsError:  # a leftover of a dead process with our pid: next name
            continue
        break
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)  # readers never see a half-written value
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
