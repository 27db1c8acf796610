"""``headwater run list`` and ``headwater run show``."""

from __future__ import annotations

from ._helpers import in_fixtures, last_run, run_cli


def _materialize(module: str, selection: str = "*") -> str:
    in_fixtures("asset", "materialize", "-m", module, "--select", selection)
    return last_run().run_id


def test_list_without_runs():
    result = run_cli("run", "list")
    assert result.exit_code == 0, result.output
    assert "No runs yet." in result.output


def test_list_newest_first_with_status_and_limit():
    ok = _materialize("hwcli_snow", "group:raw")
    failed = _materialize("hwcli_failing")
    result = run_cli("run", "list")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith((ok, failed))]
    assert [row.split()[0] for row in rows] == [failed, ok]
    assert "FAILURE" in rows[0] and "SUCCESS" in rows[1]

    only_failed = run_cli("run", "list", "--status", "failure")
    assert failed in only_failed.output and ok not in only_failed.output
    limited = run_cli("run", "list", "--limit", "1")
    assert failed in limited.output and ok not in limited.output
    no_job = run_cli("run", "list", "--job", "hwcli_no_such_job")
    assert "No runs match." in no_job.output


def test_list_unknown_status_exits_2():
    result = run_cli("run", "list", "--status", "sideways")
    assert result.exit_code == 2
    assert "SUCCESS" in result.output


def test_show_a_successful_run():
    run_id = _materialize("hwcli_snow", "+combined")
    result = run_cli("run", "show", run_id)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Run     {run_id}" in out and "Status  SUCCESS" in out
    assert "Assets  3: combined, raw_depth, raw_wind" in out
    assert "STEP_SUCCESS" in out and "ASSET_MATERIALIZATION" in out
    log_line = next(line for line in out.splitlines() if "combining 50 and 3" in line)
    assert "combined" in log_line and "INFO" in log_line


def test_show_a_failed_run_prints_the_users_error():
    run_id = _materialize("hwcli_failing")
    result = run_cli("run", "show", run_id)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Status  FAILURE" in out
    assert "STEP_FAILURE" in out
    assert "ValueError: hwcli sensor 1 returned garbage" in out
    assert 'raise ValueError(f"hwcli sensor {value} returned garbage")' in out


def test_show_tags():
    in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", "raw_wind",
                "--tags", '{"team": "snow"}')
    result = run_cli("run", "show", last_run().run_id)
    assert "team=snow" in result.output


def test_show_unknown_run_exits_2():
    _materialize("hwcli_snow", "raw_wind")
    result = run_cli("run", "show", "00000000-no-such-run")
    assert result.exit_code == 2
    assert "No run with id '00000000-no-such-run'" in result.output
    assert "Traceback" not in result.output
