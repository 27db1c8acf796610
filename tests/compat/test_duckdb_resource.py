"""``DuckDBResource`` (``dagster_duckdb``'s, Headwater's ``headwater.duckdb``): a database handed to
assets, opened per use with ``get_connection()``, configured in code or from the environment."""

import importlib
import os
import warnings

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # dagster-duckdb's library-version mismatch warning
    duckdb_lib = importlib.import_module(
        "dagster_duckdb" if dg.__name__ == "dagster" else "headwater.duckdb")
DuckDBResource = duckdb_lib.DuckDBResource


@dg.asset
def trips(database: DuckDBResource) -> None:
    with database.get_connection() as conn:
        conn.execute("create or replace table trips as select range as id from range(5)")


@dg.asset(deps=[trips])
def trip_count(database: DuckDBResource) -> int:
    with database.get_connection() as conn:
        return conn.execute("select count(*) from trips").fetchone()[0]


def test_assets_share_a_database_file(tmp_path):
    db = str(tmp_path / "warehouse.duckdb")
    result = dg.materialize([trips, trip_count], resources={"database": DuckDBResource(database=db)})
    assert result.success
    assert result.output_for_node("trip_count") == 5
    import duckdb
    with duckdb.connect(db, read_only=True) as conn:
        assert conn.execute("select max(id) from trips").fetchone()[0] == 4


def test_database_from_an_environment_variable(tmp_path, monkeypatch):
    db = str(tmp_path / "from_env.duckdb")
    monkeypatch.setenv("HW_TEST_DUCKDB", db)
    resource = DuckDBResource(database=dg.EnvVar("HW_TEST_DUCKDB"))
    assert dg.materialize([trips], resources={"database": resource}).success
    assert os.path.exists(db)


def test_connection_config_reaches_duckdb():
    resource = DuckDBResource(database=":memory:", connection_config={"threads": 1})
    with resource.get_connection() as conn:
        assert conn.execute("select current_setting('threads')").fetchone()[0] == 1


def test_connection_is_closed_after_the_block():
    import duckdb
    with DuckDBResource(database=":memory:").get_connection() as conn:
        conn.execute("select 1")
    with pytest.raises(duckdb.ConnectionException):
        conn.execute("select 1")


def test_fields_and_defaults():
    resource = DuckDBResource(database="x.duckdb")
    assert resource.database == "x.duckdb"
    assert resource.connection_config == {}
    import pydantic
    with pytest.raises(pydantic.ValidationError):  # database is required
        DuckDBResource()
