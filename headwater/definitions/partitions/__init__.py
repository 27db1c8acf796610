"""Partition definitions: which keys an asset or job is split into (no execution here)."""

from headwater.definitions.partitions.base import PartitionKeyRange, PartitionsDefinition
from headwater.definitions.partitions.multi import (
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionDimensionDefinition,
)
from headwater.definitions.partitions.periodic import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    WeeklyPartitionsDefinition,
)
from headwater.definitions.partitions.static import (
    DynamicPartitionsDefinition,
    StaticPartitionsDefinition,
)
from headwater.definitions.partitions.time_window import (
    TimeWindow,
    TimeWindowPartitionsDefinition,
)

__all__ = [
    "DailyPartitionsDefinition", "DynamicPartitionsDefinition", "HourlyPartitionsDefinition",
    "MonthlyPartitionsDefinition", "MultiPartitionKey", "MultiPartitionsDefinition",
    "PartitionDimensionDefinition", "PartitionKeyRange", "PartitionsDefinition",
    "StaticPartitionsDefinition", "TimeWindow", "TimeWindowPartitionsDefinition",
    "WeeklyPartitionsDefinition",
]
