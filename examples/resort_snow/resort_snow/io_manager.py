"""A DuckDB IO manager: each asset is a table, its key prefix the schema."""

import time
from pathlib import Path

import duckdb
import headwater as dg
import pandas as pd


class DuckDBIOManager(dg.ConfigurableIOManager):
    """Stores pandas DataFrames in a DuckDB file; asset ["raw", "zermatt"] -> raw.zermatt."""

    database: str

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        schema, table = _table_for(context.asset_key)
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            con.register("obj", obj)
            con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{table}" AS SELECT * FROM obj')
        context.add_output_metadata({"table": f"{schema}.{table}", "row_count": len(obj)})

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        schema, table = _table_for(context.upstream_output.asset_key)
        with self._connect() as con:
            return con.execute(f'SELECT * FROM "{schema}"."{table}"').df()

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
