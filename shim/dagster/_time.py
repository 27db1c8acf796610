"""``dagster._time`` on Headwater: timezone-aware "now" and timestamp helpers."""

from __future__ import annotations

import time
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

__all__ = ["datetime_from_timestamp", "get_current_datetime", "get_current_datetime_midnight",
           "get_current_timestamp", "get_timezone", "utc_datetime_from_naive"]


def get_timezone(tz: str | None) -> tzinfo:
    return timezone.utc if tz in (None, "UTC") else ZoneInfo(tz)  # type: ignore[arg-type]


def get_current_timestamp() -> float:
    return time.time()


def get_current_datetime(tz: str | None = "UTC") -> datetime:
    return datetime.now(get_timezone(tz))


def get_current_datetime_midnight(tz: str | None = "UTC") -> datetime:
    return get_current_datetime(tz).replace(hour=0, minute=0, second=0, microsecond=0)


def datetime_from_timestamp(timestamp: float, tz: str | tzinfo | None = "UTC") -> datetime:
    zone = tz if isinstance(tz, tzinfo) else get_timezone(tz)
    return datetime.fromtimestamp(timestamp, zone)


def utc_datetime_from_naive(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc)
