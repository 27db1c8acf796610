"""Executors: in-process and the multiprocess pool give the same results; the pool's limits,
worker deaths and bad input. Multiprocess runs start real worker processes and stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

import pytest

import headwater as dg
from headwater.execution.compute_logs import read_compute_log
from headwater.execution.executors.multiprocess import StepWorkerError

from . import hwexec_jobs as jobs
from .hwexec_sync import InThread, worker_pids


def step_events(instance, run_id) -> dict[str, list[str]]:
    """Event types per step, as stored, in the order each step stored them."""
    out: dict[str, list[str]] = {}
    for entry in instance.all_logs(run_id):
        if entry.dagster_event is not None and entry.step_key:
            out.setdefault(entry.step_key, []).append(entry.dagster_event.event_type_value)
    return out


def multiprocess(job, instance, **kwargs):
    return dg.execute_job(dg.reconstructable(job), instance, **kwargs)


# --- same results, other processes ----------------------------------------------------------

def test_fan_in_gives_the_same_results_in_process_and_in_worker_processes(instance):
    here = jobs.hwexec_fan_in.execute_in_process(instance=instance)
    with multiprocess(jobs.hwexec_fan_in, instance) as there:
        assert here.success and there.success
        local, remote = here.output_for_node("hwexec_sum"), there.output_for_node("hwexec_sum")
        assert local["total"] == remote["total"] == 10
        assert local["pids"] == [os.getpid()]
        assert os.getpid() not in remote["pids"] and remote["pid"] != os.getpid()
        for name in "abcd":
            value = there.output_for_node(f"hwexec_part_{name}")
            assert value["value"] == here.output_for_node(f"hwexec_part_{name}")["value"]
            assert value["pid"] in remote["pids"]
        assert step_events(instance, here.run_id) == step_events(instance, there.run_id)
        kinds = Counter(e.event_type_value for e in there.all_events)
        assert kinds == Counter(e.event_type_value for e in here.all_events)
    run = instance.get_run_by_id(there.run_id)
    assert run.status == dg.RunStatus.SUCCESS and run.job_name == "hwexec_fan_in"


def test_asset_job_from_a_module_level_definitions(instance):
    job = jobs.hwexec_defs.get_job_def("hwexec_assets_job")
    here = job.execute_in_process(instance=instance)
    with dg.execute_job(dg.reconstructable(job), instance) as there:
        assert there.success
        assert there.output_for_node("hwexec_numbers") == [1, 2, 3]
        assert there.asset_value("hwexec_total")["total"] == here.asset_value("hwexec_total")["total"]
        assert there.asset_value("hwexec_total")["pid"] != os.getpid()
        assert [c.passed for c in there.get_asset_check_evaluations()] == [True]
        assert step_events(instance, here.run_id) == step_events(instance, there.run_id)
    record = instance.get_latest_materialization_event(dg.AssetKey("hwexec_total"))
    assert record.run_id == there.run_id


def test_dynamic_outputs_map_and_collect_across_workers(instance):
    here = jobs.hwexec_dynamic.execute_in_process(instance=instance)
    with multiprocess(jobs.hwexec_dynamic, instance) as there:
        assert there.success
        assert there.output_for_node("hwexec_collect") == here.output_for_node("hwexec_collect") == 5
        assert there.output_for_node("hwexec_square") == {"k0": 0, "k1": 1, "k2": 4}
        assert there.output_for_node("hwexec_fan_out") == {"k0": 0, "k1": 1, "k2": 2}
    assert step_events(instance, here.run_id) == step_events(instance, there.run_id)


def test_a_job_factory_is_reconstructable(instance):
    recon = dg.reconstructable(jobs.make_fan_in_job)
    with dg.execute_job(recon, instance) as result:
        assert result.success
        assert result.output_for_node("hwexec_sum")["total"] == 3
        assert result.dagster_run.job_name == "hwexec_factory_job"


def test_run_config_can_choose_in_process(instance):
    config = {"execution": {"config": {"in_process": {}}}}
    with multiprocess(jobs.hwexec_fan_in, instance, run_config=config) as result:
        assert result.success
        assert result.output_for_node("hwexec_sum")["pids"] == [os.getpid()]


def test_a_retry_runs_again_in_a_worker(instance, sync):
    here = jobs.hwexec_flaky_job.execute_in_process(instance=instance)
    os.remove(os.path.join(sync.markers, "flaky-attempted"))
    with multiprocess(jobs.hwexec_flaky_job, instance) as there:
        assert there.success
        assert there.output_for_node("hwexec_flaky") != os.getpid()
        assert there.retry_attempts_for_node("hwexec_flaky") == 1
    events = step_events(instance, there.run_id)["hwexec_flaky"]
    assert events == step_events(instance, here.run_id)["hwexec_flaky"]
    assert events.index("STEP_UP_FOR_RETRY") < events.index("STEP_RESTARTED")
    assert events[-1] == "STEP_SUCCESS"


def test_a_failing_step_in_a_worker_is_reported_like_in_process(instance):
    here = jobs.hwexec_failing_job.execute_in_process(instance=instance, raise_on_error=False)
    with multiprocess(jobs.hwexec_failing_job, instance) as there:
        assert not there.success
        assert there.get_failed_step_keys() == {"hwexec_fails"}
        assert there.is_node_untouched("hwexec_downstream")
        info = there.failure_data_for_node("hwexec_fails").error
        assert "the warehouse is closed (code 7)" in info.to_string()
    assert step_events(instance, here.run_id) == step_events(instance, there.run_id)
    # raise_on_error: the step's own exception, or (if it cannot be rebuilt here) its text
    with pytest.raises(StepWorkerError, match=r"HwexecError: the warehouse is closed \(code 7\)"):
        multiprocess(jobs.hwexec_failing_job, instance, raise_on_error=True)


# --- limits -------------------------------------------------------------------------------

def test_max_concurrency_is_respected_and_workers_are_reused(instance, sync):
    """Four ops, at most two at once. Each op counts the running ops (marker files) when it
    starts, then waits for the test; the test lets one go only once two are waiting."""
    run = InThread(lambda: multiprocess(jobs.hwexec_four_waiters, instance))
    first, first_name = sync.arrive()
    second, second_name = sync.arrive()
    assert len(sync.running()) == 2  # two are waiting, and no third has started
    assert len(worker_pids()) == 2  # nor was a third started
    sync.release(first)
    third, _ = sync.arrive()  # starts only once the first has finished
    sync.release(second)
    fourth, _ = sync.arrive()
    sync.release(third)
    sync.release(fourth)
    with run.result() as result:
        assert result.success
        outputs = [result.output_for_node(f"hwexec_wait_{i}") for i in range(4)]
    assert max(o["running"] for o in outputs) == 2
    pids = {o["pid"] for o in outputs}
    assert len(pids) <= 2 and os.getpid() not in pids  # two long-lived workers, four steps


def test_tag_concurrency_limits(instance, sync):
    """At most one op tagged database=warehouse at a time; the untagged op runs alongside."""
    run = InThread(lambda: multiprocess(jobs.hwexec_tag_limited, instance))
    a, name_a = sync.arrive()
    b, name_b = sync.arrive()
    assert sorted(["untagged" if "untagged" in n else "tagged" for n in (name_a, name_b)]) == [
        "tagged", "untagged"]
    assert len(sync.running("tagged")) == 1
    assert len(worker_pids()) == 2  # no second tagged op was started
    sync.release(a)
    sync.release(b)
    for _ in range(2):
        conn, name = sync.arrive()
        assert name.startswith("hwexec_tagged_")
        sync.release(conn)
    with run.result() as result:
        assert result.success
        outputs = [result.output_for_node(f"hwexec_tagged_{i}") for i in range(3)]
        untagged = result.output_for_node("hwexec_untagged")
    assert [o["running"] for o in outputs] == [1, 1, 1]
    assert len({o["pid"] for o in [*outputs, untagged]}) == 2  # never a third worker


def test_executor_config_is_validated():
    with pytest.raises(dg.InvalidConfigError) as e:
        dg.multiprocess_executor.resolve({"config": {"max_concurrent": -1, "bogus": 1}})
    assert "execution.config.bogus" in str(e.value.errors)
    with pytest.raises(dg.InvalidConfigError) as e:
        dg.multiprocess_executor(tag_concurrency_limits=[{"key": "db"}]).resolve()
    assert any("tag_concurrency_limits[0].limit" in line for line in e.value.errors)
    cfg = dg.multi_or_in_process_executor.resolve({"config": {"multiprocess": {"max_concurrent": 3}}})
    assert (cfg.kind, cfg.max_concurrent) == ("multiprocess", 3)
    assert dg.multiprocess_executor.resolve().max_concurrent == (os.cpu_count() or 1)
    assert dg.in_process_executor.resolve().kind == "in_process"


# --- bad input ----------------------------------------------------------------------------

def test_a_killed_worker_fails_its_step_and_the_run_goes_on(instance, sync):
    """The op reports its pid and waits; the test kills that process with SIGKILL."""
    run = InThread(lambda: multiprocess(jobs.hwexec_killed, instance))
    conn, pid = sync.arrive()
    os.kill(int(pid), signal.SIGKILL)
    with run.result() as result:
        assert not result.success
        assert result.get_failed_step_keys() == {"hwexec_doomed"}
        assert result.is_node_untouched("hwexec_after_doomed")
        assert result.output_for_node("hwexec_independent") not in (int(pid), os.getpid())
    conn.close()
    events = step_events(instance, result.run_id)
    assert events["hwexec_first"][-1] == "STEP_SUCCESS"
    assert events["hwexec_doomed"] == ["STEP_START", "STEP_FAILURE"]  # the start was stored
    assert events["hwexec_independent"][-1] == "STEP_SUCCESS"  # in a new worker
    failure = instance.all_logs(result.run_id, of_type="STEP_FAILURE")[0]
    assert f"pid {pid}" in failure.message and "SIGKILL" in failure.message
    assert "hwexec_doomed" in failure.message
    assert instance.get_run_by_id(result.run_id).status == dg.RunStatus.FAILURE
    # what the step printed before it was killed is in its compute log
    assert "doomed is about to wait" in read_compute_log(instance, result.run_id,
                                                         "hwexec_doomed")


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_an_output_that_cannot_be_pickled_fails_naming_the_op(instance, executor):
    config = {"execution": {"config": {executor: {}}}}
    with multiprocess(jobs.hwexec_unpicklable, instance, run_config=config) as result:
        assert not result.success
        assert result.get_failed_step_keys() == {"hwexec_make_lambda"}
        assert result.is_node_untouched("hwexec_use_lambda")
    failure = instance.all_logs(result.run_id, of_type="STEP_FAILURE")[0]
    assert 'step "hwexec_make_lambda" failed' in failure.message
    assert "pickle" in failure.message.lower()
    text = failure.dagster_event.event_specific_data.error.to_string()
    assert "op 'hwexec_make_lambda': IO manager 'io_manager'" in text
    assert "could not store output 'result'" in text


def test_a_job_defined_in_a_function_cannot_go_to_a_worker(instance):
    @dg.job
    def local_job():
        jobs.hwexec_sum([jobs.hwexec_part_a()])

    with pytest.raises(dg.InvalidDefinitionError, match="module level"):
        dg.reconstructable(local_job)
    with pytest.raises(dg.InvalidDefinitionError, match="module level"):
        dg.execute_job(local_job, instance)
    assert instance.get_runs() == []  # refused before any run was recorded

    def factory():
        return local_job

    with pytest.raises(dg.InvalidDefinitionError, match="module level"):
        dg.reconstructable(factory)
    # in process, it runs
    config = {"execution": {"config": {"in_process": {}}}}
    with dg.execute_job(local_job, instance, run_config=config) as result:
        assert result.success


def test_an_ephemeral_instance_cannot_be_shared_with_workers():
    with dg.Instance.ephemeral() as instance:
        with pytest.raises(dg.InvalidDefinitionError, match="persistent instance"):
            multiprocess(jobs.hwexec_fan_in, instance)
        assert instance.get_runs() == []


def test_run_config_that_cannot_be_sent_to_workers_fails_naming_the_op(instance):
    config = {"ops": {"hwexec_part_a": {"config": {"callback": lambda: 1}}}}
    with pytest.raises(dg.InvalidDefinitionError,
                       match=r"run config of op 'hwexec_part_a' \(ops.hwexec_part_a\)"):
        multiprocess(jobs.hwexec_fan_in, instance, run_config=config)
    assert instance.get_runs() == []


SCRIPT_JOB = """
import sys
sys.path.insert(0, {repo!r})
import headwater as dg


