"""Fixtures every test folder may use: a real PostgreSQL server, started once per session.

``postgres_url`` gives each test a new empty database on that server (dropped afterwards).
Without PostgreSQL binaries the tests that ask for it are skipped, unless
``HEADWATER_REQUIRE_POSTGRES=1`` (set by ``make test``, so CI never skips them silently).
"""

from __future__ import annotations

import os
import sys

import pytest

# The server helper lives in tools/ (the benchmarks use it too).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tools"))

from pg_server import PostgresServer, find_bindir  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server():
    bindir = find_bindir()
    if bindir is None:
        if os.environ.get("HEADWATER_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) were not found, and "
                        "HEADWATER_REQUIRE_POSTGRES=1 asks for PostgreSQL tests to run.")
        pytest.skip("PostgreSQL is not installed (no initdb found)")
    server = PostgresServer(bindir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """A new empty database for this test; its SQLAlchemy URL (psycopg 3 driver)."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
