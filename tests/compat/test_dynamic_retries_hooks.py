"""Fan-out with DynamicOut (.map/.collect), retries (RetryPolicy, RetryRequested, Failure), hooks."""

import importlib
import os
import time

import pytest

from ._helpers import single_op_job

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.op(out=dg.DynamicOut())
def fan():
    for key in ["a", "b", "c"]:
        yield dg.DynamicOutput(ord(key), mapping_key=key)


@dg.op
def double(x):
    return x * 2


@dg.op
def inc(x):
    return x + 1


@dg.op
def total(xs):
    return sorted(xs)


@dg.op
def one():
    return 1


def _types(result, node):
    return [e.event_type_value for e in result.events_for_node(node)]


def _steps(result, event_type):
    return [e.step_key for e in result.all_events if e.event_type_value == event_type]


# --- dynamic outputs: map and collect -------------------------------------------------------


def test_dynamic_output_attributes():
    out = dg.DynamicOutput(1, mapping_key="k")
    assert (out.value, out.mapping_key, out.output_name) == (1, "k", "result")
    assert dg.DynamicOutput(2, mapping_key="k", output_name="other").output_name == "other"


def test_map_and_collect_step_keys_and_outputs():
    @dg.job
    def mapped():
        total(fan().map(double).collect())

    result = mapped.execute_in_process()
    assert result.output_for_node("total") == [194, 196, 198]
    assert _steps(result, "STEP_SUCCESS") == ["fan", "double[a]", "double[b]", "double[c]", "total"]
    assert result.output_for_node("double") == {"a": 194, "b": 196, "c": 198}
    assert result.output_for_node("fan") == {"a": 97, "b": 98, "c": 99}
    keys = [e.event_specific_data.step_output_handle.mapping_key
            for e in result.events_for_node("fan") if e.event_type_value == "STEP_OUTPUT"]
    assert keys == ["a", "b", "c"]


def test_each_mapped_step_has_its_own_event_stream():
    @dg.job
    def mapped():
        fan().map(double)

    result = mapped.execute_in_process()
    one_step = ["STEP_START", "LOADED_INPUT", "STEP_INPUT", "STEP_OUTPUT", "HANDLED_OUTPUT",
                "STEP_SUCCESS"]
    for key in "abc":
        events = [e.event_type_value for e in result.all_events if e.step_key == f"double[{key}]"]
        assert events == one_step
    # events_for_node addresses the node: every mapped copy of it
    assert _types(result, "double") == one_step * 3
    assert result.is_node_success("double")


def test_chained_map_and_map_over_a_composition():
    @dg.job
    def chained():
        total(fan().map(double).map(inc).collect())
        fan.alias("fan2")().map(lambda value: inc(double(value)))

    result = chained.execute_in_process()
    assert result.output_for_node("total") == [195, 197, 199]
    succeeded = _steps(result, "STEP_SUCCESS")
    assert {"inc[a]", "double_2[b]", "inc_2[c]"} <= set(succeeded)
    assert result.output_for_node("inc_2") == {"a": 195, "b": 197, "c": 199}


def test_mapping_key_on_the_context():
    seen = []

    @dg.op
    def record(context, x):
        seen.append(context.get_mapping_key())
        return x

    @dg.job
    def mapped():
        fan().map(record)

    mapped.execute_in_process()
    assert seen == ["a", "b", "c"]


def test_invalid_mapping_key():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="a-b"):
        dg.DynamicOutput(1, mapping_key="a-b")
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.DynamicOutput(1, mapping_key="a b")


def test_duplicate_mapping_key_names_the_op():
    @dg.op(out=dg.DynamicOut())
    def dup():
        yield dg.DynamicOutput(1, mapping_key="a")
        yield dg.DynamicOutput(2, mapping_key="a")

    @dg.job
    def dup_job():
        dup().map(double)

    with pytest.raises(dg.DagsterInvariantViolationError) as info:
        dup_job.execute_in_process()
    assert "dup" in str(info.value) and '"a"' in str(info.value)


def test_plain_output_for_a_dynamic_out_is_an_error():
    @dg.op(out=dg.DynamicOut())
    def plain_output():
        yield dg.Output(1)

    @dg.job
    def plain_job():
        plain_output().map(double)

    with pytest.raises(dg.DagsterInvariantViolationError, match="plain_output"):
        plain_job.execute_in_process()


