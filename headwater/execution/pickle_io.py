"""Pickle files per asset: the default IO manager's storage, without pydantic.

``FilesystemIOManager`` (the configurable, Dagster-named class in ``io_managers.py``) and the
default IO manager of a run both store through ``store_pickle``/``load_pickle``.
"""

from __future__ import annotations

import errno
import functools
import os
import pickle
import tempfile
from typing import Any

from headwater.definitions.io_manager import IOManager
from headwater.definitions.metadata import PathMetadataValue
from headwater.execution.safe_paths import fit_parts, write_whole

_FALLBACK_BASE: dict[str, str] = {}

# What an OSError's errno means to a user, and what to do about it.
_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full (no space left on device)",
                   "Free space on that file system (or give the IO manager a base_dir on another "
                   "one), then re-execute the run from failure."),
    errno.EDQUOT: ("the disk quota is exceeded",
                   "Free space within your quota (or give the IO manager a base_dir elsewhere), "
                   "then re-execute the run from failure."),
    errno.EROFS: ("the file system is read-only",
                  "Give the IO manager a base_dir on a writable file system."),
    errno.EACCES: ("permission denied",
                   "Make that folder readable and writable by this user, or give the IO manager "
                   "another base_dir."),
    errno.EPERM: ("the operation is not permitted",
                  "Make that folder readable and writable by this user, or give the IO manager "
                  "another base_dir."),
    errno.EIO: ("an input/output error (the disk may be failing)",
                "Check the disk, then re-execute the run from failure."),
    errno.ENOENT: ("nothing is stored there: materialize it first", ""),
}


class IOManagerStorageError(OSError):
    """A shipped IO manager could not store or load a value: its storage failed (a full disk,
    missing permissions, a damaged file), not the user's code. Names what, where and what to do.
    ``io_manager_key`` is set by the step that called the IO manager, for the message."""

    def __init__(self, action: str, subject: str, path: str, manager: str = "",
                 cause: BaseException | None = None):
        code = getattr(cause, "errno", None)
        super().__init__(code or 0, str(cause) if cause is not None else "")
        self.filename = path
        self.action, self.subject, self.path, self.manager = action, subject, path, manager
        self.io_manager_key: str | None = None
        if code in _REASONS:
            self.reason, self.advice = _REASONS[code]
        elif isinstance(cause, OSError):
            self.reason = cause.strerror or str(cause)
            self.advice = "Check that folder and its file system."
        else:  # a damaged file
            self.reason = f"the stored file is damaged ({type(cause).__name__}: {cause})"
            self.advice = "Materialize it again."

    def __str__(self) -> str:
        who = "IO manager"
        if self.io_manager_key:
            who += f" {self.io_manager_key!r}"
        if self.manager:
            who += f" ({self.manager})"
        where = "at" if self.action == "store" else "from"
        return (f"{who} could not {self.action} {self.subject} {where} {self.path}: "
                f"{self.reason}" + (f". {self.advice}" if self.advice else ""))

    def __reduce__(self) -> Any:  # crosses from a worker process to the launcher
        return (_rebuild, (type(self), self.errno, self.strerror, dict(self.__dict__)))


class StoredValueNotFoundError(IOManagerStorageError, FileNotFoundError):
    """Nothing is stored for the value asked for (also a ``FileNotFoundError``)."""


def _rebuild(cls: type[IOManagerStorageError], code: int | None, strerror: str | None,
             state: dict[str, Any]) -> IOManagerStorageError:
    error = cls.__new__(cls)
    OSError.__init__(error, code or 0, strerror or "")
    error.__dict__.update(state)
    error.filename = state.get("path")
    return error


def base_dir_for(configured: str | None, context: Any) -> str:
    if configured:
        return configured
    base = getattr(context, "_default_base_dir", None) or _FALLBACK_BASE.get("dir")
    if base is None:
        base = _FALLBACK_BASE.setdefault("dir", tempfile.mkdtemp(prefix="headwater-storage-"))
    return base


_MADE_DIRS: set[str] = set()


def partition_keys(context: Any) -> list[str] | None:
    """The asset partitions an IO context covers, when there are several (else None)."""
    scope = getattr(context, "_asset_partitions", None)
    if scope is None or (len(scope.keys) == 1 and not scope.is_range):
        return None
    return scope.keys


