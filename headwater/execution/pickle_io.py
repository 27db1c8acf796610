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


def store_pickle(base: str, context: Any, obj: Any) -> None:
    path = os.path.join(base, *context.get_identifier())
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
    path = os.path.join(base, *context.get_identifier())
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
