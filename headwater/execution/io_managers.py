"""The IO managers that ship: pickles on the filesystem (the default) and in memory."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from pydantic import PrivateAttr

from headwater.definitions.io_manager import ConfigurableIOManager, IOManagerDefinition
from headwater.definitions.metadata import PathMetadataValue


def _path(base: str, identifier: list[str]) -> Path:
    return Path(base, *identifier)


class FilesystemIOManager(ConfigurableIOManager):
    """Pickles each output to ``<base_dir>/<asset key path>[/<partition>]``.

    ``base_dir`` defaults to the instance's storage folder.
    """

    base_dir: str | None = None

    def _base(self, context: Any) -> str:
        if self.base_dir:
            return self.base_dir
        base = getattr(context, "_default_base_dir", None) or _DEFAULT_BASE.get("dir")
        if base is None:
            import tempfile

            base = _DEFAULT_BASE.setdefault("dir", tempfile.mkdtemp(prefix="headwater-storage-"))
        return base

    def handle_output(self, context: Any, obj: Any) -> None:
        path = _path(self._base(context), context.get_identifier())
        path.parent.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        context.add_output_metadata({"path": PathMetadataValue(str(path))})

    def load_input(self, context: Any) -> Any:
        path = _path(self._base(context), context.get_identifier())
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except FileNotFoundError:
            what = (f"asset {context.asset_key.to_user_string()!r}" if context.has_asset_key
                    else f"input {context.name!r}")
            raise FileNotFoundError(
                f"No stored value for {what} at {path}: materialize it first") from None


_DEFAULT_BASE: dict[str, str] = {}


class InMemoryIOManager(ConfigurableIOManager):
    """Keeps outputs in a dict in this process; values live as long as the manager."""

    _store: dict[tuple[str, ...], Any] = PrivateAttr(default_factory=dict)

    @property
    def values(self) -> dict[tuple[str, ...], Any]:
        return self._store

    def handle_output(self, context: Any, obj: Any) -> None:
        self.values[tuple(context.get_identifier())] = obj

    def load_input(self, context: Any) -> Any:
        key = tuple(context.get_identifier())
        if key not in self.values:
            raise KeyError(f"InMemoryIOManager has no value for {'/'.join(key)}")
        return self.values[key]


PickledObjectFilesystemIOManager = FilesystemIOManager


def _fs_io_manager(init_context: Any) -> FilesystemIOManager:
    cfg = init_context.resource_config or {}
    return FilesystemIOManager(base_dir=cfg.get("base_dir"))


fs_io_manager = IOManagerDefinition(_fs_io_manager, config_schema={"base_dir": str})
mem_io_manager = IOManagerDefinition(lambda _ctx: InMemoryIOManager())
