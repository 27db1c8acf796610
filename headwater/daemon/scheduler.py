"""The scheduler: ticks every running schedule of every code location at its cron times.

Catch-up after downtime follows Dagster's daemon scheduler: when several tick times were
missed (the daemon was down, or a pass ran late), a schedule launches only the most recent one;
a schedule of a partitioned job launches up to ``max_catchup_runs`` (default 5) of the most
recent ones, oldest first, each for its own partition. Tick times before the schedule was
turned on, or before its cron or timezone last changed, are never launched.

Each tick is keyed by its scheduled time, so it happens once however often the daemon
restarts (see ``ticks.py``). Between ticks the next tick time is kept in memory, so that a pass
over a thousand schedules costs a few dictionary look-ups when nothing is due.
"""

from __future__ import annotations

import datetime
import logging
import math
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from headwater.daemon.clock import Clock, SystemClock
from headwater.daemon.component import Wakeup
from headwater.daemon.state import START_TIMESTAMP, ensure_state, is_running
from headwater.daemon.submit import SCHEDULED_EXECUTION_TIME_TAG
from headwater.daemon.ticks import process_tick
from headwater.locations.contracts import (
    CodeLocation,
    LocationLoadError,
    LocationUnavailableError,
)
from headwater.locations.snapshot import LocationSnapshot, ScheduleSnap
from headwater.storage.errors import TickAlreadyExistsError
from headwater.storage.instigators import (
    InstigatorState,
    InstigatorType,
    TickStatus,
    selector_id,
)

_log = logging.getLogger("headwater.daemon.scheduler")
DEFAULT_MAX_CATCHUP_RUNS = 5
DEFAULT_TIMEOUT_SECONDS = 60.0
_CRON_KEY = "cron"  # state.extra: the cron and timezone the schedule last ticked under
_CRON_SINCE = "cron_since"  # state.extra: when they last changed
_WINDOWS = (86_400.0, 32 * 86_400.0, 366 * 86_400.0, math.inf)
_UTC = datetime.timezone.utc

Locations = Callable[[], Sequence[CodeLocation]]


def tick_key(timestamp: float) -> str:
    return str(int(timestamp)) if timestamp == int(timestamp) else repr(timestamp)


@dataclass(frozen=True)
class DueTicks:
    times: list[datetime.datetime]  # to launch now, oldest first
    missed: int  # tick times dropped by the catch-up policy (within the window looked at)
    next_time: float  # the first tick time after now


def due_ticks(cron: str | Sequence[str], timezone: str | None, start: float, now: float,
              keep: int) -> DueTicks:
    """Tick times in (start, now], the ``keep`` most recent of them, and the next one after
    now. Looks back a day first, then further, so that a long downtime costs no more cron
    arithmetic than the window that holds the ticks kept."""
    from headwater.definitions.cron import cron_ticks

    for window in _WINDOWS:
        low = max(start, now - window)
        kept: deque[datetime.datetime] = deque(maxlen=keep)
        seen = 0
        next_time = math.inf
        for when in cron_ticks(cron, timezone, datetime.datetime.fromtimestamp(low, _UTC)):
            ts = when.timestamp()
            if ts > now:
                next_time = ts
                break
            kept.append(when)
            seen += 1
        if len(kept) >= keep or low <= start:
            return DueTicks(list(kept), seen - len(kept), next_time)
    raise AssertionError("the last window is unbounded")


