"""Jobs in the API: the list, one job's op graph with its layout, config schema and starting
config, its partition keys; run-config validation by the code location (the engine's own
messages, nothing launched, allowed read-only, no environment value echoed); a launch with a
config the run would fail with is refused before anything is queued."""

from __future__ import annotations

import pytest

import headwater as hw
from headwater.locations.in_process import InProcessLocation

from .conftest import make_client


class Scale(hw.Config):
    factor: int
    label: str = "scaled"


class Warehouse(hw.ConfigurableResource):
    host: str
    password: str = ""
    port: int = 5432


@hw.op(config_schema={"rows": int})
def extract(context):
    return context.op_config["rows"]


@hw.op
def scale(context, value, config: Scale, warehouse: Warehouse):
    return value * config.factor


@hw.op
def publish(value):
    return value


@hw.job(resource_defs={"warehouse": Warehouse.configure_at_launch()},
        executor_def=hw.in_process_executor, description="Extract, scale, publish.")
def etl():
    publish(scale(extract()))


colors = hw.StaticPartitionsDefinition(["red", "green", "blue"])
days = hw.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")


@hw.asset(partitions_def=colors)
def paint(context):
    return context.partition_key


@hw.asset(partitions_def=days)
def weather(context):
    return context.partition_key


@hw.asset
def plain():
    return 1


@hw.asset
def downstream(plain):
    return plain


class Secretive(hw.ConfigurableResource):
    port: int


@hw.asset
def uses_secret(secretive: Secretive):
    return 1


DEFS = hw.Definitions(
    assets=[paint, weather, plain, downstream, uses_secret],
    jobs=[etl, hw.define_asset_job("paint_job", ["paint"]),
          hw.define_asset_job("weather_job", ["weather"]),
          hw.define_asset_job("plain_job", ["plain", "downstream"]),
          hw.define_asset_job("secret_job", ["uses_secret"])],
    resources={"secretive": Secretive(port=hw.EnvVar.int("HW_TEST_SECRET_PORT"))})

GOOD = {"ops": {"extract": {"config": {"rows": 3}}, "scale": {"config": {"factor": 2}}},
        "resources": {"warehouse": {"config": {"host": "db.local"}}}}


@pytest.fixture
def location(instance):
    return InProcessLocation("jobs_loc", lambda: DEFS, instance, "module tests.web.test_api_jobs")


@pytest.fixture
def client(instance, location):
    with make_client(instance, [location]) as c:
        yield c


def _validate(client, job, config, location="jobs_loc"):
    return client.post("/api/v1/run_config/validate",
                       json={"location": location, "job_name": job, "run_config": config})


def test_jobs_lists_every_job_with_its_kind_and_partitioning(client):
    items = client.get("/api/v1/jobs").json()["items"]
    by_name = {j["name"]: j for j in items}
    assert set(by_name) == {"etl", "paint_job", "weather_job", "plain_job", "secret_job"}
    assert by_name["etl"] == {"name": "etl", "location": "jobs_loc",
                              "description": "Extract, scale, publish.", "kind": "op",
                              "partitioned": False, "partitions_kind": None}
    assert by_name["paint_job"]["kind"] == "asset"
    assert by_name["paint_job"]["partitions_kind"] == "static"
    assert by_name["weather_job"]["partitioned"] is True


def test_an_op_job_has_its_op_graph_laid_out_and_its_config_schema(client):
    job = client.get("/api/v1/jobs/jobs_loc/etl").json()
    assert [(op["name"], op["upstream"]) for op in job["ops"]] == [
        ("extract", []), ("scale", ["extract"]), ("publish", ["scale"])]
    layout = job["layout"]
    assert layout["node_ids"] == ["extract", "scale", "publish"]
    assert layout["x"][0] < layout["x"][1] < layout["x"][2]  # left to right by dependency
    assert list(zip(layout["edge_sources"], layout["edge_targets"], strict=True)) == [
        (0, 1), (1, 2)]
    scale_config = next(op for op in job["ops"] if op["name"] == "scale")["config"]
    assert scale_config["fields"]["factor"] == {"type": {"kind": "int"}, "required": True}
    assert scale_config["fields"]["label"]["default"] == "scaled"
    assert next(op for op in job["ops"] if op["name"] == "publish")["config"] is None
    resources = job["config_schema"]["fields"]["resources"]["type"]["fields"]
    assert resources["warehouse"]["required"] is True
    assert job["default_config"] == {
        "ops": {"extract": {"config": {"rows": 0}},
                "scale": {"config": {"factor": 0, "label": "scaled"}}},
        "resources": {"warehouse": {"config": {"host": "", "password": "", "port": 5432}}}}


