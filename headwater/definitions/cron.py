"""Cron strings and timezones for schedules: validation, and the tick times they produce.

Tick times are computed on wall-clock time in the schedule's timezone, then placed on the
timeline. Daylight saving transitions follow these rules:

* a wall time that does not exist (clocks spring forward) fires once, at the end of the gap,
  unless the hour field is ``*`` or a step (the schedule fires again within the hour anyway);
* a wall time that happens twice (clocks fall back) fires at both instants when the hour
  field is ``*`` or a step, and otherwise once, at the later instant.
"""

from __future__ import annotations

import datetime
import heapq
import zoneinfo
from collections.abc import Iterator, Sequence

from headwater.definitions.errors import InvalidDefinitionError

_ALIASES = {
    "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_UTC = datetime.timezone.utc
_PROBE_START = datetime.datetime(2000, 1, 1)


def _expand(cron: str) -> str:
    cron = cron.strip()
    return _ALIASES.get(cron, cron)


def is_valid_cron(cron: str) -> bool:
    """Five fields (minute hour day month weekday) or an @alias, and fires at least once."""
    if not isinstance(cron, str):
        return False
    from croniter import croniter  # 40 ms to import: only when a cron is used

    expr = _expand(cron)
    if len(expr.split()) != 5 or not croniter.is_valid(expr):
        return False
    try:  # "0 0 30 2 *" parses but never fires
        croniter(expr, _PROBE_START).get_next(datetime.datetime)
    except Exception:
        return False
    return True


def validate_cron(cron_schedule: str | Sequence[str], what: str) -> str | list[str]:
    crons = [cron_schedule] if isinstance(cron_schedule, str) else list(cron_schedule or ())
    bad = [c for c in crons if not is_valid_cron(c)]
    if bad or not crons:
        raise InvalidDefinitionError(
            f"{what} has an invalid cron schedule {bad[0] if bad else cron_schedule!r}: use five "
            "fields (minute hour day-of-month month day-of-week), e.g. '0 6 * * *', or one of "
            f"{sorted(_ALIASES)}")
    return cron_schedule if isinstance(cron_schedule, str) else crons


def get_timezone(name: str | None, what: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidDefinitionError(
            f"{what} has an unknown execution_timezone {name!r}: use an IANA timezone name such as "
            "'UTC', 'Europe/Paris' or 'America/Los_Angeles'") from None


def _hour_repeats(expr: str) -> bool:
    hour = expr.split()[1]
    return hour == "*" or hour.startswith("*/")


def _gap_end(naive: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The first instant after the DST gap that swallowed the wall time ``naive``."""
    # Read with the offsets before and after the gap, the wall time brackets the transition.
    readings = [int(naive.replace(tzinfo=tz, fold=f).timestamp()) for f in (0, 1)]
    lo, hi = min(readings), max(readings)
    after = datetime.datetime.fromtimestamp(hi, tz).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.datetime.fromtimestamp(mid, tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.datetime.fromtimestamp(hi, tz)


def _instants(naive: datetime.datetime, tz: zoneinfo.ZoneInfo,
              repeats: bool) -> list[datetime.datetime]:
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    round_trip = first.astimezone(_UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:  # inside a spring-forward gap
        return [] if repeats else [_gap_end(naive, tz)]
    if first.utcoffset() != second.utcoffset():  # happens twice
        return [first, second] if repeats else [second]
    return [first]


def _single(expr: str, tz: zoneinfo.ZoneInfo, start: float,
            inclusive: bool) -> Iterator[datetime.datetime]:
    # Instants are compared by timestamp: aware datetimes sharing a tzinfo compare as wall
    # times, which would merge the two readings of a repeated hour.
    from croniter import croniter

    repeats = _hour_repeats(expr)
    local = datetime.datetime.fromtimestamp(start, tz).replace(tzinfo=None)
    # Begin a day early in wall time, so that ticks in a repeated hour are not missed.
    it = croniter(expr, local - datetime.timedelta(days=1))
    last = float("-inf")
    while True:
        for instant in _instants(it.get_next(datetime.datetime), tz, repeats):
            ts = instant.timestamp()
            if ts > last and (ts > start or (inclusive and ts == start)):
                last = ts
                yield instant


def cron_ticks(cron_schedule: str | Sequence[str], timezone: str | None,
               start: datetime.datetime, inclusive: bool = False) -> Iterator[datetime.datetime]:
    """Tick times (aware, in the schedule's timezone) after ``start`` — or at it when
    ``inclusive`` — in order, merged across several cron strings. A naive ``start`` is read
    in the schedule's timezone."""
    tz = get_timezone(timezone, "schedule")
    if start.tzinfo is None:
        start = start.replace(tzinfo=tz)
    crons = [cron_schedule] if isinstance(cron_schedule, str) else list(cron_schedule)
    begin = start.timestamp()
    merged = heapq.merge(*(_single(_expand(c), tz, begin, inclusive) for c in crons),
                         key=datetime.datetime.timestamp)
    last = float("-inf")
    for instant in merged:
        if instant.timestamp() > last:
            last = instant.timestamp()
            yield instant
