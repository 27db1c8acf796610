"""Names of assets, ops, graphs, jobs, schedules and sensors: letters, digits and '_' (an
asset name may also use '-' and '.'), never a reserved word; and one name means one op
within a job."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

NOT_VALID = "is not a valid name"


def _asset(**kwargs):
    def compute():
        return 1

    return dg.asset(**kwargs)(compute)


@pytest.mark.parametrize("name", ["my-asset", "my.asset", "abc_1", "1abc"])
def test_asset_names_that_are_accepted(name):
    assert _asset(name=name).key == dg.AssetKey(name)


def test_a_dashed_asset_name_materializes():
    assert dg.materialize([_asset(name="my-asset")]).success


@pytest.mark.parametrize("name", ["my asset", "a/b", "a:b", "a+b", "caf\u00e9"])
def test_asset_names_that_are_refused(name):
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=NOT_VALID):
        _asset(name=name)


@pytest.mark.parametrize("name", ["class", "None", "context", "input", "config"])
def test_reserved_words_are_refused(name):
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="reserved keyword"):
        _asset(name=name)
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="reserved keyword"):
        dg.op(name=name)(lambda: None)


def test_asset_keys_with_dashes_and_dots_are_accepted():
    assert _asset(key=["a-b", "c.d"]).key == dg.AssetKey(["a-b", "c.d"])
    assert _asset(key_prefix=["my-prefix"]).key == dg.AssetKey(["my-prefix", "compute"])
    assert dg.AssetKey("my asset").path == ["my asset"]
    assert dg.AssetSpec("my-asset").key == dg.AssetKey("my-asset")


def test_an_asset_key_part_with_a_space_is_refused():
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        _asset(key="c d")


@pytest.mark.parametrize("make", [
    lambda: dg.op(name="my-op")(lambda: None),
    lambda: dg.job(name="my job")(lambda: None),
    lambda: dg.graph(name="my-graph")(lambda: None),
    lambda: dg.multi_asset(name="my-multi", specs=[dg.AssetSpec("x")])(lambda: None),
    lambda: dg.asset_check(asset="a", name="my check")(lambda: None),
    lambda: dg.multi_asset_check(name="my-mc",
                                 specs=[dg.AssetCheckSpec("c", asset="a")])(lambda: None),
], ids=["op", "job", "graph", "multi_asset", "asset_check", "multi_asset_check"])
def test_node_names_that_are_refused(make):
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=NOT_VALID):
        make()


def test_schedule_and_sensor_names_are_checked():
    @dg.op
    def step():
        pass

    @dg.job
    def nightly_job():
        step()

    with pytest.raises(dg.DagsterInvalidDefinitionError, match=NOT_VALID):
        dg.ScheduleDefinition(name="my-schedule", job=nightly_job, cron_schedule="@daily")
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=NOT_VALID):
        dg.sensor(job=nightly_job, name="my sensor")(lambda context: None)


def test_string_deps_may_use_dashes_but_not_slashes():
    @dg.asset(deps=["my-upstream"])
    def reader():
        return None

    assert reader.key == dg.AssetKey("reader")
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=NOT_VALID):
        dg.asset(deps=["a b"])(lambda: None)


# --- one name, one op ---

@dg.op(name="same")
def first():
    return 1


@dg.op(name="same")
def second(x):
    return x + 1


@dg.op
def one():
    return 1


@dg.op
def inc(x):
    return x + 1


def test_two_different_ops_with_one_name_are_refused_in_a_job():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="same"):
        @dg.job
        def conflicting():
            second(first())


def test_two_different_ops_with_one_name_are_refused_in_a_graph():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="same"):
        @dg.graph
        def conflicting():
            second(first())


def test_an_alias_does_not_make_two_ops_with_one_name_acceptable():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="same"):
        @dg.job
        def conflicting():
            first()
            second.alias("renamed")(first())


def test_conflicting_names_at_different_depths_are_refused():
    @dg.op(name="one")
    def other_one():
        return 3

    @dg.graph
    def inner():
        return one()

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="one"):
        @dg.job
        def conflicting():
            inner()
            other_one()


def test_the_same_op_twice_is_aliased():
    @dg.job
    def twice():
        inc(inc(one()))

    result = twice.execute_in_process()
    assert result.success
    assert result.output_for_node("inc") == 2
    assert result.output_for_node("inc_2") == 3


def test_the_same_op_in_two_nested_graphs_is_fine():
    @dg.graph
    def left():
        return one()

    @dg.graph
    def right():
        return one()

    @dg.job
    def both():
        left()
        right()

    assert both.execute_in_process().success


@pytest.mark.parametrize("alias", ["inc_2", "x"])
def test_an_alias_that_repeats_a_node_name_is_refused(alias):
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=alias):
        @dg.job
        def repeated():
            if alias == "x":
                inc.alias("x")(one())
                one.alias("x")()
            else:
                a = inc.alias("inc_2")(one())
                inc(inc(a))
