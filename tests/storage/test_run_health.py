"""Runs whose process is gone: recorded process, heartbeat, detection and marking failed.

The processes here are real: this test's own process (alive), a child process that has
exited (a pid that is certainly gone), and rows naming another host.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from headwater.definitions.asset_key import AssetKey
from headwater.events import EventType
from headwater.events.records import AssetPlannedData
from headwater.storage import RunStatus, run_health
from headwater.storage.processes import ProcessIdentity, current_process

from ._events import entry, run_event, step_start

OTHER_HOST = "elsewhere.invalid"


def _exited_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _started_run(instance, run_id: str, *events) -> str:
    instance.create_run("j", run_id=run_id)
    instance.store_events([run_event(run_id, EventType.RUN_START), *events])
    return run_id


def _record_process(instance, run_id: str, process: ProcessIdentity,
                    heartbeat: float | None = None) -> None:
    """Write the run's process row as another process would have (same SQL)."""
    db = instance.database
    with db.write_cursor() as cursor:
        cursor.execute(db.sql(run_health._INSERT),
                       (run_id, process.host, process.pid, process.namespace, process.start,
                        time.time() if heartbeat is None else heartbeat))


def _types(instance, run_id: str, step_key: str | None = None) -> list[str]:
    return [e.dagster_event.event_type_value for e in instance.all_logs(run_id)
            if e.dagster_event is not None and (step_key is None or e.step_key == step_key)]


def _gone_process() -> ProcessIdentity:
    me = current_process()
    return ProcessIdentity(me.host, _exited_pid(), me.namespace, me.start)


@pytest.fixture(params=["file", "postgres"])
def shared_instance(request, tmp_path):
    """An instance other processes can see (the in-memory one records no process)."""
    from headwater.storage import Instance

    if request.param == "file":
        with Instance.local(tmp_path / "home") as inst:
            yield inst
    else:
        url = request.getfixturevalue("postgres_url")
        with Instance.from_url(url, storage_directory=str(tmp_path / "storage")) as inst:
            yield inst


def test_registering_records_this_process_and_a_live_run_is_left_alone(shared_instance):
    instance = shared_instance
    run_id = _started_run(instance, "live")
    with instance.register_run_process(run_id):
        found = instance.get_run_process(run_id)
        assert found.process == current_process()
        assert instance.fail_dead_runs() == []
        assert instance.fail_dead_runs(heartbeat_timeout=0) == []  # pid checked, not age
    assert instance.get_run_by_id(run_id).status == RunStatus.STARTED
    assert instance.get_run_process("unknown") is None


def test_an_in_memory_instance_records_no_process():
    from headwater.storage import Instance

    with Instance.ephemeral() as instance:
        run_id = _started_run(instance, "mem")
        with instance.register_run_process(run_id):
            assert instance.get_run_process(run_id) is None


def test_a_run_whose_pid_is_gone_is_failed_with_its_unfinished_steps(instance):
    run_id = _started_run(instance, "dead", step_start("dead", "done_step"),
                          entry("dead", EventType.STEP_SUCCESS, "done_step"),
                          step_start("dead", "open_step"),
                          step_start("dead", "retrying"),
                          entry("dead", EventType.STEP_UP_FOR_RETRY, "retrying"),
                          entry("dead", EventType.ASSET_MATERIALIZATION_PLANNED, None,
                                AssetPlannedData(AssetKey("daily"), "2024-01-01")))
    gone = _gone_process()
    _record_process(instance, run_id, gone)
    assert instance.get_partition_status(AssetKey("daily")).in_progress == {"2024-01-01"}

    assert instance.fail_dead_runs() == [run_id]

    record = instance.get_run_record_by_id(run_id)
    assert record.dagster_run.status == RunStatus.FAILURE and record.end_time is not None
    failure = instance.all_logs(run_id, of_type=EventType.RUN_FAILURE)[0]
    assert (f"The process running this run (pid {gone.pid} on host {gone.host}) is gone: "
            f"no process has pid {gone.pid} any more") in failure.message
    assert f"headwater run reexecute {run_id} --from-failure" in failure.message
    assert _types(instance, run_id, "done_step") == ["STEP_START", "STEP_SUCCESS"]
    for key, before in (("open_step", ["STEP_START"]),
                        ("retrying", ["STEP_START", "STEP_UP_FOR_RETRY"])):
        assert _types(instance, run_id, key) == [*before, "STEP_FAILURE"]
    step_failure = instance.all_logs(run_id, of_type=EventType.STEP_FAILURE)[0]
    assert "died before the step finished" in step_failure.message
    assert step_failure.dagster_event.event_specific_data.error.cls_name == "RunProcessGone"
    # the open plan of the run now reads as failed
    status = instance.get_partition_status(AssetKey("daily"))
    assert status.failed == {"2024-01-01"} and not status.in_progress
    # found once: a second check writes nothing more
    assert instance.fail_dead_runs() == []
    assert _types(instance, run_id).count("PIPELINE_FAILURE") == 1


