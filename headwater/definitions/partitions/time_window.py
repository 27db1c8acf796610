"""Partitions cut from a timeline by a cron schedule: ``TimeWindowPartitionsDefinition``.

Partition ``i`` is the window from tick ``i`` to tick ``i + 1`` (the first tick is the first at
or after ``start``). A partition exists once its window has ended, at ``end`` (exclusive) or,
for open-ended definitions, at the current time shifted by ``end_offset`` partitions.

Ticks are produced once, in order, and cached: hourly schedules step the timeline arithmetically
(an hour at a time), others iterate the cron schedule. Daylight-saving rules are those of
``headwater.definitions.cron``; a wall time that happens twice gets a second key with its UTC
offset appended (``2024-11-03-01:00-0800``), as in Dagster.
"""

from __future__ import annotations

import bisect
import datetime
import re
import zoneinfo
from collections.abc import Iterator
from typing import Any, NamedTuple

from headwater.definitions.cron import cron_ticks, validate_cron
from headwater.definitions.errors import InvalidDefinitionError, UnknownPartitionError
from headwater.definitions.partitions.base import PartitionsDefinition

_HOURLY = re.compile(r"^(\d{1,2}) \* \* \* \*$")
_HH = [f"{h:02d}" for h in range(24)]
_DAY_DIRECTIVES = set("YmdyjbBaAH M".replace(" ", ""))


def _hour_template(fmt: str) -> str | None:
    """``fmt`` with %H and %M as placeholders, when every other directive depends on the
    date only (then one strftime per day makes that day's hourly keys); else None."""
    if "%%" in fmt or "\x01" in fmt or "\x02" in fmt:
        return None
    if not set(re.findall(r"%(.)", fmt)) <= _DAY_DIRECTIVES:
        return None
    return fmt.replace("%H", "\x01").replace("%M", "\x02")
_UTC = datetime.timezone.utc


class TimeWindow(NamedTuple):
    """A partition's time span: ``start`` included, ``end`` excluded."""

    start: datetime.datetime
    end: datetime.datetime


def _zone(name: str, what: str) -> datetime.tzinfo:
    if name == "UTC":
        return _UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidDefinitionError(
            f"{what} has an unknown timezone {name!r}: use an IANA timezone name such as 'UTC', "
            "'Europe/Paris' or 'America/Los_Angeles'") from None


