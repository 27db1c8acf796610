"""``UPathIOManager``: the base class for IO managers that keep one file per asset (per partition).

A subclass says how one value becomes one file (``dump_to_path``) and back (``load_from_path``)
and, optionally, which ``extension`` its files carry; this class decides *where* each file
lives and handles partitions, so every format lays files out the same way:

- an asset: ``<base_path>/<asset key path><extension>``;
- a partition of an asset: ``<base_path>/<asset key path>/<partition key><extension>``, a
  multi-dimensional key as one folder per dimension value, dimensions in name order
  (``<asset>/red/2024-01-01.csv``);
- an op output: ``<base_path>/<run id>/<step key>/<output name>[/<mapping key>]<extension>``.

Loading several partitions of an upstream asset gives a dict ``{partition_key: value}``; an
input whose metadata says ``allow_missing_partitions=True`` skips partitions whose file is
missing (a ``FileNotFoundError`` from ``load_from_path``).

Paths are ``upath.UPath`` objects (universal-pathlib: local folders, ``s3://``, ``gs://``, ...)
when that package is installed, else plain ``pathlib.Path``: Headwater does not require it,
local storage needs nothing beyond the standard library, and a cloud URI without it fails
with a message that says what to install.
"""

from __future__ import annotations

import abc
import functools
import pathlib
from typing import Any

from headwater.definitions.errors import InvalidDefinitionError, InvariantViolationError
from headwater.definitions.io_manager import IOManager
from headwater.definitions.metadata import PathMetadataValue

# ``upath.UPath`` when installed, else ``pathlib.Path``; annotated as Any because the optional
# package is not there for the type checker either.
UPathLike = Any

_MISSING_OK_KEY = "allow_missing_partitions"


@functools.cache
def path_class() -> type:
    """``upath.UPath`` if universal-pathlib is installed, else ``pathlib.Path`` (imported on
    first use so that ``import headwater`` stays light)."""
    try:
        from upath import UPath
    except ImportError:
        return pathlib.Path
    return UPath  # type: ignore[no-any-return]


def as_path(value: Any) -> UPathLike:
    """``value`` (a string, a ``pathlib.Path`` or a ``UPath``) as this process's path class."""
    cls = path_class()
    if isinstance(value, cls):
        return value
    text = str(value)
    if cls is pathlib.Path and "://" in text and not text.startswith("file://"):
        raise InvalidDefinitionError(
            f"UPathIOManager base_path {text!r} is a URI, which needs universal-pathlib: "
            "`pip install universal-pathlib` (plus the fsspec file system for that scheme, e.g. "
            "s3fs), or give a local folder.")
    return cls(text)


def _is_none_type(context: Any) -> bool:
    dagster_type = getattr(context, "dagster_type", None)
    return getattr(dagster_type, "typing_type", None) is type(None)


def _log_debug(context: Any, message: str) -> None:
    log = getattr(context, "log", None)
    if log is not None:
        log.debug(message)


