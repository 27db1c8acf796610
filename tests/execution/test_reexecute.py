"""Re-execution from failure and of chosen steps: only those steps run, the rest load from
storage, and the new run is linked to its parent."""

import pytest

import headwater as dg
from headwater.execution.reexecute import ReexecutionOptions, reexecute_job


def _job(calls, state):
    @dg.op
    def first():
        calls.append("first")
        return 20

    @dg.op
    def second(x):
        calls.append("second")
        if not state["ok"]:
            raise RuntimeError("not yet")
        return x + 1

    @dg.op
    def third(x):
        calls.append("third")
        return x * 2

    @dg.job
    def chain():
        third(second(first()))

    return chain


def test_from_failure_runs_only_failed_and_not_run_steps(instance):
    calls, state = [], {"ok": False}
    job = _job(calls, state)
    failed = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not failed.success and calls == ["first", "second"]
    state["ok"] = True
    calls.clear()
    result = reexecute_job(job, ReexecutionOptions.from_failure(failed.run_id), instance=instance)
    assert result.success
    assert calls == ["second", "third"]  # first's output loaded from the failed run's storage
    assert result.output_for_node("third") == 42
    run = instance.get_run_by_id(result.run_id)
    assert run.parent_run_id == failed.run_id and run.root_run_id == failed.run_id
    assert run.tags["dagster/parent_run_id"] == failed.run_id


def test_chosen_steps_and_lineage(instance):
    calls, state = [], {"ok": True}
    job = _job(calls, state)
    first = job.execute_in_process(instance=instance)
    calls.clear()
    again = reexecute_job(job, ReexecutionOptions(first.run_id, ["third"]), instance=instance)
    assert calls == ["third"] and again.output_for_node("third") == 42
    calls.clear()
    # a re-execution of a re-execution finds second's output two runs back
    third = reexecute_job(job, ReexecutionOptions(again.run_id, ["third"]), instance=instance)
    assert calls == ["third"] and third.success
    assert instance.get_run_by_id(third.run_id).root_run_id == first.run_id


def test_bad_reexecutions_are_clear(instance):
    calls, state = [], {"ok": True}
    job = _job(calls, state)
    ok = job.execute_in_process(instance=instance)
    with pytest.raises(dg.InvalidInvocationError, match="nothing to re-execute"):
        reexecute_job(job, ReexecutionOptions.from_failure(ok.run_id), instance=instance)
    with pytest.raises(dg.ExecutionStepNotFoundError, match="nope"):
        reexecute_job(job, ReexecutionOptions(ok.run_id, ["nope"]), instance=instance)
    with pytest.raises(dg.RunNotFoundError):
        reexecute_job(job, ReexecutionOptions("no-such-run", ["third"]), instance=instance)


def test_asset_run_reexecution_from_failure(instance):
    state = {"ok": False}

    @dg.asset
    def up():
        return 1

    @dg.asset
    def down(up):
        if not state["ok"]:
            raise RuntimeError("down fails")
        return up + 1

    failed = dg.materialize([up, down], instance=instance, raise_on_error=False)
    state["ok"] = True
    job = dg.Definitions(assets=[up, down]).get_implicit_global_asset_job_def()
    from headwater.definitions.jobs import JobDefinition

    job = JobDefinition(failed.dagster_run.job_name, job.asset_graph, job.asset_ids, {})
    result = reexecute_job(job, ReexecutionOptions.from_failure(failed.run_id), instance=instance)
    assert result.success
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("down")]


def test_reexecution_stays_within_the_parents_selection(instance):
    state = {"ok": False}

    @dg.asset
    def base():
        return 1

    @dg.asset
    def fragile():
        if not state["ok"]:
            raise RuntimeError("fragile fails")
        return 2

    @dg.asset
    def unselected(base):
        return base

    job = dg.Definitions(assets=[base, fragile, unselected]).get_implicit_global_asset_job_def()
    failed = job.execute_in_process(instance=instance, raise_on_error=False,
                                    asset_selection=[dg.AssetKey("base"), dg.AssetKey("fragile")])
    assert not failed.success
    state["ok"] = True
    result = reexecute_job(job, ReexecutionOptions.from_failure(failed.run_id), instance=instance)
    assert [e.asset_key for e in result.get_asset_materialization_events()] == \
        [dg.AssetKey("fragile")]  # not `unselected`: the parent did not select it
    with pytest.raises(Exception, match="unselected"):
        reexecute_job(job, ReexecutionOptions(failed.run_id, ["unselected"]), instance=instance)
