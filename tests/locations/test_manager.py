"""LocationManager: a workspace's code servers kept up for a long-running service."""

from __future__ import annotations

import os
import signal
import textwrap
import time

import pytest

from headwater.locations import LocationUnavailableError
from headwater.locations.manager import LocationManager, UnavailableLocation
from headwater.locations.origins import LocationOrigin, OriginKind

GUARD_S = 60.0  # bounds a broken test only


def _file(tmp_path, name: str, body: str) -> LocationOrigin:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return LocationOrigin(OriginKind.PYTHON_FILE, str(path), None, str(tmp_path))


GOOD = """
import headwater as hw

@hw.asset
def fine() -> int:
    return 1

defs = hw.Definitions(assets=[fine])
"""

BROKEN = """
import headwater as hw

raise RuntimeError("this module does not import")
"""


def _wait(condition):
    deadline = time.monotonic() + GUARD_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")


def test_a_broken_location_keeps_its_error_and_the_others_work(tmp_path):
    with LocationManager([_file(tmp_path, "good", GOOD), _file(tmp_path, "bad", BROKEN)],
                         None) as manager:
        names = {loc.name for loc in manager.locations()}
        assert names == {"good.py", "bad.py"}
        assert [a.key for a in manager.get("good.py").snapshot().assets] == [("fine",)]
        errors = manager.load_errors()
        assert list(errors) == ["bad.py"]
        assert "this module does not import" in errors["bad.py"].to_string()


def test_a_code_server_killed_with_sigkill_is_restarted(tmp_path):
    with LocationManager([_file(tmp_path, "good", GOOD)], None) as manager:
        location = manager.get("good.py")
        os.kill(location.process.pid, signal.SIGKILL)
        location.process.process.wait()
        with pytest.raises(LocationUnavailableError):
            location.snapshot()
        assert manager.restart_dead() == ["good.py"]
        fresh = manager.get("good.py")
        assert fresh is not location
        assert [a.key for a in fresh.snapshot().assets] == [("fine",)]


def test_a_location_that_cannot_start_is_unavailable_and_says_why(tmp_path):
    origin = _file(tmp_path, "good", GOOD)
    missing_python = LocationOrigin(origin.kind, origin.target, None, origin.working_directory,
                                    "elsewhere", str(tmp_path / "no-such-python"))
    with LocationManager([origin, missing_python], None) as manager:
        down = manager.get("elsewhere")
        assert isinstance(down, UnavailableLocation)
        with pytest.raises(LocationUnavailableError, match="elsewhere"):
            down.snapshot()
        assert "elsewhere" in manager.load_errors()
        assert manager.get("good.py").snapshot().assets