def test_an_asset_job_s_ops_are_its_assets_ops(client):
    job = client.get("/api/v1/jobs/jobs_loc/plain_job").json()
    assert job["kind"] == "asset"
    assert [(op["name"], op["upstream"]) for op in job["ops"]] == [
        ("plain", []), ("downstream", ["plain"])]
    assert job["asset_keys"] == [["downstream"], ["plain"]]
    assert job["default_config"] == {}


def test_a_resource_configured_in_code_is_not_scaffolded(client):
    job = client.get("/api/v1/jobs/jobs_loc/secret_job").json()
    fields = job["config_schema"]["fields"]["resources"]["type"]["fields"]
    assert fields["secretive"]["required"] is False
    assert "resources" not in job["default_config"]


def test_unknown_job_or_location_is_404(client):
    assert client.get("/api/v1/jobs/jobs_loc/nope").status_code == 404
    assert client.get("/api/v1/jobs/nowhere/etl").status_code == 404


def test_partitions_of_a_job_and_their_keys_newest_first(client):
    job = client.get("/api/v1/jobs/jobs_loc/weather_job").json()
    assert job["partitions"]["kind"] == "time_window"
    assert job["partitions"]["count"] == 31
    page = client.get("/api/v1/jobs/jobs_loc/weather_job/partition_keys?limit=2").json()
    assert page == {"keys": ["2024-01-31", "2024-01-30"], "total": 31}
    found = client.get("/api/v1/jobs/jobs_loc/weather_job/partition_keys?search=01-1").json()
    assert found["total"] == 10 and found["keys"][0] == "2024-01-19"
    static = client.get("/api/v1/jobs/jobs_loc/paint_job/partition_keys").json()
    assert static == {"keys": ["blue", "green", "red"], "total": 3}
    assert client.get("/api/v1/jobs/jobs_loc/etl/partition_keys").status_code == 422


def test_a_good_config_is_valid(client):
    assert _validate(client, "etl", GOOD).json() == {"valid": True, "problems": []}


def test_a_bad_config_lists_each_path_with_the_run_s_message(client):
    bad = {"ops": {"extract": {"config": {"rows": "many"}}, "scale": {"config": {}}},
           "resources": {"warehouse": {"config": {"host": "h", "port": "x"}}}}
    answer = _validate(client, "etl", bad).json()
    assert answer["valid"] is False
    problems = {p["path"]: p["message"] for p in answer["problems"]}
    assert problems["ops.extract.config.rows"] == "'many' (str) is not a valid Int"
    assert problems["ops.scale.config.factor"] == "Field required"
    assert "resources.warehouse.config.port" in problems
    unknown = _validate(client, "etl", {**GOOD, "ops": {**GOOD["ops"], "nope": {}}}).json()
    assert [p["path"] for p in unknown["problems"]] == ["ops.nope"]
    sections = _validate(client, "etl", {"opz": {}}).json()
    assert sections["problems"][0]["path"] == "opz"


def test_validation_of_unknown_job_or_location_is_422(client):
    assert _validate(client, "nope", {}).status_code == 422
    assert _validate(client, "etl", {}, location="nowhere").status_code == 422


def test_validation_never_echoes_an_environment_value(client, monkeypatch):
    monkeypatch.setenv("HW_TEST_SECRET_PORT", "hunter2-not-a-port")
    answer = _validate(client, "secret_job", {})
    assert answer.status_code == 200
    assert answer.json()["valid"] is False
    assert "HW_TEST_SECRET_PORT" in answer.text
    assert "hunter2" not in answer.text


def test_read_only_allows_validation_but_not_launches(instance, location):
    with make_client(instance, [location], read_only=True) as c:
        assert _validate(c, "etl", GOOD).json()["valid"] is True
        launch = c.post("/api/v1/launches", json={"location": "jobs_loc", "job_name": "etl",
                                                  "run_config": GOOD})
        assert launch.status_code == 403


def test_a_launch_with_bad_config_is_refused_and_nothing_is_queued(client, instance):
    answer = client.post("/api/v1/launches", json={
        "location": "jobs_loc", "job_name": "etl", "run_config": {"ops": {}}})
    assert answer.status_code == 422
    fields = {f["loc"] for f in answer.json()["error"]["fields"]}
    assert "body.run_config.ops.scale.config.factor" in fields
    assert instance.get_runs() == []
    ok = client.post("/api/v1/launches", json={
        "location": "jobs_loc", "job_name": "etl", "run_config": GOOD})
    assert ok.status_code == 201, ok.text
    assert [r.run_id for r in instance.get_runs()] == [ok.json()["run_id"]]


def test_an_asset_launch_is_checked_against_its_assets(client):
    answer = client.post("/api/v1/launches", json={
        "location": "jobs_loc", "asset_selection": [["plain"]],
        "run_config": {"ops": {"downstream": {"config": {"x": 1}}}}})  # not in the selection
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"][0]["loc"] == "body.run_config.ops.downstream"