def test_no_dynamic_outputs_collects_an_empty_list():
    @dg.op(out=dg.DynamicOut())
    def empty():
        return
        yield

    @dg.job
    def empty_job():
        total(empty().map(double).collect())

    result = empty_job.execute_in_process()
    assert result.success
    assert result.output_for_node("total") == []
    assert _types(result, "empty") == ["STEP_START", "STEP_SUCCESS"]
    assert result.is_node_untouched("double")


def test_failed_mapped_step_does_not_stop_its_siblings():
    @dg.op
    def fails_on_b(context, x):
        if context.get_mapping_key() == "b":
            raise ValueError("b bad")
        return x

    @dg.job
    def partly_failing():
        total(fan().map(fails_on_b).collect())

    result = partly_failing.execute_in_process(raise_on_error=False)
    assert result.success is False
    assert _steps(result, "STEP_SUCCESS") == ["fan", "fails_on_b[a]", "fails_on_b[c]"]
    assert _steps(result, "STEP_FAILURE") == ["fails_on_b[b]"]
    assert result.is_node_untouched("total")


def test_each_mapped_step_is_retried_on_its_own():
    attempts = {}

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=2))
    def flaky_mapped(context, x):
        key = context.get_mapping_key()
        attempts[key] = attempts.get(key, 0) + 1
        if key == "b" and attempts[key] < 2:
            raise Exception("flake")
        return x

    @dg.job
    def retried():
        total(fan().map(flaky_mapped).collect())

    result = retried.execute_in_process()
    assert result.success
    assert attempts == {"a": 1, "b": 2, "c": 1}
    assert _steps(result, "STEP_UP_FOR_RETRY") == ["flaky_mapped[b]"]
    assert _steps(result, "STEP_RESTARTED") == ["flaky_mapped[b]"]
    assert result.output_for_node("total") == [97, 98, 99]


# --- retry policies ---------------------------------------------------------------------------


def test_retry_policy_attributes_and_defaults():
    policy = dg.RetryPolicy(max_retries=3, delay=0.5, backoff=dg.Backoff.EXPONENTIAL,
                            jitter=dg.Jitter.FULL)
    assert (policy.max_retries, policy.delay) == (3, 0.5)
    assert (policy.backoff, policy.jitter) == (dg.Backoff.EXPONENTIAL, dg.Jitter.FULL)
    default = dg.RetryPolicy()
    assert (default.max_retries, default.delay, default.backoff, default.jitter) == (
        1, None, None, None)
    assert [b.value for b in dg.Backoff] == ["LINEAR", "EXPONENTIAL"]
    assert [j.value for j in dg.Jitter] == ["FULL", "PLUS_MINUS"]


def test_calculate_delay():
    plain = dg.RetryPolicy(max_retries=3, delay=0.5)
    assert [plain.calculate_delay(i) for i in (1, 2, 3)] == [0.5, 0.5, 0.5]
    linear = dg.RetryPolicy(delay=1, backoff=dg.Backoff.LINEAR)
    assert [linear.calculate_delay(i) for i in (1, 2, 3)] == [1, 2, 3]
    # Surprising: exponential is delay * (2**attempt - 1), not delay * 2**(attempt - 1)
    exponential = dg.RetryPolicy(delay=0.5, backoff=dg.Backoff.EXPONENTIAL)
    assert [exponential.calculate_delay(i) for i in (1, 2, 3)] == [0.5, 1.5, 3.5]
    full = dg.RetryPolicy(delay=1, jitter=dg.Jitter.FULL)
    assert all(0 <= full.calculate_delay(1) <= 1 for _ in range(50))
    plus_minus = dg.RetryPolicy(delay=1, jitter=dg.Jitter.PLUS_MINUS)
    assert all(0 <= plus_minus.calculate_delay(1) <= 2 for _ in range(50))


def test_backoff_or_jitter_need_a_delay():
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.RetryPolicy(backoff=dg.Backoff.LINEAR)
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.RetryPolicy(jitter=dg.Jitter.FULL)


def test_retry_policy_retries_then_succeeds():
    calls = {"n": 0}

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=2))
    def flaky(context):
        calls["n"] += 1
        if calls["n"] < 3:
            raise ValueError("flaky")
        return context.retry_number

    result = single_op_job(flaky).execute_in_process()
    assert result.success
    assert result.output_for_node("flaky") == 2
    assert result.retry_attempts_for_node("flaky") == 2


