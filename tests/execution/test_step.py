"""A failed step records the user's frames, never Headwater's own."""

from __future__ import annotations

import os

import pytest

import headwater as dg

PACKAGE_DIR = os.path.dirname(os.path.abspath(dg.__file__)) + os.sep
THIS_FILE = os.path.basename(__file__)


def parse_a_number(text):
    return int(text)  # raises ValueError for "not a number"


@dg.asset
def parses():
    return parse_a_number("not a number")


@dg.asset
def yields_then_fails():
    yield dg.Output(1)
    raise KeyError("missing column")


class StoreRefusingIOManager(dg.IOManager):
    def handle_output(self, context, obj):
        raise PermissionError(f"refusing to store {context.asset_key.to_user_string()}")

    def load_input(self, context):
        raise AssertionError("not reached")


class FailingSetup(dg.ConfigurableResource):
    def setup_for_execution(self, context):
        raise ConnectionError("database is down")


@dg.asset
def needs_failing(res: FailingSetup):
    return 1


def user_error(error):
    """The innermost recorded cause: the user's exception."""
    while error.cause is not None:
        error = error.cause
    return error


def assert_user_frames_only(error, function: str):
    frames = "".join(error.stack)
    assert f"in {function}" in frames and THIS_FILE in frames
    assert [f for f in error.stack if PACKAGE_DIR in f] == []


def test_user_exception_keeps_the_users_frames_only(instance):
    result = dg.materialize([parses], instance=instance, raise_on_error=False)
    error = result.failure_data_for_node("parses").error
    cause = user_error(error)
    assert cause.cls_name == "ValueError"
    assert_user_frames_only(cause, "parses")
    assert "in parse_a_number" in "".join(cause.stack)  # the helper the asset called, too
    assert "not a number" in error.to_string()


def test_stored_failure_has_the_same_user_frames(instance):
    result = dg.materialize([parses], instance=instance, raise_on_error=False)
    stored = instance.all_logs(result.run_id, of_type=dg.EventType.STEP_FAILURE)
    assert len(stored) == 1
    cause = user_error(stored[0].dagster_event.event_specific_data.error)
    assert_user_frames_only(cause, "parse_a_number")
    assert cause == user_error(result.failure_data_for_node("parses").error)


def test_generator_failure_points_at_the_generator(instance):
    result = dg.materialize([yields_then_fails], instance=instance, raise_on_error=False)
    cause = user_error(result.failure_data_for_node("yields_then_fails").error)
    assert cause.cls_name == "KeyError"
    assert_user_frames_only(cause, "yields_then_fails")


def test_user_io_manager_failure_points_at_the_io_manager(instance):
    @dg.asset
    def refused():
        return 1

    result = dg.materialize([refused], instance=instance, raise_on_error=False,
                            resources={"io_manager": StoreRefusingIOManager()})
    error = result.failure_data_for_node("refused").error
    cause = user_error(error)
    assert cause.cls_name == "PermissionError"
    assert_user_frames_only(cause, "handle_output")
    assert "'refused'" in error.to_string() and "'io_manager'" in error.to_string()


def test_resource_setup_failure_points_at_the_resource(instance):
    with pytest.raises(dg.ResourceFunctionError) as info:
        dg.materialize([needs_failing], instance=instance, resources={"res": FailingSetup()})
    assert "'res'" in str(info.value) and "database is down" in str(info.value)
    (run,) = instance.get_runs()
    failure = instance.all_logs(run.run_id, of_type=dg.EventType.RUN_FAILURE)[0]
    cause = user_error(failure.dagster_event.event_specific_data.error)
    assert cause.cls_name == "ConnectionError"
    assert_user_frames_only(cause, "setup_for_execution")


def test_failure_message_names_the_step_and_the_error(instance):
    result = dg.materialize([parses], instance=instance, raise_on_error=False)
    (event,) = result.get_step_failure_events()
    assert '"parses"' in event.message and "ValueError" in event.message


def test_raise_on_error_raises_the_users_exception():
    with pytest.raises(ValueError, match="not a number"):
        dg.materialize_to_memory([parses])
