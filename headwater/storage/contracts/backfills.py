"""The backfill contract: one record per backfill; its runs are found by tag."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:  # annotations only: the records load with the first backfill
    from headwater.storage.backfills import BackfillRun, BulkActionStatus, PartitionBackfill

StatusArg = Union["BulkActionStatus", str, Iterable[Union["BulkActionStatus", str]], None]


class BackfillStorage(ABC):
    @abstractmethod
    def add_backfill(self, partition_backfill: PartitionBackfill) -> None:
        """Store a new backfill in one transaction (nothing on error; its id must be new)."""

    @abstractmethod
    def get_backfill(self, backfill_id: str) -> PartitionBackfill | None: ...

    @abstractmethod
    def get_backfill_status(self, backfill_id: str) -> BulkActionStatus | None: ...

    @abstractmethod
    def get_backfills(self, status: StatusArg = None, limit: int | None = None,
                      cursor: str | None = None) -> list[PartitionBackfill]:
        """Newest first; ``cursor`` is the id of the last backfill of the previous page."""

    @abstractmethod
    def get_backfills_count(self, status: StatusArg = None) -> int: ...

    @abstractmethod
    def update_backfill(self, partition_backfill: PartitionBackfill) -> PartitionBackfill:
        """Store a changed backfill; its status moves only along ``backfills.TRANSITIONS``."""

    @abstractmethod
    def get_backfill_runs(self, backfill_id: str) -> list[BackfillRun]: ...