class SchedulerComponent:
    """A ``DaemonComponent``: one pass ticks every schedule that is due."""

    name = "scheduler"

    def __init__(self, instance: Any, locations: Locations | Iterable[CodeLocation], *,
                 clock: Clock | None = None, interval_seconds: float = 1.0,
                 timeout_seconds: float | None = DEFAULT_TIMEOUT_SECONDS,
                 max_catchup_runs: int = DEFAULT_MAX_CATCHUP_RUNS,
                 wakeup: Wakeup | None = None):
        self.instance = instance
        self._locations = location_source(locations)
        self.clock = clock or SystemClock()
        self.interval_seconds = interval_seconds
        self.timeout_seconds = timeout_seconds
        self.max_catchup_runs = max(1, max_catchup_runs)
        self.wakeup = wakeup
        # selector -> (what the schedule looked like, the next tick time): nothing to do before
        self._next: dict[str, tuple[tuple[Any, ...], float]] = {}

    def run_iteration(self) -> None:
        now = self.clock.now()
        states = {s.selector_id: s for s in
                  self.instance.all_instigator_state(InstigatorType.SCHEDULE)}
        for location in self._locations():
            try:
                snapshot = location.snapshot()
            except (LocationLoadError, LocationUnavailableError) as e:
                _log.warning("code location %r is not available, its schedules wait: %s",
                             location.name, e)
                continue
            for schedule in snapshot.schedules:
                sel = selector_id(location.name, schedule.name)
                try:
                    self._schedule(location, snapshot, schedule, states.get(sel), now)
                except LocationUnavailableError as e:
                    self._next.pop(sel, None)
                    _log.warning("schedule %r: code location %r is not available, the tick "
                                 "is retried on the next pass: %s", schedule.name,
                                 location.name, e)
                except Exception:  # noqa: BLE001 - one schedule's trouble must not stop others
                    self._next.pop(sel, None)
                    _log.exception("schedule %r of code location %r failed to tick",
                                   schedule.name, location.name)

    # ------------------------------------------------------------------ one schedule

    def _schedule(self, location: CodeLocation, snapshot: LocationSnapshot,
                  schedule: ScheduleSnap, state: InstigatorState | None, now: float) -> None:
        sel = selector_id(location.name, schedule.name)
        if not is_running(state, schedule.default_status):
            self._next.pop(sel, None)
            return
        shape = (schedule.cron_schedule, schedule.execution_timezone,
                 None if state is None else state.update_timestamp)
        cached = self._next.get(sel)
        if cached is not None and cached[0] == shape and now < cached[1]:
            return
        state = ensure_state(self.instance, state, location.name, schedule.name,
                             InstigatorType.SCHEDULE, now)
        state = self._note_cron(state, schedule, now)
        latest = next(iter(self.instance.get_ticks(sel, limit=1)), None)
        if latest is not None and latest.status == TickStatus.STARTED:
            self._finish(location, schedule, latest)
        start = max(float(state.extra.get(START_TIMESTAMP, now)),
                    float(state.extra.get(_CRON_SINCE, 0.0)),
                    latest.timestamp if latest is not None else -math.inf)
        try:
            due = due_ticks(schedule.cron_schedule, schedule.execution_timezone, start, now,
                            self._keep(snapshot, schedule))
        except Exception as e:  # noqa: BLE001 - a cron or timezone that does not parse
            self._record_bad_schedule(location, schedule, e, now)
            self._next[sel] = (shape, math.inf)
            return
        if due.missed:
            _log.warning("schedule %r fell behind: %d tick time(s) skipped by the catch-up "
                         "policy", schedule.name, due.missed)
        for when in due.times:
            try:
                tick = self.instance.create_tick(sel, schedule.name, InstigatorType.SCHEDULE,
                                                 tick_key(when.timestamp()), when.timestamp())
            except TickAlreadyExistsError:
                continue
            self._finish(location, schedule, tick)
        self._next[sel] = (shape, due.next_time)

    def _keep(self, snapshot: LocationSnapshot, schedule: ScheduleSnap) -> int:
        job = snapshot.job(schedule.job_name) if schedule.job_name else None
        partitioned = job is not None and job.partitions is not None
        return self.max_catchup_runs if partitioned else 1

    def _note_cron(self, state: InstigatorState, schedule: ScheduleSnap,
                   now: float) -> InstigatorState:
        """Remember the cron and timezone; when they change, ticks start from now (a changed
        cron does not launch the new cron's past times)."""
        from dataclasses import replace

        current = [list(schedule.cron_schedule), schedule.execution_timezone]
        stored = state.extra.get(_CRON_KEY)
        if stored == current:
            return state
        extra = {**state.extra, _CRON_KEY: current}
        if stored is not None:
            extra[_CRON_SINCE] = now
        return self.instance.set_instigator_state(replace(state, extra=extra))

    def _finish(self, location: CodeLocation, schedule: ScheduleSnap, tick: Any) -> None:
        when = datetime.datetime.fromtimestamp(tick.timestamp, _UTC)
        outcome = process_tick(
            self.instance, tick, location.name,
            lambda: location.evaluate_schedule(schedule.name, tick.timestamp,
                                               self.timeout_seconds),
            set_cursor=False, extra_tags={SCHEDULED_EXECUTION_TIME_TAG: when.isoformat()})
        if outcome.tick.status == TickStatus.FAILURE:
            _log.warning("schedule %r tick at %s failed: %s", schedule.name, when.isoformat(),
                         outcome.tick.error)
        if outcome.created_runs and self.wakeup is not None:
            self.wakeup.set()

    def _record_bad_schedule(self, location: CodeLocation, schedule: ScheduleSnap,
                             error: Exception, now: float) -> None:
        """A cron or timezone that does not parse: one failed tick says so (once per
        definition), and the schedule waits until its code is fixed."""
        from dataclasses import replace

        sel = selector_id(location.name, schedule.name)
        key = f"invalid:{'|'.join(schedule.cron_schedule)}|{schedule.execution_timezone}"
        message = (f"Schedule {schedule.name!r} cannot tick: {error}. Fix its cron_schedule "
                   "or execution_timezone and reload the code location.")
        _log.error("%s", message)
        try:
            tick = self.instance.create_tick(sel, schedule.name, InstigatorType.SCHEDULE, key,
                                             now)
        except TickAlreadyExistsError:
            return
        self.instance.update_tick(replace(tick, status=TickStatus.FAILURE, error=message))


def location_source(locations: Locations | Iterable[CodeLocation]) -> Locations:
    """The code locations a component works over: a callable (the runner's current list,
    which changes on reload) or a fixed list."""
    if callable(locations):
        return locations
    fixed = list(locations)
    return lambda: fixed
