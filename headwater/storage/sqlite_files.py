"""A SQLite database file, seen from outside SQLite: how to open it, what an error means.

How to open (``open_target``): a file this user can write, in a folder it can write, opens
read-write as always (two ``access`` calls: the open path stays as fast as before). Otherwise
(permissions, a read-only mount) it opens **read-only** and Headwater never tries to write
or migrate it:

* ``mode=ro`` when the database's ``-wal`` and ``-shm`` files exist (a writer has it open, or
  left them): SQLite reads the write-ahead log through them, so recent changes are seen.
* ``mode=ro&immutable=1`` when neither exists (the file was closed cleanly, so it holds
  everything): SQLite then needs no ``-shm`` -- which a read-only folder could not hold -- and
  creates nothing beside the file. (A WAL database opened ``mode=ro`` alone must create the
  ``-shm`` file; see "Read-Only Databases" in SQLite's WAL documentation.)
* a ``-wal`` with content but no ``-shm``, in a folder where the ``-shm`` cannot be created,
  cannot be read without ignoring the log's changes: a clear error instead.

What an error means (``classify``): the SQLite result code (``sqlite_errorcode``, Python 3.11+;
the message text before that) mapped to a ``Problem``; ``storage_error`` turns it into the
``StorageError`` subclass and message the user sees.
"""

from __future__ import annotations

import enum
import os

from headwater.definitions.errors import StorageError
from headwater.storage.errors import DatabaseDamagedError, DiskFullError, ReadOnlyInstanceError

_WAL_FORMAT = 2  # header bytes 18 and 19 (write and read format versions) of a WAL database


class OpenMode(enum.Enum):
    READ_WRITE = "read-write"
    READ_ONLY = "read-only"  # mode=ro, reading the existing -wal/-shm
    IMMUTABLE = "immutable"  # mode=ro&immutable=1: nothing created beside the file


class Problem(enum.Enum):
    """What a driver error says about the database."""

    LOCKED = "locked"
    READ_ONLY = "read-only"
    CANNOT_OPEN = "cannot-open"
    DAMAGED = "damaged"
    NOT_A_DATABASE = "not-a-database"
    DISK_FULL = "disk-full"
    MISSING_TABLE = "missing-table"  # no such table/column: a schema behind this Headwater
    OTHER = "other"


# SQLite primary result codes (the low byte of an extended code).
_CODES = {5: Problem.LOCKED, 6: Problem.LOCKED, 8: Problem.READ_ONLY, 11: Problem.DAMAGED,
          13: Problem.DISK_FULL, 14: Problem.CANNOT_OPEN, 26: Problem.NOT_A_DATABASE}
_TEXTS = (("malformed", Problem.DAMAGED), ("not a database", Problem.NOT_A_DATABASE),
          ("locked", Problem.LOCKED), ("busy", Problem.LOCKED), ("readonly", Problem.READ_ONLY),
          ("read-only", Problem.READ_ONLY), ("unable to open", Problem.CANNOT_OPEN),
          ("is full", Problem.DISK_FULL), ("no such table", Problem.MISSING_TABLE),
          ("no such column", Problem.MISSING_TABLE))


def classify(exc: BaseException) -> Problem:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _CODES:
        return _CODES[code & 0xFF]
    low = str(exc).lower()
    for text, problem in _TEXTS:
        if text in low:
            return problem
    return Problem.OTHER


# ------------------------------------------------------------------------------ opening


def open_mode(path: str) -> OpenMode:
    """How to open the database file ``path`` (see the module docstring)."""
    folder = os.path.dirname(path)
    # Existence first: another process may create the file between two checks, and a file
    # that appears after "does not exist" is still one this process may write.
    if not os.path.exists(path):
        return OpenMode.READ_WRITE  # a new database: SQLite creates it, or says why it cannot
    if os.access(path, os.W_OK) and os.access(folder, os.W_OK):
        return OpenMode.READ_WRITE
    has_wal, has_shm = os.path.exists(path + "-wal"), os.path.exists(path + "-shm")
    if has_wal and has_shm:
        return OpenMode.READ_ONLY
    if not has_wal or os.path.getsize(path + "-wal") == 0:
        return OpenMode.IMMUTABLE if _is_wal(path) else OpenMode.READ_ONLY
    if os.access(folder, os.W_OK):  # SQLite can create the -shm and read the log
        return OpenMode.READ_ONLY
    raise ReadOnlyInstanceError(
        f"The Headwater database at {path} is read-only here and its write-ahead log "
        f"({os.path.basename(path)}-wal) holds changes that were never copied into it (the "
        "process writing it stopped without closing it); reading it without write access would "
        "miss them. Open it once with write access (any headwater command, e.g. `headwater run "
        "list`, run where the folder is writable), or copy the whole folder somewhere writable "
        "and point HEADWATER_HOME there.")


