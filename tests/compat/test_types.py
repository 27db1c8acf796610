"""Runtime types of op inputs and outputs: annotations, DagsterType, TypeCheck, Nothing."""

import importlib
import os
from typing import Optional

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


def _job(*ops_chain):
    """A job calling the ops in a chain: ops_chain[1](ops_chain[0]()), and so on."""

    @dg.job
    def chain():
        value = ops_chain[0]()
        for op_def in ops_chain[1:]:
            value = op_def(value)

    return chain


def _events(result, node, event_type):
    return [e for e in result.events_for_node(node) if e.event_type_value == event_type]


# --- Nothing ----------------------------------------------------------------------------------


def test_nothing_is_none_type():
    assert dg.Nothing is type(None)


def test_nothing_input_orders_ops_without_passing_a_value():
    order = []

    @dg.op
    def first():
        order.append("first")

    @dg.op(ins={"start": dg.In(dg.Nothing)})
    def second():
        order.append("second")
        return 2

    @dg.op(out=dg.Out(dg.Nothing))
    def nothing_out():
        order.append("nothing_out")

    @dg.op(ins={"after": dg.In(dg.Nothing)})
    def third(x):
        return x + 1

    @dg.job
    def ordered():
        third(second(start=first()), after=nothing_out())

    result = ordered.execute_in_process()
    assert result.output_for_node("third") == 3
    assert order.index("first") < order.index("second")
    assert second.ins["start"].dagster_type.display_name == "Nothing"
    assert second.ins["start"].dagster_type.is_nothing
    loaded = [e.event_specific_data.input_name for e in _events(result, "third", "LOADED_INPUT")]
    assert loaded == ["x"]
    # a Nothing output is yielded, but there is no value for an IO manager to handle
    assert [e.event_type_value for e in result.events_for_node("nothing_out")] == [
        "STEP_START", "STEP_OUTPUT", "STEP_SUCCESS"]


def test_nothing_fan_in():
    ran = []

    @dg.op
    def first():
        ran.append("first")

    @dg.op(ins={"start": dg.In(dg.Nothing)})
    def last():
        ran.append("last")

    @dg.job
    def fan_in():
        last([first.alias("f1")(), first.alias("f2")()])

    assert fan_in.execute_in_process().success
    assert ran == ["first", "first", "last"]


def test_nothing_input_need_not_be_connected():
    @dg.op(ins={"start": dg.In(dg.Nothing)})
    def standalone():
        return 1

    @dg.job
    def alone():
        standalone()

    assert alone.execute_in_process().output_for_node("standalone") == 1


# --- DagsterType and TypeCheck ----------------------------------------------------------------


def _is_even(_, value):
    return isinstance(value, int) and value % 2 == 0


Even = dg.DagsterType(type_check_fn=_is_even, name="Even", description="an even int")


def _check_rows(_, value):
    return dg.TypeCheck(success=isinstance(value, list), description="rows checked",
                        metadata={"rows": len(value) if isinstance(value, list) else -1})


Rows = dg.DagsterType(type_check_fn=_check_rows, name="Rows")


@dg.op(out=dg.Out(Even))
def gives_even():
    return 4


@dg.op(out=dg.Out(Even))
def gives_odd():
    return 3


@dg.op(ins={"x": dg.In(Even)})
def takes_even(x):
    return x


@dg.op
def gives_three():
    return 3


@dg.op(out=dg.Out(Rows))
def rows():
    return [1, 2, 3]


@dg.op
def takes_rows(r: Rows):
    return r


def test_dagster_type_attributes():
    assert (Even.display_name, Even.unique_name, Even.key) == ("Even", "Even", "Even")
    assert Even.description == "an even int"
    check = Even.type_check(None, 2)
    assert isinstance(check, dg.TypeCheck) and check.success is True
    assert Even.type_check(None, 3).success is False


def test_type_check_object():
    check = dg.TypeCheck(True, "d", {"a": 1})
    assert (check.success, check.description) == (True, "d")
    assert check.metadata == {"a": dg.MetadataValue.int(1)}
    empty = dg.TypeCheck(False)
    assert (empty.success, empty.description, empty.metadata) == (False, None, {})
    failed = dg.DagsterType(lambda _, v: dg.TypeCheck(False, "nope", {"k": 1}), name="N")
    assert failed.type_check(None, 1).description == "nope"


def test_dagster_type_on_outputs_and_inputs_passes():
    result = _job(gives_even, takes_even).execute_in_process()
    assert result.output_for_node("takes_even") == 4
    (output,) = _events(result, "gives_even", "STEP_OUTPUT")
    check = output.event_specific_data.type_check_data
    assert (check.success, check.label, check.description) == (True, "result", None)


def test_type_check_metadata_recorded_on_output_and_input_events():
    result = _job(rows, takes_rows).execute_in_process()
    assert result.success
    (output,) = _events(result, "rows", "STEP_OUTPUT")
    check = output.event_specific_data.type_check_data
    assert (check.success, check.label, check.description) == (True, "result", "rows checked")
    assert check.metadata == {"rows": dg.MetadataValue.int(3)}
    (step_input,) = _events(result, "takes_rows", "STEP_INPUT")
    check = step_input.event_specific_data.type_check_data
    assert (check.success, check.label) == (True, "r")
    assert check.metadata == {"rows": dg.MetadataValue.int(3)}


