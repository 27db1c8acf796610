"""Outputs of a run of a job built from a graph: ``output_value()`` is the graph's own output,
``output_for_node("op")`` an op's (``"outer.inner"`` inside nested graphs)."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.op
def one():
    return 1


@dg.op
def add_one(x):
    return x + 1


@dg.op(out={"a": dg.Out(), "b": dg.Out()})
def two():
    return 10, 20


@dg.graph
def inner(x):
    return add_one(x)


@dg.graph
def nested():
    return inner(one())


@dg.graph(out={"first": dg.GraphOut(), "second": dg.GraphOut()})
def several():
    a, b = two()
    return {"first": a, "second": add_one(b)}


@dg.graph
def takes_input(start):
    return add_one(start)


@dg.job
def no_outputs():
    add_one(one())


def test_output_value_is_the_graph_output():
    result = nested.to_job().execute_in_process()
    assert result.success
    assert result.output_value() == 2
    assert result.output_value("result") == 2
    assert nested.execute_in_process().output_value() == 2


def test_output_for_node_reads_ops_and_nested_graphs():
    result = nested.to_job().execute_in_process()
    assert result.output_for_node("one") == 1
    assert result.output_for_node("inner") == 2
    assert result.output_for_node("inner.add_one") == 2


def test_named_graph_outputs():
    result = several.to_job().execute_in_process()
    assert result.output_value("first") == 10
    assert result.output_value("second") == 21
    assert result.output_for_node("two", "a") == 10
    assert result.output_for_node("two", "b") == 20
    with pytest.raises(dg.DagsterInvariantViolationError):
        result.output_value()  # no output named "result"
    with pytest.raises(dg.DagsterInvariantViolationError):
        result.output_value("nope")
    with pytest.raises(dg.DagsterInvariantViolationError):
        result.output_for_node("two")  # two has outputs a and b, no "result"


def test_a_graph_with_an_input_given_by_input_values():
    result = takes_input.to_job().execute_in_process(input_values={"start": 41})
    assert result.output_value() == 42


def test_a_job_without_graph_outputs():
    result = no_outputs.execute_in_process()
    assert result.output_for_node("add_one") == 2
    with pytest.raises(dg.DagsterInvariantViolationError):
        result.output_value()
    with pytest.raises(dg.DagsterInvariantViolationError):
        result.output_for_node("not_an_op")
