"""A DuckDB IO manager: each asset is a table, its key prefix the schema."""

import time
from pathlib import Path

import duckdb
import headwater as dg
import pandas as pd


class DuckDBIOManager(dg.ConfigurableIOManager):
    """Stores pandas DataFrames in a DuckDB file; asset ["raw", "zermatt"] -> raw.zermatt.

    A partitioned asset is one table for all its partitions: its `partition_expr` metadata
    names the column holding the partition key. Storing partitions replaces only their rows;
    loading reads the rows of the partitions the downstream asset asks for.
    """

    database: str

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        schema, table = _table_for(context.asset_key)
        name = f'"{schema}"."{table}"'
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            con.register("obj", obj)
            if context.has_asset_partitions:
                column = context.definition_metadata["partition_expr"]
                con.execute(f"CREATE TABLE IF NOT EXISTS {name} AS SELECT * FROM obj LIMIT 0")
                con.execute(
                    f'DELETE FROM {name} WHERE "{column}" IN (SELECT unnest(?))',
                    [list(context.asset_partition_keys)],
                )
                con.execute(f"INSERT INTO {name} SELECT * FROM obj")
            else:
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM obj")
        context.add_output_metadata({"table": f"{schema}.{table}", "row_count": len(obj)})

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        upstream = context.upstream_output
        schema, table = _table_for(upstream.asset_key)
        name = f'"{schema}"."{table}"'
        with self._connect() as con:
            if context.has_asset_partitions:
                column = upstream.definition_metadata["partition_expr"]
                return con.execute(
                    f'SELECT * FROM {name} WHERE "{column}" IN (SELECT unnest(?)) '
                    f'ORDER BY "{column}"',
                    [list(context.asset_partition_keys)],
                ).df()
            return con.execute(f"SELECT * FROM {name}").df()

    def _connect(self, attempts: int = 20) -> duckdb.DuckDBPyConnection:
        # DuckDB allows one writing process per file: retry while a parallel step holds the lock.
        for attempt in range(attempts):
            try:
                return duckdb.connect(self.database)
            except duckdb.IOException:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")


def _table_for(key: dg.AssetKey) -> tuple[str, str]:
    *prefix, name = key.path
    return ("_".join(prefix) or "main"), name
