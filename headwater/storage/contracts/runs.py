"""The run storage contract: runs, their tags and status."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.results import AssetCheckKey
from headwater.storage.runs import Run, RunRecord, RunsFilter, RunStatus, make_run_id

if TYPE_CHECKING:
    from headwater.storage.run_health import RunProcess, RunProcessRegistration


class RunStorage(ABC):
    """Runs: create, read by id or filter (with cursors and counts), move status, tag, delete."""

    # ---------------------------------------------------------------- primitives

    @abstractmethod
    def add_run(self, run: Run) -> Run:
        """Store a new run; ``RunAlreadyExistsError`` if its id is taken (nothing stored)."""

    @abstractmethod
    def handle_run_status(self, run_id: str, status: RunStatus | str) -> Run:
        """Move a run's status through ``runs.TRANSITIONS``; returns the updated run."""

    @abstractmethod
    def has_run(self, run_id: str) -> bool: ...

    @abstractmethod
    def get_run_record_by_id(self, run_id: str) -> RunRecord | None: ...

    @abstractmethod
    def get_run_records(self, filters: RunsFilter | None = None, limit: int | None = None,
                        order_by: str | None = None, ascending: bool = False,
                        cursor: str | None = None, bucket_by: Any = None) -> list[RunRecord]:
        """Runs matching ``filters``, newest first (or by ``order_by``); ``cursor`` is the last
        run id seen. ``bucket_by`` (Dagster's per-job/tag buckets) may be refused."""

    @abstractmethod
    def get_runs_count(self, filters: RunsFilter | None = None) -> int: ...

    @abstractmethod
    def add_run_tags(self, run_id: str, new_tags: Mapping[str, str]) -> None:
        """Add or overwrite tags of a stored run."""

    @abstractmethod
    def get_run_tags(self, tag_keys: Sequence[str] | None = None, value_prefix: str | None = None,
                     limit: int | None = None) -> list[tuple[str, set[str]]]:
        """Each tag key (of ``tag_keys``, or all) with the values runs carry for it."""

    @abstractmethod
    def get_run_tag_keys(self) -> list[str]: ...

    @abstractmethod
    def delete_run(self, run_id: str) -> None:
        """Delete a run, its tags and its events; the asset index forgets what it recorded."""

    # ------------------------------------------ the process executing a run (crashes)

    @abstractmethod
    def register_run_process(self, run_id: str) -> RunProcessRegistration:
        """Record this process as executing ``run_id`` and keep its heartbeat while the
        registration is open; first fail the runs whose process is gone."""

    @abstractmethod
    def get_run_process(self, run_id: str) -> RunProcess | None: ...

    @abstractmethod
    def fail_dead_runs(self, heartbeat_timeout: float | None = None) -> list[str]:
        """Mark failed the in-progress runs whose process is gone; returns their ids."""

    # -------------------------------------------------------------- derived API

    def create_run(self, job_name: str, run_id: str | None = None,
                   run_config: Mapping[str, Any] | None = None,
                   tags: Mapping[str, str] | None = None,
                   status: RunStatus | str = RunStatus.NOT_STARTED,
                   asset_selection: Iterable[AssetKey] | None = None,
                   parent_run_id: str | None = None, root_run_id: str | None = None,
                   op_selection: Sequence[str] | None = None,
                   step_keys_to_execute: Sequence[str] | None = None,
                   asset_check_selection: Iterable[AssetCheckKey] | None = None,
                   resolved_op_selection: Iterable[str] | None = None) -> Run:
        """Store a new run and return it. A re-execution's root defaults to its parent."""
        run = Run(
            job_name=job_name, run_id=run_id or make_run_id(), run_config=dict(run_config or {}),
            asset_selection=None if asset_selection is None else frozenset(asset_selection),
            asset_check_selection=None if asset_check_selection is None
            else frozenset(asset_check_selection),
            op_selection=None if op_selection is None else list(op_selection),
            resolved_op_selection=None if resolved_op_selection is None
            else frozenset(resolved_op_selection),
            step_keys_to_execute=None if step_keys_to_execute is None
            else list(step_keys_to_execute),
            status=RunStatus(status), tags={str(k): str(v) for k, v in (tags or {}).items()},
            root_run_id=root_run_id or parent_run_id, parent_run_id=parent_run_id)
        return self.add_run(run)

    def get_run_by_id(self, run_id: str) -> Run | None:
        record = self.get_run_record_by_id(run_id)
        return record.dagster_run if record is not None else None

    def get_runs(self, filters: RunsFilter | None = None, cursor: str | None = None,
                 limit: int | None = None, *, ascending: bool = False) -> list[Run]:
        """Runs matching ``filters``, newest first; ``cursor`` is the last run id seen."""
        return [r.dagster_run for r in
                self.get_run_records(filters, limit, cursor=cursor, ascending=ascending)]

    def get_run_ids(self, filters: RunsFilter | None = None, cursor: str | None = None,
                    limit: int | None = None) -> list[str]:
        return [r.dagster_run.run_id for r in self.get_run_records(filters, limit, cursor=cursor)]
