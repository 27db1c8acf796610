"""start_method="fork": workers forked from the launcher, which has the job imported already,
give the same results as in process. (Worker deaths are covered for the default start method
in test_executors.py; the fork mode shares that code.)"""

from __future__ import annotations

import os

import pytest

import headwater as dg

from . import hwexec_jobs as jobs

FORK = {"execution": {"config": {"multiprocess": {"start_method": "fork"}}}}


def test_forked_workers_give_the_same_results_in_other_processes(instance):
    here = jobs.hwexec_fan_in.execute_in_process(instance=instance)
    with dg.execute_job(dg.reconstructable(jobs.hwexec_fan_in), instance,
                        run_config=FORK) as there:
        assert there.success
        remote = there.output_for_node("hwexec_sum")
        assert remote["total"] == here.output_for_node("hwexec_sum")["total"] == 10
        assert os.getpid() not in remote["pids"]


def test_forked_workers_run_dynamic_fan_out(instance):
    here = jobs.hwexec_dynamic.execute_in_process(instance=instance)
    with dg.execute_job(dg.reconstructable(jobs.hwexec_dynamic), instance,
                        run_config=FORK) as there:
        assert there.success
        assert sorted(e.step_key for e in there.get_step_success_events()) == sorted(
            e.step_key for e in here.get_step_success_events())


def test_unknown_start_method_is_a_config_error(instance):
    bad = {"execution": {"config": {"multiprocess": {"start_method": "teleport"}}}}
    with pytest.raises(dg.InvalidConfigError, match="start_method"):
        dg.execute_job(dg.reconstructable(jobs.hwexec_fan_in), instance, run_config=bad)


def test_the_default_start_method_is_spawn_unless_a_warm_run_worker_sets_fork():
    from headwater.execution.executors import definition

    assert definition.default_start_method() == "spawn"
    assert definition._multiprocess({}, "executor").start_method == "spawn"
    definition.set_default_start_method("fork")  # what a run worker forked from a template does
    try:
        assert definition._multiprocess({}, "executor").start_method == "fork"
        explicit = definition._multiprocess({"start_method": "spawn"}, "executor")
        assert explicit.start_method == "spawn"  # the run's own config still decides
    finally:
        definition.set_default_start_method("spawn")
    with pytest.raises(ValueError, match="teleport"):
        definition.set_default_start_method("teleport")
