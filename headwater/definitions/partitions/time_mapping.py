"""``TimeWindowPartitionMapping``: partitions related by overlapping time windows.

A downstream partition reads every upstream partition whose window overlaps its own (a day
reads its 24 hours; an hour reads its day). ``start_offset``/``end_offset`` move the start and
the end of the downstream window by whole downstream partitions first, as in Dagster
(``start_offset=-1`` on a daily asset reads yesterday and today).

Upstream partitions outside the upstream definition: with no offsets, a window that needs
them is an error unless ``allow_nonexistent_upstream_partitions`` (then they are dropped);
with offsets, the shifted part outside the upstream's partitions (before its start, after its
end or the current time) is dropped, as Dagster does.

Windows are located by bisecting each definition's cached ticks, so mapping n keys costs
O(n log n) whatever the two cadences are.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass
from typing import Any

from headwater.definitions.cron import cron_ticks
from headwater.definitions.errors import InvalidDefinitionError, UnknownPartitionError
from headwater.definitions.partitions.mapping_base import PartitionMapping, show_keys
from headwater.definitions.partitions.time_window import TimeWindowPartitionsDefinition

_FAR = 10 ** 12


class _Timeline:
    """Index arithmetic over a time-window definition's ticks: tick ``i`` starts partition
    ``i``. Indices may lie before the first tick or past the end date; those ticks follow the
    cron schedule. Positions more than ``reach`` ticks beyond either edge are reported as
    ``-_FAR``/``_FAR`` (callers only clamp them)."""

    def __init__(self, defn: TimeWindowPartitionsDefinition, reach: int):
        self.d = defn
        self.reach = reach
        self._before: list[float] = []  # ticks before the first one, nearest first
        self._after: list[float] = []  # ticks after the last one of a definition with an end

    def _dt(self, stamp: float) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc)

    def _extra_before(self, k: int) -> float:
        d = self.d
        d._ensure_count(2)
        first = d._stamps[0]
        span = (d._stamps[1] - first) if len(d._stamps) > 1 else 86400.0 * 31
        back = 2 * (k + 1)
        while len(self._before) < k:
            anchor = self._dt(first - span * back)
            ticks = []
            for t in cron_ticks(d.cron_schedule, d.timezone, anchor, inclusive=True):
                stamp = t.timestamp()
                if stamp >= first:
                    break
                ticks.append(stamp)
            ticks.reverse()
            self._before = ticks
            back *= 2
        return self._before[k - 1]

    def _extra_after(self, k: int) -> float:
        d = self.d
        if len(self._after) < k:
            last = self._after[-1] if self._after else d._stamps[-1]
            ticks = cron_ticks(d.cron_schedule, d.timezone, self._dt(last), inclusive=False)
            while len(self._after) < k:
                self._after.append(next(ticks).timestamp())
        return self._after[k - 1]

    def index_of(self, key: str) -> int:
        d = self.d
        window = d.time_window_for_partition_key(key)  # raises UnknownPartitionError
        i = d._index.get(key)
        return i if i is not None else self.index_at(window.start.timestamp())

    def stamp(self, i: int) -> float:
        d = self.d
        if i < 0:
            return self._extra_before(-i)
        d._ensure_count(i + 1)
        n = len(d._stamps)
        return d._stamps[i] if i < n else self._extra_after(i - n + 1)

    def index_at(self, ts: float) -> int:
        """The index of the partition whose window holds ``ts``."""
        d = self.d
        d._ensure_until(ts)
        stamps = d._stamps
        if stamps and ts >= stamps[0]:
            if not d._exhausted or ts < stamps[-1]:
                return bisect.bisect_right(stamps, ts) - 1
            for k in range(1, self.reach + 2):
                if self._extra_after(k) > ts:
                    return len(stamps) - 2 + k
            return _FAR
        for k in range(1, self.reach + 2):
            if self._extra_before(k) <= ts:
                return -k
        return -_FAR

    def index_before(self, ts: float) -> int:
        """The index of the last partition starting before ``ts``."""
        j = self.index_at(ts)
        if abs(j) == _FAR:
            return j
        return j - 1 if self.stamp(j) >= ts else j

    def key_at(self, i: int) -> str:
        """The key partition ``i`` has or would have (before the start, past the end)."""
        d = self.d
        return datetime.datetime.fromtimestamp(self.stamp(i), d._tz).strftime(d.fmt)

    def count(self, now: bool) -> int:
        """Partitions that exist: up to the end date, and up to now when ``now``."""
        if self.d.end is None and not now:
            return _FAR
        return self.d._num_partitions(None)

    def keys(self, spans: list[tuple[int, int]]) -> list[str]:
        d = self.d
        out: list[str] = []
        last = -1
        for lo, hi in sorted(spans):
            lo = max(lo, last + 1)
            if lo > hi:
                continue
            d._ensure_count(hi + 2)
            out.extend(d._keys[lo:hi + 1])
            last = hi
        return out


def _check_offset(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidDefinitionError(
            f"TimeWindowPartitionMapping {name} must be a whole number of partitions, e.g. "
            f"{name}=-1; got {value!r}")
    return value


@dataclass(frozen=True)
class TimeWindowPartitionMapping(PartitionMapping):
    """Each downstream partition reads the upstream partitions whose time windows overlap its
    own, after moving its start and end by ``start_offset``/``end_offset`` partitions."""

    start_offset: int = 0
    end_offset: int = 0
    allow_nonexistent_upstream_partitions: bool = False

    def __post_init__(self) -> None:
        start = _check_offset("start_offset", self.start_offset)
        end = _check_offset("end_offset", self.end_offset)
        if start > end:
            raise InvalidDefinitionError(
                f"TimeWindowPartitionMapping(start_offset={start}, end_offset={end}) maps every "
                "partition to an empty window: start_offset must not be greater than end_offset "
                "(e.g. start_offset=-1, end_offset=0 reads the previous and the current "
                "partition)")

    def fit(self, upstream_def: Any, downstream_def: Any) -> str | None:
        if upstream_def is None:
            return None
        for side, defn in (("upstream", upstream_def), ("downstream", downstream_def)):
            if not isinstance(defn, TimeWindowPartitionsDefinition):
                got = "is not partitioned" if defn is None else f"has {defn!r}"
                return (f"TimeWindowPartitionMapping needs time-window partitions on both sides, "
                        f"but the {side} asset {got}")
        return None

    def _timelines(self, a: Any, b: Any) -> tuple[_Timeline, _Timeline]:
        for defn in (a, b):
            if not isinstance(defn, TimeWindowPartitionsDefinition):
                raise UnknownPartitionError(
                    f"TimeWindowPartitionMapping maps time-window partitions only; got {defn!r}")
        reach = abs(self.start_offset) + abs(self.end_offset) + 2
        return _Timeline(a, reach), _Timeline(b, reach)

    def _map_up(self, downstream_keys: list[str] | None, downstream_def: Any,
                upstream_def: Any) -> tuple[list[str], list[str], list[str]]:
        """The upstream keys read; the downstream keys whose windows reach outside the
        upstream definition, and the upstream keys of those windows (both empty when shifted
        or ``allow_nonexistent_upstream_partitions``: then the outside is simply dropped)."""
        down, up = self._timelines(downstream_def, upstream_def)
        so, eo = self.start_offset, self.end_offset
        shifted = so != 0 or eo != 0
        limit = up.count(now=shifted)
        strict = not shifted and not self.allow_nonexistent_upstream_partitions
        spans: list[tuple[int, int]] = []
        missing: list[str] = []
        outside: list[str] = []
        for key in downstream_keys or ():
            i = down.index_of(key)
            lo = up.index_at(down.stamp(i + so))
            hi = up.index_before(down.stamp(i + 1 + eo))
            if lo > hi:
                continue
            if strict and (lo < 0 or hi >= limit):
                missing.append(key)
                reach = up.reach
                outside.extend(up.key_at(j) for j in range(max(lo, -reach), min(hi, limit + reach) + 1)
                               if j < 0 or j >= limit)
            spans.append((max(lo, 0), min(hi, limit - 1)))
        return up.keys(spans), missing, list(dict.fromkeys(outside))

    def _upstream(self, downstream_keys: list[str] | None, downstream_def: Any,
                  upstream_def: Any, store: Any) -> list[str]:
        keys, missing, _ = self._map_up(downstream_keys, downstream_def, upstream_def)
        if missing:
            raise UnknownPartitionError(
                f"Downstream partition(s) {show_keys(missing)} of {downstream_def!r} read upstream "
                f"time windows outside the upstream {upstream_def!r}. Materialize only "
                "partitions inside both definitions, or pass partition_mapping="
                "TimeWindowPartitionMapping(allow_nonexistent_upstream_partitions=True) to read "
                "just the upstream partitions that exist")
        return keys

    def _upstream_and_missing(self, downstream_keys: list[str] | None, downstream_def: Any,
                              upstream_def: Any, store: Any) -> tuple[list[str], list[str]]:
        keys, _, outside = self._map_up(downstream_keys, downstream_def, upstream_def)
        return keys, outside

    def _downstream(self, upstream_keys: list[str], upstream_def: Any, downstream_def: Any,
                    store: Any) -> list[str]:
        up, down = self._timelines(upstream_def, downstream_def)
        so, eo = self.start_offset, self.end_offset
        limit = down.count(now=True)
        spans: list[tuple[int, int]] = []
        for key in upstream_keys:
            j = up.index_of(key)
            a = down.index_at(up.stamp(j))
            b = down.index_before(up.stamp(j + 1))
            if a <= b:
                spans.append((max(a - eo, 0), min(b - so, limit - 1)))
        return down.keys(spans)
