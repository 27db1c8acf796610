"""The storage behaviour suites (one per contract), bound to each database by overriding one
fixture: in-memory SQLite, file SQLite, and a real PostgreSQL server (``tests/conftest.py``).
"""

from __future__ import annotations

import pytest

from headwater.storage import Instance

from ._suite_assets import AssetStorageSuite
from ._suite_events import EventStorageSuite
from ._suite_instigators import ConcurrencyStorageSuite, ScheduleStorageSuite
from ._suite_runs import RunStorageSuite


class Backend(RunStorageSuite, EventStorageSuite, AssetStorageSuite, ScheduleStorageSuite,
              ConcurrencyStorageSuite):
    @pytest.fixture
    def instance(self):
        raise NotImplementedError


class TestInMemorySqlite(Backend):
    @pytest.fixture
    def instance(self):
        with Instance.ephemeral() as instance:
            yield instance


class TestFileSqlite(Backend):
    @pytest.fixture
    def instance(self, tmp_path):
        with Instance.local(tmp_path / "home") as instance:
            yield instance


class TestPostgres(Backend):
    @pytest.fixture
    def instance(self, postgres_url):
        with Instance.from_url(postgres_url) as instance:
            yield instance