def test_output_type_check_failure():
    job = _job(gives_odd, takes_even)
    with pytest.raises(dg.DagsterTypeCheckDidNotPass) as info:
        job.execute_in_process()
    assert 'expected type "Even"' in str(info.value)
    assert info.value.dagster_type.display_name == "Even"
    result = job.execute_in_process(raise_on_error=False)
    assert result.success is False
    assert [e.event_type_value for e in result.events_for_node("gives_odd")] == [
        "STEP_START", "STEP_OUTPUT", "STEP_FAILURE"]
    (output,) = _events(result, "gives_odd", "STEP_OUTPUT")
    assert output.event_specific_data.type_check_data.success is False
    assert result.is_node_untouched("takes_even")
    error = result.failure_data_for_node("gives_odd").error
    assert error.cls_name == "DagsterTypeCheckDidNotPass"
    assert 'step output "result"' in error.message


def test_input_type_check_failure():
    job = _job(gives_three, takes_even)
    with pytest.raises(dg.DagsterTypeCheckDidNotPass, match='step input "x"'):
        job.execute_in_process()
    result = job.execute_in_process(raise_on_error=False)
    assert [e.event_type_value for e in result.events_for_node("takes_even")] == [
        "STEP_START", "LOADED_INPUT", "STEP_INPUT", "STEP_FAILURE"]
    (step_input,) = _events(result, "takes_even", "STEP_INPUT")
    assert step_input.event_specific_data.type_check_data.success is False
    assert result.failure_data_for_node("takes_even").error.cls_name == "DagsterTypeCheckDidNotPass"


def test_type_check_function_that_raises():
    def raising_check(_, value):
        raise ValueError("boom in check")

    Bad = dg.DagsterType(type_check_fn=raising_check, name="Bad")

    @dg.op(out=dg.Out(Bad))
    def bad_check():
        return 1

    job = _job(bad_check)
    with pytest.raises(ValueError, match="boom in check"):
        job.execute_in_process()
    result = job.execute_in_process(raise_on_error=False)
    error = result.failure_data_for_node("bad_check").error
    assert error.cls_name == "DagsterTypeCheckError"
    assert error.cause.cls_name == "ValueError"


# --- annotations ------------------------------------------------------------------------------


def test_annotated_input_checked_at_run_time():
    @dg.op
    def gives_str() -> str:
        return "a"

    @dg.op
    def wants_int(x: int) -> str:
        return str(x)

    result = _job(gives_str, wants_int).execute_in_process(raise_on_error=False)
    assert result.is_node_success("gives_str")
    assert result.is_node_failed("wants_int")
    error = result.failure_data_for_node("wants_int").error
    assert error.cls_name == "DagsterTypeCheckDidNotPass"
    assert 'expected type "Int"' in error.message


def test_annotated_output_checked_at_run_time():
    @dg.op
    def wrong() -> int:
        return "not an int"

    with pytest.raises(dg.DagsterTypeCheckDidNotPass, match='expected type "Int"'):
        _job(wrong).execute_in_process()


def test_optional_annotation_accepts_none():
    @dg.op
    def gives_none() -> Optional[int]:
        return None

    @dg.op
    def wants_optional(x: Optional[int]) -> list:
        return [x]

    result = _job(gives_none, wants_optional).execute_in_process()
    assert result.output_for_node("wants_optional") == [None]


def test_list_annotation_checks_elements():
    @dg.op
    def strings() -> list[int]:
        return ["a"]

    with pytest.raises(dg.DagsterTypeCheckDidNotPass, match=r'expected type "\[Int\]"'):
        _job(strings).execute_in_process()

    @dg.op
    def ints() -> list[int]:
        return [1, 2]

    assert _job(ints).execute_in_process().output_for_node("ints") == [1, 2]


def test_dict_annotation_checks_the_container():
    @dg.op
    def not_a_dict() -> dict:
        return [1]

    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        _job(not_a_dict).execute_in_process()


def test_builtin_scalars_are_strict():
    # Surprising: an int is not a Float, and 1 is not a Bool
    @dg.op
    def gives_int() -> float:
        return 1

    @dg.op
    def gives_one() -> bool:
        return 1

    @dg.op
    def gives_float() -> float:
        return 1.5

    with pytest.raises(dg.DagsterTypeCheckDidNotPass, match='expected type "Float"'):
        _job(gives_int).execute_in_process()
    with pytest.raises(dg.DagsterTypeCheckDidNotPass, match='expected type "Bool"'):
        _job(gives_one).execute_in_process()
    assert _job(gives_float).execute_in_process().success


# --- direct invocation ------------------------------------------------------------------------


def test_direct_invocation_checks_types():
    with pytest.raises(dg.DagsterTypeCheckDidNotPass) as info:
        gives_odd()
    assert 'op "gives_odd"' in str(info.value) and 'expected type "Even"' in str(info.value)
    with pytest.raises(dg.DagsterTypeCheckDidNotPass) as info:
        takes_even(3)
    assert 'op "takes_even" input "x"' in str(info.value)
    assert takes_even(4) == 4
    assert rows() == [1, 2, 3]
