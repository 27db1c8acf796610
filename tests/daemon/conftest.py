"""Fixtures for the daemon's tests: an instance, a frozen clock, and a code location over a
``Definitions`` that can be made unavailable (as a dead code server would be)."""

from __future__ import annotations

from typing import Any

import pytest

import headwater as hw
from headwater.daemon.clock import FrozenClock
from headwater.locations import (
    CodeLocation,
    LocationSnapshot,
    LocationUnavailableError,
    SensorTickInput,
)


class FakeLocation(CodeLocation):
    """Evaluates through ``headwater.locations.evaluate`` like the in-process location, counts
    evaluations, and can be switched off."""

    def __init__(self, name: str, defs: Any, instance: Any,
                 snapshot: LocationSnapshot | None = None):
        from headwater.locations.build import build_snapshot

        self.name = name
        self.defs = defs
        self.instance = instance
        self._snapshot = snapshot or build_snapshot(defs, name)
        self.available = True
        self.evaluations: list[tuple[str, Any]] = []

    @property
    def load_error(self):
        return None

    def _check(self) -> None:
        if not self.available:
            raise LocationUnavailableError(f"code location {self.name!r} is down")

    def snapshot(self) -> LocationSnapshot:
        self._check()
        return self._snapshot

    def evaluate_schedule(self, name, scheduled_time, timeout=None):
        from headwater.locations.evaluate import evaluate_schedule

        self._check()
        self.evaluations.append((name, scheduled_time))
        return evaluate_schedule(self.defs, name, scheduled_time, self.instance, timeout)

    def evaluate_sensor(self, name, tick: SensorTickInput, timeout=None):
        from headwater.locations.evaluate import evaluate_sensor

        self._check()
        self.evaluations.append((name, tick))
        return evaluate_sensor(self.defs, name, tick, self.instance, timeout)

    def launch_run(self, run_id):
        raise NotImplementedError

    def reload(self):
        pass

    def close(self):
        pass


@pytest.fixture
def instance(tmp_path):
    inst = hw.Instance.local(tmp_path / "home")
    yield inst
    inst.dispose()


@pytest.fixture
def clock():
    return FrozenClock(0.0)