def test_retried_attempts_are_not_step_failures():
    calls = {"n": 0}

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=1))
    def flaky():
        calls["n"] += 1
        if calls["n"] < 2:
            raise ValueError("flaky")
        return 1

    result = single_op_job(flaky).execute_in_process()
    assert _types(result, "flaky") == ["STEP_START", "STEP_UP_FOR_RETRY", "STEP_RESTARTED",
                                       "STEP_OUTPUT", "HANDLED_OUTPUT", "STEP_SUCCESS"]
    (retry,) = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retry.event_specific_data.error.cause.cls_name == "ValueError"
    assert retry.message == 'Execution of step "flaky" failed and has requested a retry.'


def test_retry_delay_is_waited_and_recorded():
    calls = {"n": 0}

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=1, delay=0.05))
    def delayed():
        calls["n"] += 1
        if calls["n"] < 2:
            raise ValueError("x")

    start = time.monotonic()
    result = single_op_job(delayed).execute_in_process()
    assert time.monotonic() - start >= 0.05
    (retry,) = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retry.message == (
        'Execution of step "delayed" failed and has requested a retry in 0.05 seconds.')


def test_retry_delay_on_the_event():
    calls = {"n": 0}

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=1, delay=0.05))
    def delayed():
        calls["n"] += 1
        if calls["n"] < 2:
            raise ValueError("x")

    result = single_op_job(delayed).execute_in_process()
    (retry,) = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retry.event_specific_data.seconds_to_wait == 0.05


def test_job_op_retry_policy_and_with_retry_policy():
    calls = {"n": 0}

    @dg.op
    def flaky():
        calls["n"] += 1
        if calls["n"] % 2:
            raise ValueError("odd call")
        return calls["n"]

    assert single_op_job(flaky, op_retry_policy=dg.RetryPolicy(max_retries=1)) \
        .execute_in_process().output_for_node("flaky") == 2

    @dg.job
    def per_node():
        flaky.with_retry_policy(dg.RetryPolicy(max_retries=1))()

    assert per_node.execute_in_process().output_for_node("flaky") == 4


def test_retry_requested_from_user_code():
    calls = {"n": 0}

    @dg.op
    def requests_retry():
        calls["n"] += 1
        if calls["n"] < 3:
            raise dg.RetryRequested(max_retries=3)
        return calls["n"]

    result = single_op_job(requests_retry).execute_in_process()
    assert result.success
    assert result.output_for_node("requests_retry") == 3
    assert result.retry_attempts_for_node("requests_retry") == 2
    assert _types(result, "requests_retry").count("STEP_UP_FOR_RETRY") == 2


def test_retry_requested_attributes():
    default = dg.RetryRequested()
    assert (default.max_retries, default.seconds_to_wait) == (1, None)
    request = dg.RetryRequested(max_retries=2, seconds_to_wait=0.5)
    assert (request.max_retries, request.seconds_to_wait) == (2, 0.5)
    # Surprising: neither RetryRequested nor Failure is a DagsterError
    assert not issubclass(dg.RetryRequested, dg.DagsterError)
    assert not issubclass(dg.Failure, dg.DagsterError)


def test_retry_requested_exhausted():
    @dg.op
    def always_requests():
        raise dg.RetryRequested(max_retries=1)

    job = single_op_job(always_requests)
    with pytest.raises(Exception, match="Exceeded max_retries of 1"):
        job.execute_in_process()
    result = job.execute_in_process(raise_on_error=False)
    assert result.success is False
    assert _types(result, "always_requests") == [
        "STEP_START", "STEP_UP_FOR_RETRY", "STEP_RESTARTED", "STEP_FAILURE"]
    error = result.failure_data_for_node("always_requests").error
    assert error.cls_name == "RetryRequested"
    assert "Exceeded max_retries of 1" in error.message


def test_failure_with_metadata_is_recorded():
    @dg.op
    def fails_with_failure():
        raise dg.Failure(description="bad thing",
                         metadata={"rows": 3, "url": dg.MetadataValue.url("http://x")})

    job = single_op_job(fails_with_failure)
    with pytest.raises(dg.Failure, match="bad thing"):
        job.execute_in_process()
    result = job.execute_in_process(raise_on_error=False)
    data = result.failure_data_for_node("fails_with_failure")
    assert data.error.cls_name == "Failure"
    assert "bad thing" in data.error.message
    assert data.user_failure_data.description == "bad thing"
    assert data.user_failure_data.label == "intentional-failure"
    assert data.user_failure_data.metadata == {"rows": dg.MetadataValue.int(3),
                                               "url": dg.MetadataValue.url("http://x")}


