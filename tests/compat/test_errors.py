import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

ERROR_NAMES = [
    "DagsterError",
    "DagsterInvalidDefinitionError",
    "DagsterInvalidConfigError",
    "DagsterInvalidConfigDefinitionError",
    "DagsterInvalidInvocationError",
    "DagsterInvalidSubsetError",
    "DagsterInvariantViolationError",
    "DagsterExecutionStepExecutionError",
    "DagsterExecutionStepNotFoundError",
    "DagsterResourceFunctionError",
    "DagsterRunNotFoundError",
    "DagsterStepOutputNotFoundError",
    "DagsterTypeCheckDidNotPass",
    "DagsterTypeCheckError",
    "DagsterUnknownPartitionError",
    "DagsterUnknownResourceError",
    "DagsterUserCodeExecutionError",
]


@pytest.mark.parametrize("name", ERROR_NAMES)
def test_error_class_importable_and_dagster_error(name):
    cls = getattr(dg, name)
    assert issubclass(cls, Exception)
    assert issubclass(cls, dg.DagsterError)


def test_interrupted_error_is_base_exception_only():
    # Surprising: like KeyboardInterrupt, it is NOT an Exception (nor a DagsterError).
    assert issubclass(dg.DagsterExecutionInterruptedError, BaseException)
    assert not issubclass(dg.DagsterExecutionInterruptedError, Exception)


def test_user_code_error_hierarchy():
    assert issubclass(dg.DagsterExecutionStepExecutionError, dg.DagsterUserCodeExecutionError)
    assert issubclass(dg.DagsterResourceFunctionError, dg.DagsterUserCodeExecutionError)


def test_unknown_resource_error_is_attribute_error():
    # So that hasattr(context.resources, "x") works.
    assert issubclass(dg.DagsterUnknownResourceError, AttributeError)


def test_type_check_did_not_pass_is_not_user_code_error():
    assert not issubclass(dg.DagsterTypeCheckDidNotPass, dg.DagsterUserCodeExecutionError)


def test_hasattr_on_resources_for_missing_key():
    ctx = dg.build_asset_context(resources={"present": 1})
    assert hasattr(ctx.resources, "present")
    assert not hasattr(ctx.resources, "absent")


def test_raise_on_error_false_keeps_error_info_for_user_exception():
    @dg.asset
    def bad():
        raise KeyError("k-missing")

    result = dg.materialize([bad], raise_on_error=False)
    (ev,) = result.get_step_failure_events()
    err = ev.step_failure_data.error
    assert err.cls_name == "DagsterExecutionStepExecutionError"
    assert err.cause.cls_name == "KeyError"
    assert "bad" in err.message
