"""A real instance (SQLite in a temporary home, configured by the test's dagster.yaml) and a
real in-process code location over ``tests/execution/hwexec_stored.py``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

import headwater as dg
from headwater.locations.in_process import InProcessLocation
from tests.execution import hwexec_jobs
from tests.execution import hwexec_stored as m
from tests.execution.hwexec_sync import Checkpoints

GUARD_S = 60.0  # bounds a broken test only; no assertion depends on time


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HEADWATER_HOME", str(path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return path


@pytest.fixture
def configure(home: Path) -> Callable[[str], None]:
    """Write the instance's dagster.yaml (before the instance is opened)."""
    def write(text: str) -> None:
        (home / "dagster.yaml").write_text(text)
    return write


@pytest.fixture
def instance(home: Path):
    m.reset_gates()
    with dg.Instance.local(home) as instance:
        yield instance
    for event in m.GATES.values():  # never leave a run thread waiting
        event.set()


@pytest.fixture
def location(instance):
    loc = InProcessLocation.from_definitions("loc", m.hws_defs, instance)
    yield loc
    for event in m.GATES.values():
        event.set()
    loc.wait_for_runs(GUARD_S)


@pytest.fixture
def sync(monkeypatch):
    checkpoints = Checkpoints()
    monkeypatch.setenv(hwexec_jobs.SYNC_ENV, checkpoints.path)
    monkeypatch.setenv(hwexec_jobs.MARKERS_ENV, checkpoints.markers)
    yield checkpoints
    checkpoints.close()


def wait_until(condition: Callable[[], object], what: str) -> object:
    """Poll ``condition`` until it is true; fail after GUARD_S (a broken test, not a timing)."""
    deadline = time.monotonic() + GUARD_S
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
