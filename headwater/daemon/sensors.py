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
from headwater.daemon.state import START_TIMESTAMP, ensure_state, is_running
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
        self._next_due: dict[str, tuple[Any, float]] = {}  # selector -> (state stamp, due at)

    @property
    def interval_seconds(self) -> float:
        """Until the next sensor falls due (at most ``max_interval_seconds``): a sensor is
        evaluated when it is due, not up to a pass later."""
        now = self.clock.now()
        entries = list(self._next_due.values())  # one C-level copy: safe against the workers
        # only what falls due later: an overdue sensor is in flight, or the next pass takes it
        soonest = min((due for _, due in entries if due > now), default=None)
        if soonest is None:
            return self.max_interval_seconds
        return max(0.005, min(self.max_interval_seconds, soonest - now))

    def run_iteration(self) -> None:
        now = self.clock.now()
        states = {s.selector_id: s for s in
                  self.instance.all_instigator_state(InstigatorType.SENSOR)}
        due: list[tuple[CodeLocation, SensorSnap, InstigatorState | None]] = []
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
                    self._next_due.pop(sel, None)
                    continue
                cached = self._next_due.get(sel)
                stamp = None if state is None else (state.update_timestamp, state.status)
                if cached is not None and cached[0] == stamp and now < cached[1]:
                    continue
                due.append((location, sensor, state))
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
            _log.warning("sensor %r: code location %r is not available, the tick is retried "
                         "on the next pass: %s", sensor.name, location.name, e)
        except Exception:  # noqa: BLE001 - one sensor's trouble must not stop the others
            self._next_due.pop(sel, None)
            _log.exception("sensor %r of code location %r failed to tick", sensor.name,
                           location.name)

    def _sensor(self, location: CodeLocation, sensor: SensorSnap,
                state: InstigatorState | None, now: float) -> None:
        sel = selector_id(location.name, sensor.name)
        interval = max(0, sensor.minimum_interval_seconds)
        state = ensure_state(self.instance, state, location.name, sensor.name,
                             InstigatorType.SENSOR, now)
        stamp = (state.update_timestamp, state.status)
        latest = next(iter(self.instance.get_ticks(sel, limit=1)), None)
        if latest is not None and latest.status == TickStatus.STARTED:
            self._evaluate(location, sensor, state, latest)  # finish what a crash left
        elif latest is not None and latest.timestamp + interval > now:
            self._next_due[sel] = (stamp, latest.timestamp + interval)
            return
        else:
            tick = self.instance.create_tick(sel, sensor.name, InstigatorType.SENSOR,
                                             uuid.uuid4().hex, now)
            self._evaluate(location, sensor, state, tick)
        # The state row changed (cursor saved): re-read its stamp on the next pass.
        self._next_due[sel] = (_stamp(self.instance.get_instigator_state(sel)), now + interval)

    def _evaluate(self, location: CodeLocation, sensor: SensorSnap, state: InstigatorState,
                  tick: Tick) -> None:
        def evaluate() -> Any:
            fresh = self.instance.get_instigator_state(tick.selector_id) or state
            return location.evaluate_sensor(sensor.name, self._tick_input(fresh, tick),
                                            self.timeout_seconds)

        outcome = process_tick(self.instance, tick, location.name, evaluate, set_cursor=True)
        if outcome.tick.status == TickStatus.FAILURE:
            _log.warning("sensor %r tick failed: %s", sensor.name, outcome.tick.error)
        if outcome.created_runs and self.wakeup is not None:
            self.wakeup.set()

    def _tick_input(self, state: InstigatorState, tick: Tick) -> SensorTickInput:
        previous = next(iter(self.instance.get_ticks(
            tick.selector_id, limit=1, statuses=sorted(FINISHED_TICK_STATUSES))), None)
        start = state.extra.get(START_TIMESTAMP)
        return SensorTickInput(
            cursor=state.cursor,
            last_tick_completion_time=None if previous is None else previous.end_timestamp,
            last_run_key=(previous.run_keys[-1] if previous is not None and previous.run_keys
                          else None),
            last_sensor_start_time=None if start is None else float(start))


def _stamp(state: InstigatorState | None) -> Any:
    return None if state is None else (state.update_timestamp, state.status)
