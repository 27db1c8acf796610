"""Errors raised by the instance, on top of ``headwater.definitions.errors``.

``StorageError`` means "the instance's storage cannot be used right now"; its subclasses name
the reasons a caller may want to tell apart (the CLI prints them all the same way, exit 2).
"""

from __future__ import annotations

from headwater.definitions.errors import HeadwaterError, StorageError


class InstanceNotConfiguredError(StorageError):
    """``Instance.get()`` found neither HEADWATER_HOME nor DAGSTER_HOME in the environment."""


class RunAlreadyExistsError(HeadwaterError):
    """``create_run`` was given a run id that is already stored (Dagster: DagsterRunAlreadyExists)."""


class TickAlreadyExistsError(HeadwaterError):
    """A schedule or sensor already has a tick with this key: it was evaluated before."""


class DatabaseDamagedError(StorageError):
    """The database file is damaged (SQLite: malformed, or not a database at all)."""


class ReadOnlyInstanceError(StorageError):
    """A write was attempted on an instance that is opened read-only (or cannot be written)."""


class DiskFullError(StorageError):
    """The database could not be written: no space left where it lives."""


__all__ = ["DatabaseDamagedError", "DiskFullError", "InstanceNotConfiguredError",
           "ReadOnlyInstanceError", "RunAlreadyExistsError", "StorageError",
           "TickAlreadyExistsError"]
