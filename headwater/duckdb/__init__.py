"""DuckDB for Headwater, with the names of Dagster's ``dagster_duckdb`` package.

``import headwater.duckdb`` stays light: the ``duckdb`` driver is imported when a connection is
first opened (install it with ``pip install "headwater[duckdb]"``).
"""

from headwater.duckdb.resource import DuckDBResource

__all__ = ["DuckDBResource"]
