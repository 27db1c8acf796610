"""The instance: runs, the event log and the asset index (SQLAlchemy Core; SQLite or PostgreSQL).

The run and filter types load without SQLAlchemy; ``Instance`` and the helpers that need a
database load it on first use, so ``import headwater`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from headwater.definitions.errors import StorageError
from headwater.storage.asset_records import (
    AssetCheckExecutionRecord,
    AssetRecordsFilter,
    EventRecordsFilter,
    RunStatusChangeRecordsFilter,
)
from headwater.storage.backfills import BackfillRun, BulkActionStatus, PartitionBackfill
from headwater.storage.errors import InstanceNotConfiguredError, RunAlreadyExistsError
from headwater.storage.lazy import lazy_exports
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

if TYPE_CHECKING:
    from headwater.storage.instance import Instance
    from headwater.storage.migrate import migrate_instance, upgrade
    from headwater.storage.testing import instance_for_test

_LAZY = {
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
