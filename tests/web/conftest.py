"""A web app over a real instance in a temporary home, and a code location in process."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

import headwater as hw
from headwater.locations.in_process import InProcessLocation
from headwater.web.app import create_app
from headwater.web.context import WebContext


@hw.asset
def numbers():
    return [1, 2, 3]


@hw.asset
def total(numbers):
    return sum(numbers)


@hw.asset
def broken():
    raise ValueError("the source is down")


all_job = hw.define_asset_job("all_job", selection=["numbers", "total"])
DEFS = hw.Definitions(assets=[numbers, total, broken], jobs=[all_job])


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with hw.Instance.get() as instance:
        yield instance


@pytest.fixture
def location(instance):
    return InProcessLocation("web_tests", lambda: DEFS, instance, "module tests.web.conftest")


def make_client(instance, locations=(), **options) -> TestClient:
    ctx = WebContext(instance, lambda: list(locations), **options)
    return TestClient(create_app(ctx), raise_server_exceptions=False)


@pytest.fixture
def client(instance, location):
    with make_client(instance, [location]) as c:
        yield c
