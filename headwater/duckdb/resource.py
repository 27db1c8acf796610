"""``DuckDBResource``: a DuckDB database handed to assets as a connection per use."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pydantic

from headwater.definitions.errors import HeadwaterError
from headwater.definitions.resources import ConfigurableResource

if TYPE_CHECKING:
    import duckdb

# DuckDB lets one process write a database file at a time; another process's connect fails with
# an IOException while the first holds the lock. Runs of different assets often open the same
# file back to back, so connecting retries for a while before it gives up.
_CONNECT_ATTEMPTS = 10
_FIRST_DELAY_S = 0.05
_MAX_DELAY_S = 2.0


class DuckDBLockedError(HeadwaterError):
    """The database file stayed locked by another process for every connection attempt."""


class DuckDBResource(ConfigurableResource):
    """A DuckDB database: ``with database.get_connection() as conn: conn.execute(...)``.

    ``database`` is a file path (``":memory:"`` for an in-memory database); ``connection_config``
    holds DuckDB settings passed to ``duckdb.connect(config=...)``.
    """

    database: str = pydantic.Field(
        description="Path to the DuckDB database (':memory:' for an in-memory database).")
    connection_config: dict[str, Any] = pydantic.Field(
        default_factory=dict, description="DuckDB configuration options for each connection.")

    @contextlib.contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection open for the ``with`` block, closed after it (also on error)."""
        conn = _connect(self.database, dict(self.connection_config))
        try:
            yield conn
        finally:
            conn.close()


def _driver() -> Any:
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise HeadwaterError(
            "DuckDBResource needs the duckdb package: pip install \"headwater[duckdb]\""
        ) from exc
    return duckdb


def _connect(database: str, config: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    duckdb = _driver()
    delay = _FIRST_DELAY_S
    for attempt in range(1, _CONNECT_ATTEMPTS + 1):
        try:
            return duckdb.connect(database, config=config)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if attempt == _CONNECT_ATTEMPTS:
                raise DuckDBLockedError(
                    f"DuckDB database {database!r} is locked by another process (tried "
                    f"{_CONNECT_ATTEMPTS} times): close the other connection (a notebook, the "
                    f"DuckDB CLI, another run) or use a separate database file. {exc}"
                ) from exc
            time.sleep(delay)  # backing off from another process's lock, not synchronising
            delay = min(delay * 2, _MAX_DELAY_S)
    raise AssertionError("unreachable")
