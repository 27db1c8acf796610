import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import headwater as dg
import pytest

from resort_snow.assets import (
    RESORTS,
    cleaned_conditions,
    no_negative_snow_depth,
    resort_assets,
    snow_summary,
)
from resort_snow.definitions import conditions_resource, database_path, defs
from resort_snow.io_manager import DuckDBIOManager
from resort_snow.resources import HttpConditionsResource, LocalConditionsResource


@pytest.fixture
def all_assets():
    return [*resort_assets, cleaned_conditions, snow_summary, no_negative_snow_depth]


def materialize(assets, conditions, database):
    return dg.materialize(
        assets,
        resources={"conditions": conditions, "io_manager": DuckDBIOManager(database=database)},
        instance=dg.DagsterInstance.ephemeral(),
    )


def test_materialize_everything_into_duckdb(all_assets, fake_conditions, tmp_path):
    database = str(tmp_path / "snow.duckdb")
    result = materialize(all_assets, fake_conditions, database)

    assert result.success
    materialized = {m.asset_key for m in result.get_asset_materialization_events()}
    assert len(materialized) == len(RESORTS) + 2

    summary = result.output_for_node("snow_summary")
    assert summary["resort"].iloc[0] == "zermatt"

    [check] = result.get_asset_check_evaluations()
    assert check.check_name == "no_negative_snow_depth"
    assert check.passed

    [cleaned_event] = result.asset_materializations_for_node("cleaned_conditions")
    assert cleaned_event.metadata["row_count"].value == len(RESORTS)
    [summary_event] = result.asset_materializations_for_node("snow_summary")
    assert summary_event.metadata["best_resort"].value == "zermatt"

    with duckdb.connect(database, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.zermatt").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM main.cleaned_conditions").fetchone() == (6,)
        best = con.execute("SELECT resort FROM snow_summary WHERE rank = 1").fetchone()
        assert best == ("zermatt",)


def test_failed_check_does_not_fail_the_run(all_assets, broken_conditions, tmp_path):
    result = materialize(all_assets, broken_conditions, str(tmp_path / "snow.duckdb"))
    assert result.success
    [check] = result.get_asset_check_evaluations()
    assert not check.passed
    assert check.metadata["resorts"].value == "niseko"


def test_definitions_load_with_local_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("RESORT_API_URL", raising=False)
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path))
    assert isinstance(conditions_resource(), LocalConditionsResource)
    assert database_path() == str(tmp_path / "resort_snow.duckdb")
    assert defs.get_assets_def(["raw", "whistler"]).key == dg.AssetKey(["raw", "whistler"])


class SnowApi(BaseHTTPRequestHandler):
    """A tiny resort API: 100 cm everywhere, for callers with the right key."""

    def do_GET(self):
        if self.headers.get("Authorization") != "Bearer secret":
            self.send_error(401)
            return
        body = {"date": "2025-02-01", "snow_depth_cm": 100, "new_snow_24h_cm": 5}
        body |= {"temperature_c": -4.0, "lifts_open": 5, "lifts_total": 10}
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def snow_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SnowApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_http_source_is_selected_by_env_var(monkeypatch, snow_api, tmp_path):
    monkeypatch.setenv("RESORT_API_URL", snow_api)
    monkeypatch.setenv("RESORT_API_KEY", "secret")
    conditions = conditions_resource()
    assert isinstance(conditions, HttpConditionsResource)

    result = materialize(
        [*resort_assets, cleaned_conditions], conditions, str(tmp_path / "s.duckdb")
    )
    assert result.success
    cleaned = result.output_for_node("cleaned_conditions")
    assert cleaned["snow_depth_cm"].tolist() == [100] * len(RESORTS)
