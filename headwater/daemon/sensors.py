"""The sensor daemon: evaluates every running sensor once per ``minimum_interval_seconds``.

Each evaluation is a tick (``ticks.py``): recorded STARTED first, its runs created QUEUED, then
finished with its status, runs, run keys, skip reason or error, and the new cursor in the same
transaction. A failed evaluation keeps the old cursor, so the next one sees the same input.
Run keys are de-duplicated per sensor for ever. Due sensors are evaluated on a small thread
pool, so one slow sensor (up to its timeout) does not make the others late; the daemon runs
sensors that tick every few seconds in a component (a loop) of their own, so a burst of slow
sensors falling due together does not hold them back. A component's next pass comes when its
next sensor falls due.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from headwater.daemon.clock import Clock, SystemClock
from headwater.daemon.component import Wakeup
from headwater.daemon.scheduler import DEFAULT_TIMEOUT_SECONDS, Locations, location_source
from headwater.daemon.state import START_TIMESTAMP, StateCache, ensure_state, is_running
from headwater.daemon.ticks import process_tick
from headwater.locations.contracts import (
    CodeLocation,
    LocationLoadError,
    LocationUnavailableError,
    SensorTickInput,
)
from headwater.locations.snapshot import SensorKind, SensorSnap
from headwater.storage.instigators import (
    FINISHED_TICK_STATUSES,
    InstigatorState,
    InstigatorType,
    Tick,
    TickStatus,
    selector_id,
)

_log = logging.getLogger("headwater.daemon.sensors")
DEFAULT_WORKERS = 4
FAST_LANE_MAX_INTERVAL_S = 5  # sensors this frequent are evaluated on a lane of their own


class SensorLane(enum.Enum):
    """Which sensors a component evaluates. The daemon runs two: frequent sensors on a loop of
    their own, so that a thousand slow sensors falling due together never hold them back."""

    ALL = "all"
    FAST = "fast"  # minimum_interval_seconds <= FAST_LANE_MAX_INTERVAL_S
    SLOW = "slow"

    def takes(self, interval: float) -> bool:
        if self is SensorLane.ALL:
            return True
        return (interval <= FAST_LANE_MAX_INTERVAL_S) == (self is SensorLane.FAST)


class SensorComponent:
    """A ``DaemonComponent``: one pass evaluates every sensor that is due."""

    name = "sensors"

    def __init__(self, instance: Any, locations: Locations | Iterable[CodeLocation], *,
                 clock: Clock | None = None, interval_seconds: float = 0.5,
                 timeout_seconds: float | None = DEFAULT_TIMEOUT_SECONDS,
                 workers: int = DEFAULT_WORKERS, wakeup: Wakeup | None = None,
                 lane: SensorLane = SensorLane.ALL):
        self.instance = instance
        self._locations = location_source(locations)
        self.clock = clock or SystemClock()
        self.max_interval_seconds = interval_seconds
        self.timeout_seconds = timeout_seconds
        self.workers = max(1, workers)
        self.wakeup = wakeup
        self.lane = lane
        if lane is not SensorLane.ALL:
            self.name = f"sensors ({lane.value})"
        self._pool: ThreadPoolExecutor | None = None
        self._next_due: dict[str, float] = {}  # selector -> when it is due next
        self._latest: dict[str, Tick | None] = {}  # selector -> its latest tick, once read
        self._states = StateCache(instance, InstigatorType.SENSOR)

    @property
    def interval_seconds(self) -> float:
        """Until the next sensor falls due (at most ``max_interval_seconds``): a sensor is
        evaluated when it is due, not up to a pass later."""
        now = self.clock.now()
        entries = list(self._next_due.values())  # one C-level copy
        # a sensor that fell due during the pass (not evaluated by it) is taken at once
        soonest = min(entries, default=None)
        if soonest is None:
            return self.max_interval_seconds
        return max(0.005, min(self.max_interval_seconds, soonest - now))

    def run_iteration(self) -> None:
        now = self.clock.now()
        states = self._states.current()
        due: list[tuple[CodeLocation, SensorSnap, InstigatorState | None]] = []
        seen: set[str] = set()
        for location in self._locations():
            try:
                snapshot = location.snapshot()
            except (LocationLoadError, LocationUnavailableError) as e:
                _log.warning("code location %r is not available, its sensors wait: %s",
                             location.name, e)
                continue
            for sensor in snapshot.sensors:
                if sensor.kind == SensorKind.AUTOMATION:
                    continue  # declarative automation has a daemon of its own
                if not self.lane.takes(sensor.minimum_interval_seconds):
                    continue
                sel = selector_id(location.name, sensor.name)
                state = states.get(sel)
                if not is_running(state, sensor.default_status):
                    continue
                seen.add(sel)
                due_at = self._next_due.get(sel)
                if due_at is not None and now < due_at:
                    continue
                due.append((location, sensor, state))
        for gone in self._next_due.keys() - seen:  # stopped, removed, or its location is down
            self._next_due.pop(gone, None)
        if not due:
            return
        if self.workers == 1 or len(due) == 1:
            for item in due:
                self._guarded(*item, self.clock.now())
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="headwater-sensor")
        for future in [self._pool.submit(self._run, *item) for item in due]:
            future.result()

    def _run(self, location: CodeLocation, sensor: SensorSnap,
             state: InstigatorState | None) -> None:
        self._guarded(location, sensor, state, self.clock.now())  # its time when it runs

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    # --------------------------------------------------------------------- one sensor

    def _guarded(self, location: CodeLocation, sensor: SensorSnap,
                 state: InstigatorState | None, now: float) -> None:
        sel = selector_id(location.name, sensor.name)
        try:
            self._sensor(location, sensor, state, now)
        except LocationUnavailableError as e:
            self._next_due.pop(sel, None)
            self._latest.pop(sel, None)
            _log.warning("sensor %r: code location %r is not available, the tick is retried "
                         "on the next pass: %s", sensor.name, location.name, e)
        except Exception:  # noqa: BLE001 - one sensor's trouble must not stop the others
            self._next_due.pop(sel, None)
            self._latest.pop(sel, None)
            _log.exception("sensor %r of code location %r failed to tick", sensor.name,
                           location.name)

    def _sensor(self, location: CodeLocation, sensor: SensorSnap,
                state: InstigatorState | None, now: float) -> None:
        sel = selector_id(location.name, sensor.name)
        interval = max(0, sensor.minimum_interval_seconds)
        state = ensure_state(self.instance, state, location.name, sensor.name,
                             InstigatorType.SENSOR, now)
        latest = self._latest_tick(sel)
        if latest is not None and latest.status == TickStatus.STARTED:
            self._evaluate(location, sensor, state, latest, None)  # finish what a crash left
        elif latest is not None and latest.timestamp + interval > now:
            self._next_due[sel] = latest.timestamp + interval
            return
        else:
            tick = self.instance.create_tick(sel, sensor.name, InstigatorType.SENSOR,
                                             uuid.uuid4().hex, now)
            self._latest[sel] = tick
            self._evaluate(location, sensor, state, tick, latest)
        self._next_due[sel] = now + interval

    def _latest_tick(self, sel: str) -> Tick | None:
        """The sensor's latest tick: read once, then kept as this daemon (the only one: the
        lease) writes them."""
        if sel not in self._latest:
            self._latest[sel] = next(iter(self.instance.get_ticks(sel, limit=1)), None)
        return self._latest[sel]

    def _evaluate(self, location: CodeLocation, sensor: SensorSnap, state: InstigatorState,
                  tick: Tick, previous: Tick | None) -> None:
        """``previous``: the tick before ``tick`` if known and finished, else it is read."""
        def evaluate() -> Any:
            return location.evaluate_sensor(sensor.name,
                                            self._tick_input(state, tick, previous),
                                            self.timeout_seconds)

        try:
            outcome = process_tick(self.instance, tick, location.name, evaluate,
                                   set_cursor=True)
        except BaseException:
            self._latest.pop(tick.selector_id, None)  # read again: what was stored is unknown
            raise
        self._latest[tick.selector_id] = outcome.tick
        if outcome.tick.status == TickStatus.FAILURE:
            _log.warning("sensor %r tick failed: %s", sensor.name, outcome.tick.error)
        if outcome.created_runs and self.wakeup is not None:
            self.wakeup.set()

    def _tick_input(self, state: InstigatorState, tick: Tick,
                    previous: Tick | None) -> SensorTickInput:
        if previous is None or previous.status not in FINISHED_TICK_STATUSES:
            previous = next(iter(self.instance.get_ticks(
                tick.selector_id, limit=1, statuses=sorted(FINISHED_TICK_STATUSES))), None)
        start = state.extra.get(START_TIMESTAMP)
        return SensorTickInput(
            cursor=state.cursor,
            last_tick_completion_time=None if previous is None else previous.end_timestamp,
            last_run_key=(previous.run_keys[-1] if previous is not None and previous.run_keys
                          else None),
            last_sensor_start_time=None if start is None else float(start))