def _file(context: Any, key: str | None = None) -> list[str]:
    """Path parts of a value: the asset key path, then the partition key; a multi-dimensional
    key is one folder per dimension, in dimension-name order (as Dagster's IO managers)."""
    scope = getattr(context, "_asset_partitions", None)
    if scope is None or not context.has_asset_key:
        return list(context.get_identifier())
    key = scope.keys[0] if key is None else key
    if getattr(scope.definition, "partition_dimension_names", None) is not None \
            or hasattr(key, "keys_by_dimension"):
        return [*context.asset_key.path, *key.split("|")]
    return [*context.asset_key.path, key]


def store_pickle(base: str, context: Any, obj: Any, manager: str = "") -> None:
    """One file per asset (per partition of a partitioned asset). ``manager`` names the IO
    manager in errors."""
    keys = partition_keys(context)
    if keys is None:
        _store_one(base, context, _file(context), obj, manager)
        return
    check_partitioned_value(context, keys, obj)
    for key in keys:
        _store_one(base, context, _file(context, key), obj[key], manager)


def check_partitioned_value(context: Any, keys: list[str], obj: Any) -> None:
    """A value for several partitions must be a dict with one entry per partition."""
    if not isinstance(obj, dict) or set(obj) != set(keys):
        got = (f"a dict with keys {sorted(obj)[:3]}" if isinstance(obj, dict)
               else f"a {type(obj).__name__}")
        raise TypeError(
            f"Asset {context.asset_key.to_user_string()!r} covers {len(keys)} partitions in this "
            f"run ({keys[0]!r} to {keys[-1]!r}), so its IO manager stores one value per "
            f"partition: return a dict {{partition_key: value}} with exactly those keys (got "
            f"{got}), or return MaterializeResult and write the data yourself.")


def value_path(base: str, identifier: list[str]) -> str:
    """Where a value with this identifier lives: every component fits (``safe_paths.py``)."""
    return _value_path(base, tuple(identifier))


@functools.lru_cache(maxsize=4096)
def _value_path(base: str, identifier: tuple[str, ...]) -> str:
    return os.path.join(base, *fit_parts(list(identifier)))


def _store_one(base: str, context: Any, identifier: list[str], obj: Any, manager: str) -> None:
    path = value_path(base, identifier)
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)  # the value's own failure
    folder = os.path.dirname(path)
    try:
        if folder not in _MADE_DIRS:  # one mkdir per folder per process, not per value
            os.makedirs(folder, exist_ok=True)
            _MADE_DIRS.add(folder)
        try:
            write_whole(path, data)
        except FileNotFoundError:  # the folder was removed behind our back
            _MADE_DIRS.discard(folder)
            os.makedirs(folder, exist_ok=True)
            write_whole(path, data)
    except OSError as e:
        raise IOManagerStorageError("store", _subject(context, "store"), path, manager, e) from e
    context.add_output_metadata({"path": PathMetadataValue(path)})


def _subject(context: Any, action: str) -> str:
    if context.has_asset_key:
        what = "the output" if action == "store" else "the stored value"
        return f"{what} of asset {context.asset_key.to_user_string()!r}"
    step, name = getattr(context, "step_key", None), getattr(context, "name", None)
    upstream = getattr(context, "upstream_output", None)
    if upstream is not None:
        step, name = upstream.step_key, upstream.name
    return f"output {name!r} of step {step!r}"


def load_pickle(base: str, context: Any, manager: str = "") -> Any:
    """The stored value; for several upstream partitions, a dict {partition_key: value}."""
    keys = partition_keys(context)
    if keys is None:
        return _load_one(base, context, _file(context), manager)
    return {key: _load_one(base, context, _file(context, key), manager) for key in keys}


def _load_one(base: str, context: Any, identifier: list[str], manager: str) -> Any:
    path = value_path(base, identifier)
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except FileNotFoundError as e:
        raise StoredValueNotFoundError("load", _subject(context, "load"), path, manager, e) from None
    except OSError as e:
        raise IOManagerStorageError("load", _subject(context, "load"), path, manager, e) from e
    except (EOFError, pickle.UnpicklingError) as e:
        raise IOManagerStorageError("load", _subject(context, "load"), path, manager, e) from e


class PickleFilesIOManager(IOManager):
    """The default IO manager of a run: pickles under the instance's storage folder."""

    def __init__(self, base_dir: str | None = None):
        self.base_dir = base_dir

    def handle_output(self, context: Any, obj: Any) -> None:
        store_pickle(base_dir_for(self.base_dir, context), context, obj, type(self).__name__)

    def load_input(self, context: Any) -> Any:
        return load_pickle(base_dir_for(self.base_dir, context), context, type(self).__name__)
