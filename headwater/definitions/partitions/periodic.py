"""The common time partitions: hourly, daily, weekly (from Sunday, as Dagster) and monthly."""

from __future__ import annotations

from typing import Any

from headwater.definitions.partitions.time_window import TimeWindowPartitionsDefinition

_DAY_FMT = "%Y-%m-%d"
_HOUR_FMT = "%Y-%m-%d-%H:%M"


class HourlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 timezone: str | None = None, fmt: str | None = None, end_offset: int = 0):
        super().__init__(start_date, fmt or _HOUR_FMT, end_date, timezone,
                         f"{minute_offset} * * * *", end_offset)


class DailyPartitionsDefinition(TimeWindowPartitionsDefinition):
    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 hour_offset: int = 0, timezone: str | None = None, fmt: str | None = None,
                 end_offset: int = 0):
        super().__init__(start_date, fmt or _DAY_FMT, end_date, timezone,
                         f"{minute_offset} {hour_offset} * * *", end_offset)


class WeeklyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """Weeks start on Sunday (``day_offset=0``), as in Dagster; 1 is Monday."""

    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 hour_offset: int = 0, day_offset: int = 0, timezone: str | None = None,
                 fmt: str | None = None, end_offset: int = 0):
        super().__init__(start_date, fmt or _DAY_FMT, end_date, timezone,
                         f"{minute_offset} {hour_offset} * * {day_offset}", end_offset)


class MonthlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """Months start on ``day_offset`` (1 by default)."""

    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 hour_offset: int = 0, day_offset: int = 1, timezone: str | None = None,
                 fmt: str | None = None, end_offset: int = 0):
        super().__init__(start_date, fmt or _DAY_FMT, end_date, timezone,
                         f"{minute_offset} {hour_offset} {day_offset} * *", end_offset)
