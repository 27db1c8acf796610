"""Pickle files per asset: the default IO manager's storage, without pydantic.

``FilesystemIOManager`` (the configurable, Dagster-named class in ``io_managers.py``) and the
default IO manager of a run both store through ``store_pickle``/``load_pickle``.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from typing import Any

from headwater.definitions.io_manager import IOManager
from headwater.definitions.metadata import PathMetadataValue

_FALLBACK_BASE: dict[str, str] = {}


def base_dir_for(configured: str | None, context: Any) -> str:
    if configured:
        return configured
    base = getattr(context, "_default_base_dir", None) or _FALLBACK_BASE.get("dir")
    if base is None:
        base = _FALLBACK_BASE.setdefault("dir", tempfile.mkdtemp(prefix="headwater-storage-"))
    return base


_MADE_DIRS: set[str] = set()
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


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


def store_pickle(base: str, context: Any, obj: Any) -> None:
    """One file per asset (per partition of a partitioned asset)."""
    keys = partition_keys(context)
    if keys is None:
        _store_one(base, context, _file(context), obj)
        return
    check_partitioned_value(context, keys, obj)
    for key in keys:
        _store_one(base, context, _file(context, key), obj[key])


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


def _store_one(base: str, context: Any, identifier: list[str], obj: Any) -> None:
    path = os.path.join(base, *identifier)
    folder = os.path.dirname(path)
    if folder not in _MADE_DIRS:  # one mkdir per folder per process, not per value
        os.makedirs(folder, exist_ok=True)
        _MADE_DIRS.add(folder)
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    tmp = path + ".tmp"
    try:
        fd = os.open(tmp, _WRITE_FLAGS, 0o644)
    except FileNotFoundError:  # the folder was removed behind our back
        _MADE_DIRS.discard(folder)
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, _WRITE_FLAGS, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    os.replace(tmp, path)  # readers never see a half-written value
    context.add_output_metadata({"path": PathMetadataValue(path)})


def load_pickle(base: str, context: Any) -> Any:
    """The stored value; for several upstream partitions, a dict {partition_key: value}."""
    keys = partition_keys(context)
    if keys is None:
        return _load_one(base, context, _file(context))
    return {key: _load_one(base, context, _file(context, key)) for key in keys}


def _load_one(base: str, context: Any, identifier: list[str]) -> Any:
    path = os.path.join(base, *identifier)
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except FileNotFoundError:
        what = (f"asset {context.asset_key.to_user_string()!r}" if context.has_asset_key
                else f"input {context.name!r}")
        raise FileNotFoundError(
            f"No stored value for {what} at {path}: materialize it first") from None


class PickleFilesIOManager(IOManager):
    """The default IO manager of a run: pickles under the instance's storage folder."""

    def __init__(self, base_dir: str | None = None):
        self.base_dir = base_dir

    def handle_output(self, context: Any, obj: Any) -> None:
        store_pickle(base_dir_for(self.base_dir, context), context, obj)

    def load_input(self, context: Any) -> Any:
        return load_pickle(base_dir_for(self.base_dir, context), context)
