"""Storage contracts: what the instance stores, as small abstract classes.

Every backend implements all of them; one behaviour suite (``tests/storage``) runs against
each (in-memory SQLite, file SQLite, PostgreSQL). Today one SQL implementation serves both
databases (``headwater/storage/*_storage.py`` over ``Database``, whose dialect handles the
differences: connections, locking, upserts, ``RETURNING``, change notification).

Each contract declares its primitives abstract and derives the conveniences Dagster's
instance API offers from them, so a new backend writes only the primitives.
"""

from headwater.storage.contracts.backfills import BackfillStorage
from headwater.storage.contracts.concurrency import ConcurrencyStorage
from headwater.storage.contracts.events import EventLogStorage
from headwater.storage.contracts.partitions import DynamicPartitionStorage
from headwater.storage.contracts.runs import RunStorage
from headwater.storage.contracts.schedules import ScheduleStorage

__all__ = ["BackfillStorage", "ConcurrencyStorage", "DynamicPartitionStorage",
           "EventLogStorage", "RunStorage", "ScheduleStorage"]