def _parse_time(value: Any, fmt: str, tz: datetime.tzinfo, what: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=tz)
    if isinstance(value, str):
        for f in (fmt, "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(value, f).replace(tzinfo=tz)
            except ValueError:
                pass
        try:
            return _parse_time(datetime.datetime.fromisoformat(value), fmt, tz, what)
        except ValueError:
            pass
    raise InvalidDefinitionError(
        f"{what} got {value!r}: pass a datetime or a string in the format {fmt!r}")


class TimeWindowPartitionsDefinition(PartitionsDefinition):
    """Time windows between the ticks of ``cron_schedule`` in ``timezone``, keyed by ``fmt``."""

    def __init__(self, start: Any, fmt: str, end: Any = None, timezone: str | None = None,
                 cron_schedule: str | None = None, end_offset: int = 0):
        what = type(self).__name__
        if not cron_schedule:
            raise InvalidDefinitionError(f"{what} needs a cron_schedule, e.g. '0 0 * * *'")
        validate_cron(cron_schedule, what)
        self.timezone = timezone or "UTC"
        self._tz = _zone(self.timezone, what)
        self.fmt = fmt
        self.cron_schedule = cron_schedule
        self.end_offset = end_offset
        self.start = _parse_time(start, fmt, self._tz, f"{what} start")
        self.end = None if end is None else _parse_time(end, fmt, self._tz, f"{what} end")
        if self.end is not None and self.end < self.start:
            raise InvalidDefinitionError(
                f"{what} ends ({self.end}) before it starts ({self.start})")
        self._stamps: list[float] = []  # tick i starts partition i (Unix seconds)
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._source = self._generate()
        self._exhausted = False

    # -- ticks -----------------------------------------------------------------------------
    def _generate(self) -> Iterator[Any]:
        """Batches of ticks: a list of datetimes, or (stamps, keys) for a whole local day of
        hourly ticks without a UTC-offset change (keys made from one strftime per day)."""
        ticks = cron_ticks(self.cron_schedule, self.timezone, self.start, inclusive=True)
        hourly = _HOURLY.match(self.cron_schedule)
        if not hourly:
            for tick in ticks:
                yield [tick]
            return
        minute, tz = int(hourly.group(1)), self._tz
        template = _hour_template(self.fmt)
        mm = f"{minute:02d}"
        ts = first = int(next(ticks).timestamp())
        while True:  # one hour at a time; skip instants a half-hour offset change moved
            instant = datetime.datetime.fromtimestamp(ts, tz)
            if template is not None and instant.minute == minute and (
                    instant.hour == 0 or ts == first):  # a whole (rest of a) day ahead
                n = 24 - instant.hour
                after = datetime.datetime.fromtimestamp(ts + n * 3600, tz)
                if after.utcoffset() == instant.utcoffset() and after.hour == 0:
                    day = instant.strftime(template)
                    keys = [day.replace("\x01", _HH[h]).replace("\x02", mm)
                            for h in range(instant.hour, 24)]
                    yield range(ts, ts + n * 3600, 3600), keys
                    ts += n * 3600
                    continue
            if instant.minute == minute:
                yield [instant]
            ts += 3600

    def _push(self) -> bool:
        batch = next(self._source, None)
        if batch is None:
            self._exhausted = True
            return False
        if isinstance(batch, tuple):  # a day of hourly ticks, keys made
            stamps, keys = batch
            base = len(self._keys)
            self._index.update(zip(keys, range(base, base + len(keys)), strict=True))
            self._stamps.extend(stamps)
            self._keys.extend(keys)
            return True
        for instant in batch:
            if instant.tzinfo is not self._tz:
                instant = instant.astimezone(self._tz)
            key = instant.strftime(self.fmt)
            if key in self._index:  # a wall time that happens twice
                key = instant.strftime(self.fmt + "%z")
            self._index[key] = len(self._keys)
            self._stamps.append(instant.timestamp())
            self._keys.append(key)
        return True

    def _tick(self, i: int) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self._stamps[i], self._tz)

    def _ensure_until(self, stamp: float) -> None:
        """Ticks up to ``stamp``, and the first one after it."""
        while (not self._stamps or self._stamps[-1] <= stamp) and not self._exhausted:
            self._push()

    def _ensure_count(self, count: int) -> None:
        while len(self._stamps) < count and not self._exhausted:
            self._push()

    def _num_partitions(self, current_time: Any = None) -> int:
        if self.end is not None:
            limit, offset = self.end.timestamp(), 0
        else:
            now = current_time or datetime.datetime.now(_UTC)
            if isinstance(now, datetime.datetime) and now.tzinfo is None:
                now = now.replace(tzinfo=_UTC)
            limit = now.timestamp() if isinstance(now, datetime.datetime) else float(now)
            offset = self.end_offset
        self._ensure_until(limit)
        count = max(bisect.bisect_right(self._stamps, limit) - 1 + offset, 0)
        self._ensure_count(count + 1)
        return min(count, max(len(self._stamps) - 1, 0))

    # -- the PartitionsDefinition contract ---------------------------------------------------
    def get_partition_keys(self, current_time: Any = None,
                           dynamic_partitions_store: Any = None) -> list[str]:
        return self._keys[:self._num_partitions(current_time)]

    def _position(self, key: str, current_time: Any = None,
                  dynamic_partitions_store: Any = None) -> int | None:
        count = self._num_partitions(current_time)
        i = self._index.get(key)
        return i if i is not None and i < count else None

    def _keys_through(self, index: int) -> list[str]:
        self._ensure_count(index + 2)
        return self._keys

    def time_window_for_partition_key(self, partition_key: str) -> TimeWindow:
        """The window of ``partition_key``, which may lie beyond the current time."""
        i = self._index.get(partition_key)
        if i is None:
            parsed = self._parse_key(partition_key)
            if parsed is not None and (not self._stamps or parsed.timestamp() > self._stamps[-1]):
                window = self._window_at(parsed, partition_key)  # beyond the cache: not cached
                if window is not None:
                    return window
            raise UnknownPartitionError(
                f"Partition key {partition_key!r} is not in {self!r}: keys are start times in "
                f"the format {self.fmt!r}, e.g. {self._example()!r}")
        self._ensure_count(i + 2)
        if i + 1 >= len(self._stamps):
            raise UnknownPartitionError(
                f"Partition key {partition_key!r} of {self!r} starts at its end; it has no window")
        return TimeWindow(self._tick(i), self._tick(i + 1))

    def _parse_key(self, key: str) -> datetime.datetime | None:
        for f in (self.fmt, self.fmt + "%z"):
            try:
                parsed = datetime.datetime.strptime(key, f)
            except ValueError:
                continue
            return parsed.replace(tzinfo=self._tz) if parsed.tzinfo is None else parsed
        return None

    def _window_at(self, instant: datetime.datetime, key: str) -> TimeWindow | None:
        if instant < self.start:
            return None
        ticks = cron_ticks(self.cron_schedule, self.timezone, instant, inclusive=True)
        start, end = (t.astimezone(self._tz) for t in (next(ticks), next(ticks)))
        if start.strftime(self.fmt) != key or (self.end is not None and end > self.end):
            return None
        return TimeWindow(start, end)

    def _example(self) -> str:
        self._ensure_count(1)
        return self._keys[0] if self._keys else self.start.strftime(self.fmt)

    def get_last_partition_window(self, current_time: Any = None) -> TimeWindow | None:
        key = self.get_last_partition_key(current_time)
        return None if key is None else self.time_window_for_partition_key(key)

    def _identity(self) -> tuple[Any, ...]:
        return (type(self), self.start, self.end, self.fmt, self.timezone, self.cron_schedule,
                self.end_offset)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TimeWindowPartitionsDefinition)
                and self._identity() == other._identity())

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        end = "" if self.end is None else f", end={self.end.strftime(self.fmt)!r}"
        return (f"{type(self).__name__}(start={self.start.strftime(self.fmt)!r}{end}, "
                f"cron_schedule={self.cron_schedule!r}, timezone={self.timezone!r})")
