"""Filters and records of the asset index (pure data, no database imports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.results import AssetCheckKey
from headwater.events.records import EventLogEntry


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