def test_failure_attributes():
    failure = dg.Failure("d", metadata={"a": 1})
    assert (failure.description, failure.allow_retries) == ("d", True)
    assert failure.metadata == {"a": dg.MetadataValue.int(1)}


def test_failure_without_retries_is_not_retried():
    calls = {"n": 0}

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=3))
    def no_retry():
        calls["n"] += 1
        raise dg.Failure("nope", allow_retries=False)

    result = single_op_job(no_retry).execute_in_process(raise_on_error=False)
    assert calls["n"] == 1
    assert _types(result, "no_retry") == ["STEP_START", "STEP_FAILURE"]


# --- hooks ------------------------------------------------------------------------------------


CALLS = []


@dg.success_hook
def on_ok(context):
    CALLS.append(("ok", context.op.name, context.step_key, context.job_name,
                  sorted(context.op_output_values)))


@dg.failure_hook
def on_fail(context):
    CALLS.append(("fail", context.op.name, type(context.op_exception).__name__,
                  str(context.op_exception)))


@dg.op
def good():
    return 1


@dg.op
def bad(x):
    raise ValueError("nope")


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


def test_hook_definitions():
    @dg.success_hook(name="named_hook", required_resource_keys={"slack"})
    def needs_slack(context):
        pass

    assert isinstance(on_ok, dg.HookDefinition)
    assert on_ok.name == "on_ok"
    assert (needs_slack.name, needs_slack.required_resource_keys) == ("named_hook", {"slack"})


def test_job_hooks_run_on_success_and_failure():
    @dg.job(hooks={on_ok, on_fail})
    def hooked():
        bad(good())

    result = hooked.execute_in_process(raise_on_error=False)
    assert result.success is False
    assert CALLS == [("ok", "good", "good", "hooked", ["result"]),
                     ("fail", "bad", "ValueError", "nope")]


def test_hook_events():
    @dg.job(hooks={on_ok})
    def hooked():
        good()

    result = hooked.execute_in_process()
    (completed,) = [e for e in result.all_events if e.event_type_value == "HOOK_COMPLETED"]
    assert completed.step_key == "good"
    assert completed.message == 'Finished the execution of hook "on_ok" triggered for "good".'


def test_with_hooks_applies_to_one_node():
    @dg.job
    def hooked():
        good.with_hooks({on_ok})()
        good.alias("plain")()

    hooked.execute_in_process()
    assert CALLS == [("ok", "good", "good", "hooked", ["result"])]


def test_graph_to_job_hooks():
    @dg.graph
    def g():
        good()

    assert g.to_job(hooks={on_ok}).execute_in_process().success
    assert CALLS == [("ok", "good", "good", "g", ["result"])]


def test_hook_resources():
    @dg.success_hook(required_resource_keys={"slack"})
    def notify(context):
        CALLS.append(("notify", context.resources.slack))

    job = single_op_job(good, hooks={notify},
                         resource_defs={"slack": dg.ResourceDefinition.hardcoded_resource("S")})
    assert job.execute_in_process().success
    assert CALLS == [("notify", "S")]


def test_hook_that_raises_does_not_fail_the_run():
    @dg.success_hook
    def hook_raises(context):
        raise RuntimeError("hook broke")

    result = single_op_job(good, hooks={hook_raises}).execute_in_process(raise_on_error=False)
    assert result.success
    assert result.is_node_success("good")


def test_hook_that_raises_is_recorded():
    @dg.success_hook
    def hook_raises(context):
        raise RuntimeError("hook broke")

    result = single_op_job(good, hooks={hook_raises}).execute_in_process(raise_on_error=False)
    assert _steps(result, "HOOK_ERRORED") == ["good"]


def test_hooks_run_once_after_retries():
    calls = {"n": 0}

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=1))
    def flaky():
        calls["n"] += 1
        if calls["n"] < 2:
            raise ValueError("x")
        return 1

    single_op_job(flaky, hooks={on_ok, on_fail}).execute_in_process()
    assert CALLS == [("ok", "flaky", "flaky", "single", ["result"])]


def test_failure_hook_sees_the_failure():
    @dg.op
    def fails_failure():
        raise dg.Failure("described", metadata={"a": 1})

    @dg.failure_hook
    def inspect_failure(context):
        CALLS.append((type(context.op_exception).__name__, context.op_exception.description))

    single_op_job(fails_failure, hooks={inspect_failure}).execute_in_process(raise_on_error=False)
    assert CALLS == [("Failure", "described")]
