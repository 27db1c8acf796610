"""The configurable IO managers that ship: pickles on the filesystem, and in memory."""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from headwater.definitions.config_types import Field, StringSource
from headwater.definitions.io_manager import IOManagerDefinition
from headwater.definitions.resources import ConfigurableIOManager
from headwater.execution.pickle_io import (
    base_dir_for,
    check_partitioned_value,
    load_pickle,
    partition_keys,
    store_pickle,
)


class FilesystemIOManager(ConfigurableIOManager):
    """Pickles each output to ``<base_dir>/<asset key path>[/<partition>]``.

    ``base_dir`` defaults to the instance's storage folder.
    """

    base_dir: str | None = None

    def handle_output(self, context: Any, obj: Any) -> None:
        store_pickle(base_dir_for(self.base_dir, context), context, obj, type(self).__name__)

    def load_input(self, context: Any) -> Any:
        return load_pickle(base_dir_for(self.base_dir, context), context, type(self).__name__)


class InMemoryIOManager(ConfigurableIOManager):
    """Keeps outputs in a dict in this process; values live as long as the manager."""

    _store: dict[tuple[str, ...], Any] = PrivateAttr(default_factory=dict)

    @property
    def values(self) -> dict[tuple[str, ...], Any]:
        return self._store

    def handle_output(self, context: Any, obj: Any) -> None:
        keys = partition_keys(context)
        if keys is None:
            self.values[tuple(context.get_identifier())] = obj
            return
        check_partitioned_value(context, keys, obj)
        for pk in keys:
            self.values[tuple(context.asset_key.path) + (pk,)] = obj[pk]

    def load_input(self, context: Any) -> Any:
        keys = partition_keys(context)
        if keys is None:
            return self._get(tuple(context.get_identifier()))
        return {pk: self._get(tuple(context.asset_key.path) + (pk,)) for pk in keys}

    def _get(self, key: tuple[str, ...]) -> Any:
        if key not in self.values:
            raise KeyError(f"InMemoryIOManager has no value for {'/'.join(key)}")
        return self.values[key]


PickledObjectFilesystemIOManager = FilesystemIOManager


def _fs_io_manager(init_context: Any) -> FilesystemIOManager:
    cfg = init_context.resource_config or {}
    return FilesystemIOManager(base_dir=cfg.get("base_dir"))


fs_io_manager = IOManagerDefinition(
    _fs_io_manager, config_schema={"base_dir": Field(StringSource, is_required=False)})
mem_io_manager = IOManagerDefinition(lambda _ctx: InMemoryIOManager())
