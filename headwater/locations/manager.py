"""``LocationManager``: the code locations of a workspace, kept up for a long-running service.

The daemon and ``headwater dev`` hold one. It starts every location (code servers in parallel),
hands out the current list (``locations()``, what the daemon's components call each pass),
restarts a code server that died (with a growing delay, so a location that crashes on import
does not spin), and reloads locations on request -- each keeps serving its last good snapshot
until the new code loads. A location whose server cannot be started at all is kept as an
``UnavailableLocation`` that says why, so the other locations keep working.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from headwater.events.errors import SerializableErrorInfo
from headwater.locations.contracts import (
    CodeLocation,
    ConfigProblem,
    LocationUnavailableError,
    SensorTickInput,
)
from headwater.locations.evaluation import Evaluation
from headwater.locations.origins import LocationOrigin
from headwater.locations.snapshot import LocationSnapshot

_log = logging.getLogger("headwater.locations")

RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)  # seconds between tries to restart a dead server


class UnavailableLocation(CodeLocation):
    """A location whose code server is not running: every call says why."""

    def __init__(self, origin: LocationOrigin, reason: str):
        self.name = origin.name
        self.origin = origin
        self.reason = reason

    @property
    def load_error(self) -> SerializableErrorInfo | None:
        return SerializableErrorInfo(self.reason, [], "LocationUnavailableError")

    def _fail(self) -> LocationUnavailableError:
        return LocationUnavailableError(f"Code location {self.name!r} is unavailable: "
                                        f"{self.reason}")

    def snapshot(self) -> LocationSnapshot:
        raise self._fail()

    def evaluate_schedule(self, name: str, scheduled_time: float,
                          timeout: float | None = None) -> Evaluation:
        raise self._fail()

    def evaluate_sensor(self, name: str, tick: SensorTickInput,
                        timeout: float | None = None) -> Evaluation:
        raise self._fail()

    def launch_run(self, run_id: str) -> None:
        raise self._fail()

    def validate_run_config(self, job_name: str, run_config: dict[str, Any] | None,
                            asset_selection: tuple[tuple[str, ...], ...] | None = None,
                            ) -> list[ConfigProblem]:
        raise self._fail()

    def reload(self) -> None:
        raise self._fail()

    def close(self) -> None:
        pass


class LocationManager:
    """The workspace's locations: ``in_process`` imports the code here (tests, small setups);
    otherwise each location runs in a code server process of its own."""

    def __init__(self, origins: Sequence[LocationOrigin], instance: Any, *,
                 in_process: bool = False, start_timeout: float | None = None):
        self.origins = tuple(origins)
        self.instance = instance
        self.in_process = in_process
        self.start_timeout = start_timeout
        self._lock = threading.Lock()
        self._locations: dict[str, CodeLocation] = {}
        self._failures: dict[str, tuple[int, float]] = {}  # name -> (tries, next try at)
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(self.origins)))) as pool:
            started = list(pool.map(self._start, self.origins))
        for origin, location in zip(self.origins, started, strict=True):
            self._locations[origin.name] = location

    def _start(self, origin: LocationOrigin) -> CodeLocation:
        from headwater.locations.factory import load_location

        try:
            return load_location(origin, self.instance, in_process=self.in_process,
                                 start_timeout=self.start_timeout)
        except LocationUnavailableError as e:
            _log.error("code location %r did not start: %s", origin.name, e)
            self._note_failure(origin.name)
            return UnavailableLocation(origin, str(e))

    def _note_failure(self, name: str) -> None:
        tries, _ = self._failures.get(name, (0, 0.0))
        delay = RESTART_DELAYS[min(tries, len(RESTART_DELAYS) - 1)]
        self._failures[name] = (tries + 1, time.monotonic() + delay)

    # ---------------------------------------------------------------- what services read

    def locations(self) -> list[CodeLocation]:
        """The current locations (restarting dead code servers that are due a try)."""
        self.restart_dead()
        with self._lock:
            return list(self._locations.values())

    def get(self, name: str) -> CodeLocation | None:
        with self._lock:
            return self._locations.get(name)

    def load_errors(self) -> dict[str, SerializableErrorInfo]:
        """Each location that failed to load (or whose server is down), with why."""
        out = {}
        for location in self.locations():
            try:
                error = location.load_error
            except LocationUnavailableError as e:
                error = SerializableErrorInfo(str(e), [], "LocationUnavailableError")
            if error is not None:
                out[location.name] = error
        return out

    # ---------------------------------------------------------------- keeping them up

    def restart_dead(self) -> list[str]:
        """Restart the code servers that have exited (or never started), when due; returns
        the names restarted."""
        if self.in_process:
            return []
        due = []
        now = time.monotonic()
        with self._lock:
            for origin in self.origins:
                location = self._locations.get(origin.name)
                if _alive(location):
                    continue
                tries, next_at = self._failures.get(origin.name, (0, 0.0))
                if now >= next_at:
                    due.append(origin)
                    self._note_failure(origin.name)  # the next try waits longer
        restarted = []
        for origin in due:
            old = self._locations.get(origin.name)
            if old is not None:
                _close_quietly(old)
            _log.warning("code location %r: its code server is not running; starting it",
                         origin.name)
            location = self._start(origin)
            with self._lock:
                self._locations[origin.name] = location
            if _alive(location):
                self._failures.pop(origin.name, None)
                restarted.append(origin.name)
        return restarted

    def reload(self, name: str | None = None) -> None:
        """Reload one location (or all): each keeps its last good snapshot until the new code
        loads; an unavailable one is started again."""
        with self._lock:
            targets = [loc for n, loc in self._locations.items() if name in (None, n)]
        for location in targets:
            if isinstance(location, UnavailableLocation):
                self._failures.pop(location.name, None)
                continue
            try:
                location.reload()
            except LocationUnavailableError as e:
                _log.error("code location %r did not reload: %s", location.name, e)
        self.restart_dead()

    def close(self) -> None:
        with self._lock:
            locations, self._locations = list(self._locations.values()), {}
        for location in locations:
            _close_quietly(location)

    def __enter__(self) -> LocationManager:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _alive(location: CodeLocation | None) -> bool:
    if location is None or isinstance(location, UnavailableLocation):
        return False
    process = getattr(location, "process", None)
    return process is None or process.alive()


def _close_quietly(location: CodeLocation) -> None:
    try:
        location.close()
    except Exception:  # noqa: BLE001 - a dead server cannot be closed twice
        _log.debug("closing code location %r failed", location.name, exc_info=True)