class UPathIOManager(IOManager):
    """An IO manager that stores each value as a file under ``base_path``.

    Subclasses implement ``dump_to_path`` and ``load_from_path`` and may set ``extension``
    (with its dot, e.g. ``".parquet"``). ``base_path`` defaults to the current folder (``.``).
    The hooks ``path_exists``, ``unlink``, ``make_directory``, ``get_metadata`` and the
    ``get_*_path`` methods are there to be overridden.
    """

    extension: str | None = None

    def __init__(self, base_path: UPathLike | None = None):
        if self.extension and "." not in self.extension:
            raise InvalidDefinitionError(
                f"{type(self).__name__}.extension is {self.extension!r}: give it with its dot, "
                f"e.g. {'.' + self.extension!r}, or None for files without an extension.")
        self._base_path = as_path(base_path if base_path is not None else ".")

    # -- what a subclass writes ---------------------------------------------------------------

    @abc.abstractmethod
    def dump_to_path(self, context: Any, obj: Any, path: UPathLike) -> None:
        """Write ``obj`` to the file at ``path`` (its folder exists)."""

    @abc.abstractmethod
    def load_from_path(self, context: Any, path: UPathLike) -> Any:
        """Read the value stored at ``path``; raise ``FileNotFoundError`` when there is none."""

    # -- storage hooks ------------------------------------------------------------------------

    @property
    def fs(self) -> Any:
        """The fsspec file system of ``base_path`` (None for a plain ``pathlib.Path``)."""
        return getattr(self._base_path, "fs", None)

    @property
    def storage_options(self) -> dict[str, Any]:
        return dict(getattr(self._base_path, "storage_options", None) or {})

    def path_exists(self, path: UPathLike) -> bool:
        return bool(path.exists())

    def unlink(self, path: UPathLike) -> None:
        path.unlink()

    def make_directory(self, path: UPathLike) -> None:
        path.mkdir(parents=True, exist_ok=True)

    def has_output(self, context: Any) -> bool:
        return self.path_exists(self._get_path(context))

    def get_metadata(self, context: Any, obj: Any) -> dict[str, Any]:
        """Metadata added to the output besides ``path`` (none by default)."""
        return {}

    # -- log lines ----------------------------------------------------------------------------

    def get_loading_input_log_message(self, path: UPathLike) -> str:
        return f"Loading file from: {path} using {type(self).__name__}..."

    def get_writing_output_log_message(self, path: UPathLike) -> str:
        return f"Writing file at: {path} using {type(self).__name__}..."

    def get_loading_input_partition_log_message(self, path: UPathLike, partition_key: str) -> str:
        return f"Loading partition {partition_key} from {path} using {type(self).__name__}..."

    def get_missing_partition_log_message(self, partition_key: str) -> str:
        return (f"Couldn't load partition {partition_key} and skipped it because the input "
                f"metadata includes {_MISSING_OK_KEY}=True")

    # -- where values live --------------------------------------------------------------------

    def get_asset_relative_path(self, context: Any) -> UPathLike:
        """The asset key path, relative to ``base_path``."""
        return path_class()(*context.asset_key.path)

    def get_op_output_relative_path(self, context: Any) -> UPathLike:
        """``<run id>/<step key>/<output name>[/<mapping key>]`` for an op output."""
        return path_class()(*context.get_identifier())

    def get_path_for_partition(self, context: Any, path: UPathLike, partition: str) -> UPathLike:
        """Where one partition of the asset at ``path`` lives (before the extension)."""
        return path / partition

    def _get_path_without_extension(self, context: Any) -> UPathLike:
        if context.has_asset_key:
            return self._base_path / self.get_asset_relative_path(context)
        return self._base_path / self.get_op_output_relative_path(context)

    def _with_extension(self, path: UPathLike) -> UPathLike:
        # Appended, not ``with_suffix``: a partition key "v1.5" keeps its ".5".
        return path.with_name(path.name + self.extension) if self.extension else path

    def _get_path(self, context: Any) -> UPathLike:
        return self._with_extension(self._get_path_without_extension(context))

    def _get_paths_for_partitions(self, context: Any) -> dict[str, UPathLike]:
        """Each partition key of the context and the file that holds it."""
        folder = self._get_path_without_extension(context)
        return {key: self._with_extension(self.get_path_for_partition(
                    context, folder, _partition_path(context, key)))
                for key in context.asset_partition_keys}

    # -- IOManager ----------------------------------------------------------------------------

    def handle_output(self, context: Any, obj: Any) -> None:
        if _is_none_type(context):  # an output annotated None stores nothing
            return
        if context.has_asset_partitions:
            paths = self._get_paths_for_partitions(context)
            if len(paths) != 1:
                raise InvariantViolationError(
                    f"{type(self).__name__} (a UPathIOManager) stores one file per partition, so "
                    f"it cannot store one output of asset "
                    f"{context.asset_key.to_user_string()!r} that covers multiple partitions "
                    f"({len(paths)}): this happens when a backfill runs as a single run. Launch "
                    "it with one run per partition, or annotate the asset's return type None and "
                    "write the data yourself.")
            path = next(iter(paths.values()))
            self._replace_unpartitioned_file(context)
        else:
            path = self._get_path(context)
        self.make_directory(path.parent)
        _log_debug(context, self.get_writing_output_log_message(path))
        self.dump_to_path(context=context, obj=obj, path=path)
        metadata: dict[str, Any] = {"path": PathMetadataValue(str(path))}
        metadata.update(self.get_metadata(context, obj) or {})
        context.add_output_metadata(metadata)

    def _replace_unpartitioned_file(self, context: Any) -> None:
        """An asset that became partitioned: without an extension its old file sits where the
        partitions' folder goes, so it is removed (with one, ``a.csv`` and ``a/`` coexist)."""
        if self.extension:
            return
        folder = self._get_path_without_extension(context)
        if self.path_exists(folder) and folder.is_file():
            self.unlink(folder)

    def load_input(self, context: Any) -> Any:
        if _is_none_type(context):
            return None
        if not context.has_asset_partitions:
            path = self._get_path(context)
            _log_debug(context, self.get_loading_input_log_message(path))
            return self.load_from_path(context=context, path=path)
        return self.load_partitions(context)

    def load_partitions(self, context: Any) -> Any:
        """The value of the one partition the input reads, or ``{partition_key: value}`` for
        several; a missing file is skipped (None for one) when the input allows it."""
        paths = self._get_paths_for_partitions(context)
        allow_missing = _allows_missing(context)
        if len(paths) == 1:
            (key, path), = paths.items()
            return self._load_partition(context, key, path, allow_missing, None)
        skipped = object()
        values = {key: self._load_partition(context, key, path, allow_missing, skipped)
                  for key, path in paths.items()}
        return {key: value for key, value in values.items() if value is not skipped}

    def _load_partition(self, context: Any, key: str, path: UPathLike, allow_missing: bool,
                        missing: Any) -> Any:
        _log_debug(context, self.get_loading_input_partition_log_message(path, key))
        try:
            return self.load_from_path(context=context, path=path)
        except FileNotFoundError:
            if not allow_missing:
                raise
            _log_debug(context, self.get_missing_partition_log_message(key))
            return missing


def _allows_missing(context: Any) -> bool:
    value = (getattr(context, "definition_metadata", None) or {}).get(_MISSING_OK_KEY, False)
    return bool(getattr(value, "value", value))


def _partition_path(context: Any, key: Any) -> str:
    """A partition key as a relative path: a multi-dimensional key is its dimension values in
    dimension-name order, one folder each."""
    by_dimension = getattr(key, "keys_by_dimension", None)
    if by_dimension:
        return "/".join(str(by_dimension[name]) for name in sorted(by_dimension))
    definition = getattr(context, "asset_partitions_def", None)
    if getattr(definition, "partition_dimension_names", None):
        return "/".join(str(key).split("|"))
    return str(key)