@dg.op
def hello():
    return 41


@dg.op
def plus_one(x):
    return x + 1


@dg.job
def script_job():
    plus_one(hello())


if __name__ == "__main__":
    with dg.instance_for_test() as instance:
        with dg.execute_job(dg.reconstructable(script_job), instance) as result:
            print("RESULT", result.success, result.output_for_node("plus_one"))
"""

UNGUARDED_LAUNCHER = """
import sys
sys.path.insert(0, {repo!r})
import headwater as dg
from tests.execution import hwexec_jobs

print("LAUNCHER RAN")
with dg.instance_for_test() as instance:
    with dg.execute_job(dg.reconstructable(hwexec_jobs.hwexec_fan_in), instance) as result:
        print("RESULT", result.success, result.output_for_node("hwexec_sum")["total"])
"""

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("source, expected", [(SCRIPT_JOB, "RESULT True 42"),
                                              (UNGUARDED_LAUNCHER, "RESULT True 10")])
def test_scripts_launch_workers(tmp_path, source, expected):
    """A job defined in the launching script (guarded, as Dagster requires), and a script
    without a guard launching a job from a module: workers never re-run the launcher."""
    script = tmp_path / "launch.py"
    script.write_text(source.format(repo=REPO))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("LAUNCHER RAN") == (1 if "LAUNCHER" in source else 0)
    assert out.stdout.strip().splitlines()[-1] == expected


def test_a_resource_that_fails_in_a_worker_fails_the_step_clearly(instance):
    with multiprocess(jobs.hwexec_broken_resource_job, instance) as result:
        assert not result.success
        assert result.get_failed_step_keys() == {"hwexec_needs_database"}
    failure = instance.all_logs(result.run_id, of_type="STEP_FAILURE")[0]
    assert "could not set up the run's resources" in failure.message
    assert "the database refused the connection" in failure.message
    assert instance.get_run_by_id(result.run_id).status == dg.RunStatus.FAILURE


def test_a_custom_logger_is_made_in_the_worker_that_runs_the_step(instance, tmp_path):
    path = tmp_path / "log.txt"
    run_config = {"loggers": {"file": {"config": {"path": str(path)}}}}
    with multiprocess(jobs.hwexec_logged_job, instance, run_config=run_config) as result:
        assert result.success
    lines = [line for line in path.read_text().splitlines() if "logged from a step" in line]
    assert len(lines) == 1
    assert int(lines[0].split()[0]) != os.getpid()  # written by the worker process
    assert f"hwexec_logged_job - {result.run_id} - hwexec_logging_op - " in lines[0]
