"""The instance: runs, the event log and the asset index (SQLAlchemy Core; SQLite or PostgreSQL).

The run and filter types load without SQLAlchemy; ``Instance`` and the helpers that need a
database load it on first use, so ``import headwater`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from headwater.definitions.errors import StorageError
from headwater.storage.errors import InstanceNotConfiguredError, RunAlreadyExistsError
from headwater.storage.lazy import lazy_exports

if TYPE_CHECKING:
    from headwater.storage.asset_records import (
        AssetCheckExecutionRecord,
        AssetRecordsFilter,
        EventRecordsFilter,
        RunStatusChangeRecordsFilter,
    )
    from headwater.storage.backfills import BackfillRun, BulkActionStatus, PartitionBackfill
    from headwater.storage.instance import Instance
    from headwater.storage.migrate import migrate_instance, upgrade
    from headwater.storage.partition_status import AssetPartitionStatus, PartitionStatusSummary
    from headwater.storage.runs import (
        FINISHED_STATUSES,
        IN_PROGRESS_STATUSES,
        TRANSITIONS,
        Run,
        RunRecord,
        RunsFilter,
        RunStatus,
        check_transition,
    )
    from headwater.storage.testing import instance_for_test

_ASSET_RECORDS = "headwater.storage.asset_records"
_BACKFILLS = "headwater.storage.backfills"
_RUNS = "headwater.storage.runs"
# Each name is imported on first use: a run worker needs the runs and the instance, not the
# backfill or partition-status records.
_LAZY = {
    "AssetCheckExecutionRecord": _ASSET_RECORDS, "AssetRecordsFilter": _ASSET_RECORDS,
    "EventRecordsFilter": _ASSET_RECORDS, "RunStatusChangeRecordsFilter": _ASSET_RECORDS,
    "BackfillRun": _BACKFILLS, "BulkActionStatus": _BACKFILLS, "PartitionBackfill": _BACKFILLS,
    "AssetPartitionStatus": "headwater.storage.partition_status",
    "PartitionStatusSummary": "headwater.storage.partition_status",
    "FINISHED_STATUSES": _RUNS, "IN_PROGRESS_STATUSES": _RUNS, "TRANSITIONS": _RUNS,
    "Run": _RUNS, "RunRecord": _RUNS, "RunsFilter": _RUNS, "RunStatus": _RUNS,
    "check_transition": _RUNS,
    "Instance": "headwater.storage.instance",
    "instance_for_test": "headwater.storage.testing",
    "migrate_instance": "headwater.storage.migrate",
    "upgrade": "headwater.storage.migrate",
}


__getattr__ = lazy_exports("headwater.storage", _LAZY)


__all__ = [
    "FINISHED_STATUSES", "IN_PROGRESS_STATUSES", "TRANSITIONS", "AssetCheckExecutionRecord",
    "AssetPartitionStatus", "AssetRecordsFilter", "BackfillRun", "BulkActionStatus", "EventRecordsFilter",
    "Instance",
    "InstanceNotConfiguredError", "PartitionBackfill", "PartitionStatusSummary", "Run", "RunAlreadyExistsError",
    "RunRecord", "RunStatus", "RunStatusChangeRecordsFilter", "RunsFilter", "StorageError",
    "check_transition",
    "instance_for_test", "migrate_instance", "upgrade",
]
