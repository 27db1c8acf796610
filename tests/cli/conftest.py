"""Shared setup for the CLI tests: the fixtures folder on sys.path, an instance per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ._helpers import FIXTURES

if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own HEADWATER_HOME; DAGSTER_HOME never leaks in."""
    path = tmp_path / "home"
    monkeypatch.setenv("HEADWATER_HOME", str(path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return path
