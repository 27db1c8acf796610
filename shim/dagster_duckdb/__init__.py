"""``import dagster_duckdb`` resolving to Headwater's DuckDB integration (``headwater.duckdb``)."""

from headwater.duckdb import *  # noqa: F403
from headwater.duckdb import __all__  # noqa: F401
