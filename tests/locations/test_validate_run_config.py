"""``CodeLocation.validate_run_config`` in process and through a real code server process:
the engine's own problems (path + message) for a job's run config, nothing launched, an
unknown job refused; and the job snapshot's op graph and config schema over the wire."""

from __future__ import annotations

import textwrap

import pytest

from headwater.locations.client import RemoteLocation
from headwater.locations.contracts import ConfigProblem, InvalidRequestError
from headwater.locations.factory import load_location
from headwater.locations.in_process import InProcessLocation
from headwater.locations.origins import LocationOrigin, OriginKind
from headwater.locations.snapshot import LocationSnapshot

MODULE = textwrap.dedent('''
    import headwater as dg


    class Scale(dg.Config):
        factor: int


    class Store(dg.ConfigurableResource):
        path: str


    @dg.op(config_schema={"rows": int})
    def extract(context):
        return context.op_config["rows"]


    @dg.op
    def scale(context, value, config: Scale, store: Store):
        return value * config.factor


    @dg.job(resource_defs={"store": Store.configure_at_launch()})
    def etl():
        scale(extract())


    @dg.asset
    def plain():
        return 1


    defs = dg.Definitions(assets=[plain], jobs=[etl])
''')

GOOD = {"ops": {"extract": {"config": {"rows": 1}}, "scale": {"config": {"factor": 2}}},
        "resources": {"store": {"config": {"path": "/tmp/x"}}}}


@pytest.fixture(params=["in_process", "code_server"])
def location(request, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    path = tmp_path / "hwloc_validated.py"
    path.write_text(MODULE)
    origin = LocationOrigin(OriginKind.PYTHON_FILE, str(path), location_name="validated")
    loc = load_location(origin, None, in_process=request.param == "in_process")
    assert isinstance(loc, InProcessLocation if request.param == "in_process" else RemoteLocation)
    try:
        yield loc
    finally:
        loc.close()
        if isinstance(loc, RemoteLocation):
            assert loc.process is not None and not loc.process.alive()


def test_a_good_config_has_no_problem(location):
    assert location.validate_run_config("etl", GOOD) == []


def test_every_bad_path_with_the_run_s_message(location):
    problems = location.validate_run_config("etl", {
        "ops": {"extract": {"config": {"rows": "x"}}, "scale": {"config": {}}},
        "execution": {"config": {"teleport": {}}}})
    assert ConfigProblem("ops.extract.config.rows", "'x' (str) is not a valid Int") in problems
    assert ConfigProblem("ops.scale.config.factor", "Field required") in problems
    assert ConfigProblem("resources.store.config.path", "Field required") in problems
    assert any(p.path == "execution.config" for p in problems)


def test_an_asset_selection_is_checked_within_the_assets(location):
    assert location.validate_run_config("__ASSET_JOB", {}, (("plain",),)) == []
    problems = location.validate_run_config("__ASSET_JOB", {"ops": {"etl": {}}}, (("plain",),))
    assert [p.path for p in problems] == ["ops.etl"]


def test_an_unknown_job_is_an_invalid_request(location):
    with pytest.raises(InvalidRequestError, match="no job 'nope'.*'etl'"):
        location.validate_run_config("nope", {})


def test_the_job_snapshot_carries_its_op_graph_and_config_schema(location):
    snapshot = location.snapshot()
    job = snapshot.job("etl")
    assert job is not None
    assert job.op_deps == (("extract", ()), ("scale", ("extract",)))
    ops = job.config_schema["fields"]["ops"]["type"]["fields"]
    assert ops["extract"]["type"]["fields"]["config"]["type"] == {
        "kind": "shape", "fields": {"rows": {"type": {"kind": "int"}, "required": True}}}
    assert LocationSnapshot.from_json(snapshot.to_json()) == snapshot


def test_an_older_snapshot_without_the_new_fields_still_reads():
    data = {"location_name": "old", "jobs": [{"name": "j", "op_names": ["a"]}]}
    job = LocationSnapshot.from_json(data).jobs[0]
    assert job.op_deps == () and job.config_schema is None
    newer = {"location_name": "new", "jobs": [{"name": "j", "a_future_field": 1}]}
    assert LocationSnapshot.from_json(newer).jobs[0].name == "j"
