"""A generator that yields results and then raises: what it yielded before the error is
recorded (outputs stored, materializations and check evaluations in the event log), and the run
fails with its error."""

import importlib
import os

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.multi_asset(outs={"kept": dg.AssetOut(is_required=False),
                      "never": dg.AssetOut(is_required=False)},
                check_specs=[dg.AssetCheckSpec("shape", asset="kept"),
                             dg.AssetCheckSpec("rows", asset="kept")])
def half_done():
    yield dg.MaterializeResult(asset_key="kept", metadata={"n": 1})
    yield dg.AssetCheckResult(asset_key="kept", check_name="shape", passed=False)
    raise ValueError("stopped after the shape check")


def test_what_was_yielded_before_the_error_is_recorded():
    result = dg.materialize([half_done], raise_on_error=False)
    assert not result.success
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [
        dg.AssetKey("kept")]
    evaluations = result.get_asset_check_evaluations()
    assert [(e.check_name, e.passed) for e in evaluations] == [("shape", False)]
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "stopped after the shape check" in str(failure.step_failure_data.error.cause
                                                  or failure.step_failure_data.error)


@dg.op(out={"first": dg.Out(), "second": dg.Out()})
def yields_one_then_fails():
    yield dg.Output(1, "first")
    raise RuntimeError("no second")


@dg.op
def consume(x):
    return x


@dg.job
def partial_job():
    first, second = yields_one_then_fails()
    consume(first)
    consume.alias("consume_second")(second)


def test_an_op_output_yielded_before_the_error_is_stored():
    result = partial_job.execute_in_process(raise_on_error=False)
    assert not result.success
    outputs = [e.step_output_data.output_name for e in result.all_events
               if e.event_type_value == "STEP_OUTPUT"]
    assert outputs == ["first"]
