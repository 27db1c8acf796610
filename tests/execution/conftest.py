"""Shared setup for the execution tests: a fresh instance home per test, and the checkpoints
that let a test hold and release the steps of a running job."""

from __future__ import annotations

from pathlib import Path

import pytest

import headwater as dg

from . import hwexec_jobs as jobs
from .hwexec_sync import Checkpoints


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's HEADWATER_HOME; DAGSTER_HOME never leaks in."""
    path = tmp_path / "home"
    monkeypatch.setenv("HEADWATER_HOME", str(path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def instance(request, home):
    """The instance under this test's home: its SQLite database, or a PostgreSQL database
    (a new one per test) with the home folder for files."""
    if request.param == "sqlite":
        with dg.Instance.get() as instance:
            yield instance
    else:
        url = request.getfixturevalue("postgres_url")
        home.mkdir(parents=True, exist_ok=True)  # the CLI finds the database here
        (home / "dagster.yaml").write_text(f"storage:\n  postgres:\n    postgres_url: {url}\n")
        with dg.Instance.from_url(url, root_directory=str(home)) as instance:
            yield instance


@pytest.fixture
def sync(monkeypatch):
    checkpoints = Checkpoints()
    monkeypatch.setenv(jobs.SYNC_ENV, checkpoints.path)
    monkeypatch.setenv(jobs.MARKERS_ENV, checkpoints.markers)
    yield checkpoints
    checkpoints.close()
