"""Errors raised by the instance, on top of ``headwater.definitions.errors``."""

from __future__ import annotations

from headwater.definitions.errors import HeadwaterError, StorageError


class InstanceNotConfiguredError(StorageError):
    """``Instance.get()`` found neither HEADWATER_HOME nor DAGSTER_HOME in the environment."""


class RunAlreadyExistsError(HeadwaterError):
    """``create_run`` was given a run id that is already stored (Dagster: DagsterRunAlreadyExists)."""


__all__ = ["InstanceNotConfiguredError", "RunAlreadyExistsError", "StorageError"]
