"""``headwater asset list`` and ``headwater asset materialize``."""

from __future__ import annotations

import json

import pytest

from ._helpers import in_fixtures, last_run, materialized_keys, run_events

ALL_SNOW = {"raw_depth", "raw_wind", "combined", "report", "scaled"}


def _table_keys(output: str) -> list[str]:
    """First column of the plain-text table rows (after the header and its rule)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("---")) + 1
    keys = []
    for line in lines[start:]:
        if not line.strip():
            break
        keys.append(line.split()[0] if not line.startswith("check ") else " ".join(line.split()[:2]))
    return keys


# ------------------------------------------------------------------ list

def test_list_shows_key_group_kinds_upstream_and_first_description_line():
    result = in_fixtures("asset", "list", "-m", "hwcli_snow")
    assert result.exit_code == 0, result.output
    assert set(_table_keys(result.output)) == ALL_SNOW
    row = next(line for line in result.output.splitlines() if line.startswith("raw_depth"))
    assert row.split()[:4] == ["raw_depth", "raw", "python", "0"] and "Raw depth." in row
    assert "Second line" not in result.output
    combined = next(line for line in result.output.splitlines() if line.startswith("combined"))
    assert combined.split()[:3] == ["combined", "clean", "2"]


def test_list_with_selection():
    result = in_fixtures("asset", "list", "-m", "hwcli_snow", "--select", "group:raw")
    assert result.exit_code == 0, result.output
    assert set(_table_keys(result.output)) == {"raw_depth", "raw_wind"}


# ------------------------------------------------------------------ materialize: selections

@pytest.mark.parametrize(("selection", "expected"), [
    ("*", ALL_SNOW),
    ("raw_wind", {"raw_wind"}),
    ("+combined", {"raw_depth", "raw_wind", "combined"}),
    ("*report", {"raw_depth", "raw_wind", "combined", "report"}),
    ("raw_wind*", {"raw_wind", "combined", "report", "scaled"}),
    ("raw_wind+", {"raw_wind", "combined", "scaled"}),
    ("group:raw", {"raw_depth", "raw_wind"}),
    ("tag:team=snow", {"raw_wind"}),
])
def test_materialize_selection(selection, expected):
    # Everything first, so that a downstream-only selection finds its inputs stored.
    assert in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", "*").exit_code == 0
    result = in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", selection)
    assert result.exit_code == 0, result.output
    run = last_run()
    assert {k.to_user_string() for k in run.asset_selection} == expected
    assert materialized_keys(run.run_id) == expected
    assert set(k for k in _table_keys(result.stdout) if not k.startswith("check")) == expected
    assert run.run_id in result.stdout and "SUCCESS" in result.stdout


def test_materialize_runs_the_checks_of_selected_assets():
    result = in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", "+combined")
    assert result.exit_code == 0, result.output
    assert "check combined:combined_has_depth  passed" in result.stdout
    evaluations = run_events(last_run().run_id, "ASSET_CHECK_EVALUATION")
    assert [e.dagster_event.event_specific_data.passed for e in evaluations] == [True]


def test_materialize_reports_progress_per_step_on_stderr():
    result = in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", "group:raw")
    assert result.exit_code == 0, result.output
    assert "started: 2 steps" in result.stderr
    assert "[2/2] ok" in result.stderr


def test_materialize_tags():
    result = in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", "raw_wind",
                         "--tags", json.dumps({"team": "snow", "attempt": 2}))
    assert result.exit_code == 0, result.output
    tags = last_run().tags
    assert tags["team"] == "snow" and tags["attempt"] == "2"


# ------------------------------------------------------------------ materialize: bad input

@pytest.mark.parametrize(("selection", "needle"), [
    ("raw_dept", "raw_depth"),  # unknown key: the message suggests the close one
    ("group:nothing_here", "matches no asset"),
    ("colour:blue", "unknown attribute"),
])
def test_unknown_selection_exits_2(selection, needle):
    result = in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", selection)
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output


def test_invalid_config_lists_every_bad_path_and_runs_nothing():
    config = {"ops": {"scaled": {"config": {"factor": "many", "label": 3}},
                      "hwcli_no_such_op": {"config": {}}}}
    result = in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", "+scaled",
                         "--config-json", json.dumps(config))
    assert result.exit_code == 2
    for path in ("ops.scaled.config.factor", "ops.scaled.config.label", "ops.hwcli_no_such_op"):
        assert path in result.output
    assert "Traceback" not in result.output
    from headwater.storage import Instance

    with Instance.get() as instance:
        assert instance.get_runs() == []


def test_config_json_is_passed_to_the_asset():
    config = {"ops": {"scaled": {"config": {"factor": 5}}}}
    result = in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", "+scaled",
                         "--config-json", json.dumps(config))
    assert result.exit_code == 0, result.output
    import hwcli_snow

    from headwater.storage import Instance

    with Instance.get() as instance:
        assert hwcli_snow.defs.load_asset_value("scaled", instance=instance) == 15


def test_config_file(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"ops": {"scaled": {"config": {"factor": 4}}}}))
    result = in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", "+scaled",
                         "--config", str(path))
    assert result.exit_code == 0, result.output
    assert last_run().run_config["ops"]["scaled"]["config"]["factor"] == 4


def test_config_json_must_be_an_object():
    result = in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", "raw_wind",
                         "--config-json", "[1, 2]")
    assert result.exit_code == 2
    assert "JSON object" in result.output


# ------------------------------------------------------------------ materialize: failures

def test_failing_asset_exits_1_shows_the_users_error_and_skips_downstream():
    result = in_fixtures("asset", "materialize", "-m", "hwcli_failing", "--select", "*")
    assert result.exit_code == 1
    assert "ValueError: hwcli sensor 1 returned garbage" in result.stderr
    assert "hwcli_failing.py" in result.stderr and "_parse" in result.stderr
    assert "headwater/execution" not in result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "failed" in rows["broken"] and "not run" in rows["after_broken"]
    assert "success" in rows["independent"]
    run = last_run()
    assert run.status.value == "FAILURE"
    assert materialized_keys(run.run_id) == {"source", "independent"}


def test_resource_set_up_failure_exits_1():
    result = in_fixtures("asset", "materialize", "-m", "hwcli_bad_resource", "--select", "*")
    assert result.exit_code == 1
    assert "hwcli cannot reach the snow API" in result.stderr
    assert last_run().status.value == "FAILURE"
