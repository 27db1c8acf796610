"""The storage behaviour suites, bound to each database by overriding one fixture.

A PostgreSQL class joins here later: subclass ``Backend`` with an ``instance`` fixture built
from ``Instance.from_url(<test database url>)`` (skip when none is configured).
"""

from __future__ import annotations

import pytest

from headwater.storage import Instance

from ._suite_assets import AssetStorageSuite
from ._suite_events import EventStorageSuite
from ._suite_runs import RunStorageSuite


class Backend(RunStorageSuite, EventStorageSuite, AssetStorageSuite):
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
