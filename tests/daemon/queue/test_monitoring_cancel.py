"""Cancel (queued, running in process, running in worker processes) and run monitoring with
a real worker process killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import headwater as dg
from headwater.daemon.monitoring import MonitoringComponent
from headwater.daemon.queue import QueueComponent
from headwater.definitions.tags import MAX_RUNTIME_TAG
from headwater.events.records import EventType
from headwater.execution import run_control
from headwater.execution.cancel import request_cancel
from headwater.execution.launch import LaunchRequest
from headwater.execution.stored_run import mark_starting, queue_run
from headwater.storage import RunStatus
from tests.execution import hwexec_stored as m

from .conftest import GUARD_S


def _types(instance, run_id):
    return [e.dagster_event.event_type for e in instance.all_logs(run_id) if e.dagster_event]


def _message(instance, run_id, kind):
    return instance.all_logs(run_id, of_type=kind)[-1].dagster_event.message


@pytest.fixture
def check_cancel_every_step(monkeypatch):
    """Look for a cancel request at every step boundary (not every 0.25 s), so the test does
    not depend on how long a step took."""
    monkeypatch.setattr(run_control, "CANCEL_POLL_S", 0.0)


def test_cancel_a_running_in_process_run_stops_between_steps(instance, location,
                                                             check_cancel_every_step):
    run = queue_run(instance, LaunchRequest(job_name="hws_in_process_wait_job"), "loc")
    QueueComponent(instance, {"loc": location}).run_iteration()
    arrived, opened = m.gate("hws_in_process_wait")
    assert arrived.wait(GUARD_S)
    assert request_cancel(instance, run.run_id) == RunStatus.CANCELING
    opened.set()
    assert location.wait_for_runs(GUARD_S)
    assert instance.get_run_by_id(run.run_id).status == RunStatus.CANCELED
    types = _types(instance, run.run_id)
    assert types[-2:] == [EventType.RUN_CANCELING, EventType.RUN_CANCELED] or \
        types[-1] == EventType.RUN_CANCELED
    started = [e.step_key for e in instance.all_logs(run.run_id, of_type=EventType.STEP_START)]
    assert started == ["hws_in_process_wait"]  # the next step never started
    assert "hws_mp_after" in _message(instance, run.run_id, EventType.RUN_CANCELED)


def test_cancel_a_multiprocess_run_terminates_its_step_process(instance, location, sync,
                                                               check_cancel_every_step):
    run = queue_run(instance, LaunchRequest(job_name="hws_mp_job"), "loc")
    QueueComponent(instance, {"loc": location}).run_iteration()
    conn, message = sync.arrive()  # the step's worker process waits for us
    try:
        assert message == "hws_mp_wait"
        assert request_cancel(instance, run.run_id) == RunStatus.CANCELING
        assert location.wait_for_runs(GUARD_S)  # without our answer: the worker was stopped
    finally:
        conn.close()
    assert instance.get_run_by_id(run.run_id).status == RunStatus.CANCELED
    failure = _message(instance, run.run_id, EventType.STEP_FAILURE)
    assert "canceled" in failure
    assert not instance.all_logs(run.run_id, of_type=EventType.RUN_FAILURE)


def _worker(home, run_id):
    """A real run worker process executing the stored run (its op blocks at a checkpoint)."""
    code = ("import sys, headwater as dg\n"
            "from headwater.execution.stored_run import execute_stored_run\n"
            "from tests.execution import hwexec_stored as m\n"
            f"execute_stored_run({run_id!r}, dg.Instance.local({str(home)!r}), m.hws_defs)\n")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=os.getcwd())


def test_a_killed_worker_fails_its_run_with_the_reason(home, instance, sync):
    run = queue_run(instance, LaunchRequest(job_name="hws_block_job"), "loc")
    assert mark_starting(instance, run)
    worker = _worker(home, run.run_id)
    try:
        conn, message = sync.arrive()  # the step runs in the worker, held there by us
        assert message == "hws_blocking"
        monitoring = MonitoringComponent(instance)
        monitoring.run_iteration()
        assert monitoring.ended == []  # its worker lives: untouched
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(GUARD_S)
        conn.close()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    monitoring.run_iteration()
    assert monitoring.ended == [(run.run_id, RunStatus.FAILURE)]
    assert instance.get_run_by_id(run.run_id).status == RunStatus.FAILURE
    reason = _message(instance, run.run_id, EventType.RUN_FAILURE)
    assert f"pid {worker.pid}" in reason and "gone" in reason


def test_a_run_stuck_starting_fails_after_start_timeout(configure, instance):
    configure("run_monitoring:\n  enabled: true\n  start_timeout_seconds: 30\n")
    run = queue_run(instance, LaunchRequest(job_name="hws_op_job"), "loc")
    assert mark_starting(instance, run)  # launched, but no worker ever takes it
    now = time.time()
    MonitoringComponent(instance, clock=lambda: now).run_iteration()
    assert instance.get_run_by_id(run.run_id).status == RunStatus.STARTING
    later = MonitoringComponent(instance, clock=lambda: now + 31)
    later.run_iteration()
    assert later.ended == [(run.run_id, RunStatus.FAILURE)]
    assert "start_timeout_seconds (30 s)" in _message(instance, run.run_id,
                                                      EventType.RUN_FAILURE)


def test_max_runtime_tag_ends_a_long_run(instance, location, check_cancel_every_step):
    run = queue_run(instance, LaunchRequest(job_name="hws_in_process_wait_job",
                                            tags={MAX_RUNTIME_TAG: "60"}), "loc")
    QueueComponent(instance, {"loc": location}).run_iteration()
    arrived, opened = m.gate("hws_in_process_wait")
    assert arrived.wait(GUARD_S)
    start = instance.get_run_record_by_id(run.run_id).start_time
    MonitoringComponent(instance, clock=lambda: start + 59).run_iteration()
    assert instance.get_run_by_id(run.run_id).status == RunStatus.STARTED
    monitoring = MonitoringComponent(instance, clock=lambda: start + 61)
    monitoring.run_iteration()
    assert monitoring.ended == [(run.run_id, RunStatus.FAILURE)]
    opened.set()
    assert location.wait_for_runs(GUARD_S)
    assert instance.get_run_by_id(run.run_id).status == RunStatus.FAILURE
    assert "maximum runtime of 60 s" in _message(instance, run.run_id, EventType.RUN_FAILURE)
    started = [e.step_key for e in instance.all_logs(run.run_id, of_type=EventType.STEP_START)]
    assert started == ["hws_in_process_wait"]  # the worker stopped between steps


def test_a_canceling_run_whose_worker_died_is_canceled(home, instance, sync):
    run = queue_run(instance, LaunchRequest(job_name="hws_block_job"), "loc")
    worker = _worker(home, run.run_id)
    try:
        conn, _ = sync.arrive()
        assert request_cancel(instance, run.run_id) == RunStatus.CANCELING
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(GUARD_S)
        conn.close()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    monitoring = MonitoringComponent(instance)
    monitoring.run_iteration()
    assert monitoring.ended == [(run.run_id, RunStatus.CANCELED)]
    assert "is gone" in _message(instance, run.run_id, EventType.RUN_CANCELED)


def test_cancel_of_a_finished_run_changes_nothing(instance, location):
    run = queue_run(instance, LaunchRequest(asset_selection=(dg.AssetKey("hws_a"),)), "loc")
    QueueComponent(instance, {"loc": location}).run_iteration()
    assert location.wait_for_runs(GUARD_S)
    assert request_cancel(instance, run.run_id) == RunStatus.SUCCESS
    assert instance.get_run_by_id(run.run_id).status == RunStatus.SUCCESS