def test_a_reused_pid_is_a_dead_process(instance):
    """The recorded pid is alive (it is this process) but its start time is another's."""
    me = current_process()
    if me.start is None:
        pytest.skip("process start times are read from /proc (Linux)")
    run_id = _started_run(instance, "reused")
    _record_process(instance, run_id, ProcessIdentity(me.host, me.pid, me.namespace, "1"))
    assert instance.fail_dead_runs() == [run_id]
    failure = instance.all_logs(run_id, of_type=EventType.RUN_FAILURE)[0]
    assert f"pid {me.pid} now belongs to another process" in failure.message


def test_another_hosts_run_is_judged_by_its_heartbeat(instance):
    quiet = _started_run(instance, "quiet")
    _record_process(instance, quiet, ProcessIdentity(OTHER_HOST, 1), time.time() - 3600)
    beating = _started_run(instance, "beating")
    _record_process(instance, beating, ProcessIdentity(OTHER_HOST, 1), time.time())

    assert instance.fail_dead_runs(heartbeat_timeout=7200) == []
    assert instance.fail_dead_runs() == [quiet]  # default: 60 s
    assert instance.get_run_by_id(beating).status == RunStatus.STARTED
    message = instance.all_logs(quiet, of_type=EventType.RUN_FAILURE)[0].message
    assert f"(pid 1 on host {OTHER_HOST}) is gone" in message
    assert "last heartbeat was 3600 s ago" in message and "another host" in message


def test_the_heartbeat_refreshes_the_recorded_time(shared_instance):
    instance = shared_instance
    run_id = _started_run(instance, "beat")
    with instance.register_run_process(run_id):
        db = instance.database
        with db.write_cursor() as cursor:
            cursor.execute("UPDATE run_workers SET heartbeat = 0")
        run_health._HEARTBEATS.beat({run_id: db})  # what the thread does every period
        assert instance.get_run_process(run_id).heartbeat > time.time() - 60
        assert run_id in run_health._HEARTBEATS.runs
    assert run_id not in run_health._HEARTBEATS.runs


def test_finished_runs_and_runs_without_a_process_are_not_judged(instance):
    finished = _started_run(instance, "finished", run_event("finished", EventType.RUN_SUCCESS))
    _record_process(instance, finished, _gone_process())
    _started_run(instance, "no-process")  # e.g. started before the process was recorded
    instance.create_run("j", run_id="created")  # e.g. queued for a daemon
    assert instance.fail_dead_runs() == []
    assert instance.get_run_by_id("finished").status == RunStatus.SUCCESS
    assert instance.get_run_by_id("no-process").status == RunStatus.STARTED
    assert instance.get_run_by_id("created").status == RunStatus.NOT_STARTED


def test_a_run_whose_process_died_before_its_start_was_written_is_failed(instance):
    """The run's start is written with its first step's events: a process killed in its
    first step leaves it NOT_STARTED, with its process recorded."""
    instance.create_run("j", run_id="first-step")
    _record_process(instance, "first-step", _gone_process())
    assert instance.fail_dead_runs() == ["first-step"]
    assert instance.get_run_by_id("first-step").status == RunStatus.FAILURE


def test_fail_run_by_hand(instance):
    run_id = _started_run(instance, "stuck", step_start("stuck", "s"))
    assert run_health.fail_run(instance.database, run_id, "the VM was rebooted")
    assert instance.get_run_by_id(run_id).status == RunStatus.FAILURE
    failure = instance.all_logs(run_id, of_type=EventType.RUN_FAILURE)[0]
    assert "Marked failed by hand" in failure.message and "the VM was rebooted" in failure.message
    assert _types(instance, run_id, "s") == ["STEP_START", "STEP_FAILURE"]
    # a finished run is not touched
    assert not run_health.fail_run(instance.database, run_id, "again")
    assert _types(instance, run_id).count("PIPELINE_FAILURE") == 1
    queued = instance.create_run("j", run_id="queued", status=RunStatus.QUEUED)
    assert run_health.fail_run(instance.database, queued.run_id)
    assert instance.get_run_by_id("queued").status == RunStatus.FAILURE


def test_deleting_a_run_deletes_its_process_row(instance):
    run_id = _started_run(instance, "deleted")
    _record_process(instance, run_id, current_process())
    instance.delete_run(run_id)
    assert instance.get_run_process(run_id) is None


def test_process_identity_round_trips_and_reads_older_runner_strings():
    me = current_process()
    assert ProcessIdentity.decode(me.encode()) == me
    assert ProcessIdentity.decode("host-a:123") == ProcessIdentity("host-a", 123)
    assert ProcessIdentity.decode("not a process") is None
    assert os.getpid() == me.pid
