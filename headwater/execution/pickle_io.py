"""Pickle files per asset: the default IO manager's storage, without pydantic.

``FilesystemIOManager`` (the configurable, Dagster-named class in ``io_managers.py``) and the
default IO manager of a run both store through ``store_pickle``/``load_pickle``.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
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


def store_pickle(base: str, context: Any, obj: Any) -> None:
    path = Path(base, *context.get_identifier())
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)  # readers never see a half-written value
    context.add_output_metadata({"path": PathMetadataValue(str(path))})


def load_pickle(base: str, context: Any) -> Any:
    path = Path(base, *context.get_identifier())
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
