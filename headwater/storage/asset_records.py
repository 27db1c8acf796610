"""Filters and records of the asset index (pure data, no database imports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.results import AssetCheckKey
from headwater.events.records import EventLogEntry, EventLogRecord, EventType


@dataclass(frozen=True)
class AssetRecordsFilter:
    """Which materializations/observations of one asset to fetch (Dagster: AssetRecordsFilter).

    Storage ids bound the range exclusively; timestamps are Unix seconds, also exclusive.
    """

    asset_key: AssetKey
    asset_partitions: Sequence[str] | None = None
    after_storage_id: int | None = None
    before_storage_id: int | None = None
    after_timestamp: float | None = None
    before_timestamp: float | None = None

    def __hash__(self) -> int:
        return hash((self.asset_key, self.after_storage_id, self.before_storage_id))


@dataclass(frozen=True)
class AssetCheckExecutionRecord:
    """One stored evaluation of an asset check (Dagster: AssetCheckExecutionRecord)."""

    id: int
    key: AssetCheckKey
    run_id: str
    passed: bool | None
    event_storage_id: int | None
    create_timestamp: float
    event: EventLogEntry | None = None

    @property
    def check_key(self) -> AssetCheckKey:
        return self.key

    @property
    def evaluation(self) -> Any:
        """The stored ``AssetCheckEvaluation`` (None while the check has not finished)."""
        event = self.event.dagster_event if self.event is not None else None
        return event.event_specific_data if event is not None else None

    @property
    def partition(self) -> str | None:
        """The partition its evaluation names (a partitioned check's), else None."""
        evaluation = self.evaluation
        return getattr(evaluation, "partition", None)


@dataclass(frozen=True)
class AssetEntry:
    """What the asset index knows of one asset (Dagster: AssetEntry)."""

    asset_key: AssetKey
    last_materialization_record: EventLogRecord | None = None
    last_run_id: str | None = None
    last_observation_record: EventLogRecord | None = None
    wipe_timestamp: float | None = None

    @property
    def last_materialization(self) -> EventLogEntry | None:
        r = self.last_materialization_record
        return r.event_log_entry if r is not None else None

    @property
    def last_materialization_storage_id(self) -> int | None:
        r = self.last_materialization_record
        return r.storage_id if r is not None else None

    @property
    def last_observation(self) -> EventLogEntry | None:
        r = self.last_observation_record
        return r.event_log_entry if r is not None else None


@dataclass(frozen=True)
class AssetRecord:
    """One asset of the index with its storage id (Dagster: AssetRecord)."""

    storage_id: int
    asset_entry: AssetEntry


@dataclass(frozen=True)
class RunStatusChangeRecordsFilter:
    """Which run status changes to fetch (Dagster: RunStatusChangeRecordsFilter).

    ``event_type`` is a run lifecycle event (RUN_START, RUN_SUCCESS, RUN_FAILURE, ...);
    storage ids and timestamps bound the range exclusively.
    """

    event_type: EventType
    after_storage_id: int | None = None
    before_storage_id: int | None = None
    after_timestamp: float | None = None
    before_timestamp: float | None = None
    storage_ids: Sequence[int] | None = None
    job_names: Sequence[str] | None = None


@dataclass(frozen=True)
class EventRecordsFilter:
    """Which events to fetch with ``instance.get_event_records`` (Dagster: EventRecordsFilter).

    ``asset_partitions`` needs ``asset_key``; cursors are storage ids and, like timestamps,
    bound the range exclusively.
    """

    event_type: EventType
    asset_key: AssetKey | None = None
    asset_partitions: Sequence[str] | None = None
    after_cursor: int | None = None
    before_cursor: int | None = None
    after_timestamp: float | None = None
    before_timestamp: float | None = None
    storage_ids: Sequence[int] | None = None

    def __post_init__(self) -> None:
        if self.asset_partitions is not None and self.asset_key is None:
            from headwater.definitions.errors import InvalidInvocationError

            raise InvalidInvocationError(
                "EventRecordsFilter(asset_partitions=...) filters one asset's partitions: give "
                "asset_key too.")

    def __hash__(self) -> int:
        return hash((self.event_type, self.asset_key, self.after_cursor, self.before_cursor))
