"""``headwater job list`` and ``headwater job execute``."""

import json

from tests.cli._helpers import in_fixtures, last_run


def test_job_list_shows_op_and_asset_jobs():
    result = in_fixtures("job", "list", "-m", "hwcli_jobs")
    assert result.exit_code == 0, result.output
    assert "square_job" in result.output and "ops" in result.output
    assert "assets_job" in result.output and "assets" in result.output
    assert "Squares two." in result.output


def test_job_execute_runs_the_op_job():
    result = in_fixtures("job", "execute", "-m", "hwcli_jobs", "-j", "square_job")
    assert result.exit_code == 0, result.output
    assert "square" in result.output and "success" in result.output
    run = last_run()
    assert run.job_name == "square_job" and run.is_success


def test_job_execute_failure_exits_1_with_the_users_error():
    result = in_fixtures("job", "execute", "-m", "hwcli_jobs", "-j", "failing_job")
    assert result.exit_code == 1
    assert "hwcli-job-boom" in result.output
    assert last_run().is_failure


def test_job_execute_with_config_and_bad_config():
    ok = in_fixtures("job", "execute", "-m", "hwcli_jobs", "-j", "config_job", "--config-json",
                     json.dumps({"ops": {"scaled": {"config": {"factor": 2}}}}))
    assert ok.exit_code == 0, ok.output
    bad = in_fixtures("job", "execute", "-m", "hwcli_jobs", "-j", "config_job", "--config-json",
                      json.dumps({"ops": {"scaled": {"config": {"factor": "x"}}}}))
    assert bad.exit_code == 2
    assert "ops.scaled.config.factor" in bad.output


def test_job_execute_unknown_job_exits_2():
    result = in_fixtures("job", "execute", "-m", "hwcli_jobs", "-j", "nope")
    assert result.exit_code == 2
    assert "square_job" in result.output


def test_asset_job_executes():
    result = in_fixtures("job", "execute", "-m", "hwcli_jobs", "-j", "assets_job")
    assert result.exit_code == 0, result.output
    assert last_run().job_name == "assets_job"