def _is_wal(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            header = f.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == _WAL_FORMAT


def read_only_uri(path: str, mode: OpenMode) -> str:
    """The ``sqlite3.connect(..., uri=True)`` target that opens ``path`` in ``mode``."""
    from urllib.parse import quote  # only for read-only opens (urllib costs ~3 ms to import)

    uri = "file:" + quote(path) + "?mode=ro"
    return uri + "&immutable=1" if mode is OpenMode.IMMUTABLE else uri


# ------------------------------------------------------------------------------ errors

def damage_advice(path: str | None, *, check: bool = True) -> str:
    """What to do about a damaged database file (``check``: start with `instance check`)."""
    first = "Run `headwater instance check` to see what is damaged. " if check else ""
    if path is None:
        return first + "Restore the database from a backup."
    name = os.path.basename(path)
    return (f"{first}Restore {name} from a backup, or move it aside (with its -wal and -shm "
            "files, if any) so that Headwater starts a new, empty database. To salvage what can "
            f"still be read, use the sqlite3 command-line tool: `sqlite3 {path} .recover | "
            f"sqlite3 recovered.db`, then put recovered.db in place of {name}.")


def read_only_message(where: str, path: str | None) -> str:
    folder = os.path.dirname(path) if path else None
    fix = (f"make {folder} and the files in it writable by this user (or remount that file "
           "system read-write)" if folder else "open it with write access")
    return (f"{where} is read-only (not writable by this user, or on a read-only file system): "
            "Headwater can read it (`headwater run list`, `run show`, `asset list`...) but "
            f"cannot record anything in it. To run or change anything, {fix}, or set "
            "HEADWATER_HOME to a writable folder. Nothing was written by this call.")


def storage_error(problem: Problem, where: str, path: str | None, detail: str,
                  busy_timeout: float) -> StorageError:
    """The error the user sees for a SQLite database that cannot be used."""
    cls: type[StorageError] = StorageError
    if problem is Problem.LOCKED:
        text = (f"{where} is locked: another process has held its write lock for more than "
                f"{busy_timeout:g}s. Wait for that process (another run, `headwater dev` or "
                "the daemon using the same HEADWATER_HOME) to finish or stop it, then retry. "
                "Nothing was written by this call.")
    elif problem is Problem.READ_ONLY:
        cls, text = ReadOnlyInstanceError, read_only_message(where, path)
    elif problem is Problem.CANNOT_OPEN:
        text = _cannot_open(where, path)
    elif problem is Problem.DAMAGED:
        cls = DatabaseDamagedError
        text = (f"{where} is damaged (SQLite: {detail}). Nothing more was written to it by this "
                f"call. {damage_advice(path)}")
    elif problem is Problem.NOT_A_DATABASE:
        cls = DatabaseDamagedError
        text = (f"{where} is not a SQLite database: its first page is damaged, or another "
                f"program wrote another kind of file there. {damage_advice(path)}")
    elif problem is Problem.DISK_FULL:
        cls = DiskFullError
        text = (f"{where} could not be written: the disk is full"
                + (f" (no space left on the file system of {os.path.dirname(path)})" if path
                   else "")
                + ". Nothing was written by this call; what was stored before is intact. Free "
                "some space and retry.")
    else:
        text = f"{where} could not be used: {detail}"
    return cls(text)


def _cannot_open(where: str, path: str | None) -> str:
    folder = os.path.dirname(path) if path else None
    if folder is None:
        return f"Cannot open {where}."
    if not os.path.isdir(folder):
        why = f"the folder {folder} is missing or not accessible to this user"
    elif not os.access(folder, os.R_OK | os.X_OK):
        why = f"this user may not read the folder {folder}"
    elif path is not None and not os.path.exists(path) and not os.access(folder, os.W_OK):
        why = (f"there is no database in {folder} yet, and the folder is read-only (permissions "
               "or a read-only file system), so none can be created")
    elif path is not None and os.path.exists(path) and not os.access(path, os.R_OK):
        why = "this user may not read the file"
    else:
        why = "SQLite could not open the file or create its -wal/-shm files beside it"
    return (f"Cannot open {where}: {why}. Fix the permissions (or create the folder), or set "
            "HEADWATER_HOME to a folder this user can write to.")
