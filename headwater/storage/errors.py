"""Errors raised by the instance, on top of ``headwater.definitions.errors``."""

from __future__ import annotations

from headwater.definitions.errors import HeadwaterError, StorageError


class InstanceNotConfiguredError(StorageError):
    """``Instance.get()`` found neither HEADWATER_HOME nor DAGSTER_HOME in the environment."""


class RunAlreadyExistsError(HeadwaterError):
    """``create_run`` was given a run id that is already stored (Dagster: DagsterRunAlreadyExists)."""


class TickAlreadyExistsError(HeadwaterError):
    """A schedule or sensor already has a tick with this key: it was evaluated before."""


__all__ = ["InstanceNotConfiguredError", "RunAlreadyExistsError", "StorageError",
           "TickAlreadyExistsError"]
