"""``headwater job launch``, ``asset materialize --async`` and ``run cancel``: queue, return at
once; the queue then launches the run in the code location."""

from __future__ import annotations

import json

import headwater as dg
from headwater.definitions.tags import CODE_LOCATION_TAG
from headwater.storage import RunStatus
from tests.cli._helpers import in_fixtures, run_cli


def _run(run_id):
    with dg.Instance.get() as instance:
        return instance.get_run_by_id(run_id)


def _launched_run_id(result):
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[0].strip()


def test_job_launch_queues_a_run_and_prints_its_id():
    result = in_fixtures("job", "launch", "-m", "hwcli_jobs", "-j", "config_job",
                         "--config-json", json.dumps({"ops": {"scaled": {"config": {"factor": 3}}}}),
                         "--tags", '{"team": "data"}')
    run = _run(_launched_run_id(result))
    assert run.status == RunStatus.QUEUED and run.job_name == "config_job"
    assert run.tags["team"] == "data" and run.tags[CODE_LOCATION_TAG] == "hwcli_jobs"
    assert run.run_config == {"ops": {"scaled": {"config": {"factor": 3}}}}
    assert "daemon" in result.stderr


def test_a_launched_job_runs_when_the_queue_launches_it():
    import hwcli_jobs

    from headwater.daemon.queue import QueueComponent
    from headwater.locations.in_process import InProcessLocation

    run_id = _launched_run_id(in_fixtures("job", "launch", "-m", "hwcli_jobs", "-j",
                                          "square_job", "-l", "jobs"))
    with dg.Instance.get() as instance:
        location = InProcessLocation.from_definitions("jobs", hwcli_jobs.defs, instance)
        QueueComponent(instance, {"jobs": location}).run_iteration()
        assert location.wait_for_runs(60)
        assert instance.get_run_by_id(run_id).status == RunStatus.SUCCESS


def test_job_launch_of_an_unknown_job_exits_2():
    result = in_fixtures("job", "launch", "-m", "hwcli_jobs", "-j", "nope")
    assert result.exit_code == 2 and "No job named 'nope'" in result.output


def test_asset_materialize_async_queues_the_selection():
    result = in_fixtures("asset", "materialize", "-m", "hwcli_jobs", "--select",
                         "hwcli_job_asset", "--async")
    run = _run(_launched_run_id(result))
    assert run.status == RunStatus.QUEUED
    assert run.asset_selection == {dg.AssetKey("hwcli_job_asset")}


def test_run_cancel_of_a_queued_run_then_of_a_finished_run():
    run_id = _launched_run_id(in_fixtures("job", "launch", "-m", "hwcli_jobs", "-j",
                                          "square_job"))
    result = run_cli("run", "cancel", run_id)
    assert result.exit_code == 0, result.output
    assert "canceled" in result.output and _run(run_id).status == RunStatus.CANCELED
    again = run_cli("run", "cancel", run_id)
    assert again.exit_code == 2 and "already finished (CANCELED)" in again.output


def test_run_cancel_of_an_unknown_run_exits_2():
    in_fixtures("job", "launch", "-m", "hwcli_jobs", "-j", "square_job")  # the instance exists
    result = run_cli("run", "cancel", "no-such-run")
    assert result.exit_code == 2 and "No run with id 'no-such-run'" in result.output


def test_a_run_queued_from_a_file_names_its_location_as_the_daemon_does():
    from tests.cli._helpers import FIXTURES

    result = in_fixtures("job", "launch", "-f", str(FIXTURES / "hwcli_jobs.py"), "-j",
                         "config_job", "--config-json",
                         json.dumps({"ops": {"scaled": {"config": {"factor": 3}}}}))
    run = _run(_launched_run_id(result))
    assert run.tags[CODE_LOCATION_TAG] == "hwcli_jobs.py"  # the daemon's name for `-f` too
