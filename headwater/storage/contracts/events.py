"""The event log contract: the system of record, with the asset index written beside it."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any, Union

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import RunNotFoundError
from headwater.definitions.results import AssetCheckKey
from headwater.events.records import (
    Event,
    EventLogEntry,
    EventLogRecord,
    EventRecordsResult,
    EventType,
)
from headwater.storage.asset_records import (
    AssetCheckExecutionRecord,
    AssetRecord,
    AssetRecordsFilter,
    EventRecordsFilter,
    RunStatusChangeRecordsFilter,
)
from headwater.storage.partition_status import AssetPartitionStatus, PartitionStatusSummary
from headwater.storage.runs import Run

OfType = Union[EventType, str, Iterable[Union[EventType, str]], None]


class EventLogStorage(ABC):
    """Events (append, per-run reads, paging) and the asset index derived from them."""

    # ------------------------------------------------------------ writes

    @abstractmethod
    def store_events(self, entries: Sequence[EventLogEntry]) -> None:
        """Append a batch atomically, with the asset index and the run status moves it implies:
        all of it or nothing."""

    @abstractmethod
    def wipe_assets(self, asset_keys_: Iterable[AssetKey]) -> None:
        """Forget assets' materializations, observations, partitions and check results."""

    # ------------------------------------------------------------ per-run reads

    @abstractmethod
    def all_logs(self, run_id: str, of_type: OfType = None) -> list[EventLogEntry]: ...

    @abstractmethod
    def get_records_for_run(self, run_id: str, cursor: str | int | None = None,
                            of_type: OfType = None, limit: int | None = None,
                            ascending: bool = True) -> EventRecordsResult:
        """A page of a run's events; pass back ``result.cursor`` for the next."""

    @abstractmethod
    def fetch_run_status_changes(self, records_filter: EventType | RunStatusChangeRecordsFilter,
                                 limit: int, cursor: str | None = None,
                                 ascending: bool = False) -> EventRecordsResult:
        """Run lifecycle events of one type across runs, newest first, paged by cursor."""

    # ------------------------------------------------------------ the asset index

    @abstractmethod
    def get_event_records(self, event_records_filter: EventRecordsFilter,
                          limit: int | None = None,
                          ascending: bool = False) -> list[EventLogRecord]:
        """Events of one type across runs (of one asset, its partitions), newest first."""

    @abstractmethod
    def get_latest_materialization_records(
            self, asset_keys_: Iterable[AssetKey]) -> dict[AssetKey, EventLogRecord | None]: ...

    @abstractmethod
    def latest_materialization_ids(self, asset_keys: Sequence[AssetKey]) -> dict[AssetKey, int]:
        """Per asset, its latest materialization's storage id (the index only: no event is
        decoded); assets never materialized are left out."""

    @abstractmethod
    def latest_planned_runs(self, asset_keys: Sequence[AssetKey],
                            ) -> dict[AssetKey, tuple[int, str, str | None]]:
        """Per asset, the latest run that planned it: (planned event's storage id, run id,
        run status); assets never planned are left out."""

    @abstractmethod
    def fetch_materializations(self, records_filter: AssetKey | AssetRecordsFilter, limit: int,
                               cursor: str | None = None,
                               ascending: bool = False) -> EventRecordsResult: ...

    @abstractmethod
    def fetch_observations(self, records_filter: AssetKey | AssetRecordsFilter, limit: int,
                           cursor: str | None = None,
                           ascending: bool = False) -> EventRecordsResult: ...

    @abstractmethod
    def get_asset_keys(self, prefix: Sequence[str] | None = None, limit: int | None = None,
                       cursor: str | None = None) -> list[AssetKey]: ...

    @abstractmethod
    def has_asset_key(self, asset_key: AssetKey) -> bool: ...

    @abstractmethod
    def get_asset_records(self,
                          asset_keys: Sequence[AssetKey] | None = None) -> list[AssetRecord]:
        """Index entries of the given assets (all materialized or observed ones if None)."""

    @abstractmethod
    def get_materialized_partitions(self, asset_key: AssetKey, before_cursor: int | None = None,
                                    after_cursor: int | None = None) -> set[str]: ...

    @abstractmethod
    def get_latest_storage_id_by_partition(self, asset_key: AssetKey,
                                           before_cursor: int | None = None,
                                           after_cursor: int | None = None) -> dict[str, int]: ...

    @abstractmethod
    def get_partition_status(self, asset_key: AssetKey,
                             partitions_def: Any = None) -> PartitionStatusSummary:
        """Materialized, failed, in-progress (and missing) partitions, from the index."""

    @abstractmethod
    def get_latest_asset_check_evaluations(
            self, check_keys: Iterable[AssetCheckKey],
    ) -> dict[AssetCheckKey, AssetCheckExecutionRecord]: ...

    @abstractmethod
    def get_asset_check_execution_history(self, check_key: AssetCheckKey, limit: int,
                                          cursor: int | None = None,
                                          ) -> list[AssetCheckExecutionRecord]: ...

    # -------------------------------------------------------------- derived API

    def store_event(self, entry: EventLogEntry) -> None:
        self.store_events([entry])

    def get_latest_materialization_events(
            self, asset_keys_: Iterable[AssetKey]) -> dict[AssetKey, EventLogEntry | None]:
        return {k: r.event_log_entry if r else None
                for k, r in self.get_latest_materialization_records(asset_keys_).items()}

    def get_latest_materialization_event(self, asset_key: AssetKey) -> EventLogEntry | None:
        return self.get_latest_materialization_events([asset_key])[asset_key]

    def get_latest_asset_check_evaluation_record(
            self, check_key: AssetCheckKey) -> AssetCheckExecutionRecord | None:
        return self.get_latest_asset_check_evaluations([check_key]).get(check_key)

    def get_status_by_partition(self, asset_key: AssetKey, partition_keys: Sequence[str],
                                partitions_def: Any) -> dict[str, AssetPartitionStatus | None]:
        """Dagster's per-key view of ``get_partition_status``: None for a missing partition."""
        return self.get_partition_status(asset_key).status_by_partition(partition_keys)

    # ------------------------------------------------------- run lifecycle reports

    def report_run_failed(self, run: Run | str, message: str | None = None) -> None:
        """Mark a run failed from outside its execution (e.g. its process died)."""
        self._report(run, EventType.RUN_FAILURE, message or "This run has been marked as "
                     "failed from outside the execution context.", logging.ERROR)

    def report_run_canceled(self, run: Run | str, message: str | None = None) -> None:
        self._report(run, EventType.RUN_CANCELED, message or "This run has been marked as "
                     "canceled from outside the execution context.", logging.ERROR)

    def _report(self, run: Run | str, event_type: EventType, message: str, level: int) -> None:
        if isinstance(run, str):
            found = self.get_run_by_id(run)  # type: ignore[attr-defined]
            if found is None:
                raise RunNotFoundError(f"No run with id {run!r} in this instance.")
            run = found
        assert isinstance(run, Run)
        event = Event(event_type, run.job_name, message=message)
        self.store_event(EventLogEntry(run.run_id, time.time(), level, message, None,
                                       run.job_name, event))
