"""Ops, graphs and jobs: definitions, outputs, composition, selection, config, resources."""

import importlib
import os

import pytest

from ._helpers import single_op_job

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.op
def one():
    return 1


@dg.op
def add_one(x):
    return x + 1


@dg.op
def passthrough(x):
    return x


def _succeeded(result):
    return sorted(e.step_key for e in result.get_step_success_events())


# --- op definitions -------------------------------------------------------------------------


def test_op_definition_attributes():
    @dg.op(
        name="renamed",
        ins={"a": dg.In(int, description="an a", metadata={"m": 1}), "b": dg.In(str)},
        out=dg.Out(int, description="the sum", metadata={"k": "v"}),
        tags={"team": "data"},
        required_resource_keys={"db"},
        retry_policy=dg.RetryPolicy(max_retries=3),
    )
    def fn(context, a, b):
        """Docstring description."""
        return a

    assert isinstance(fn, dg.OpDefinition)
    assert fn.name == "renamed"
    assert fn.description == "Docstring description."
    assert fn.tags == {"team": "data"}
    assert fn.required_resource_keys == {"db"}
    assert fn.retry_policy.max_retries == 3
    assert sorted(fn.ins) == ["a", "b"]
    assert fn.ins["a"].description == "an a"
    assert fn.ins["a"].metadata == {"m": 1}
    assert fn.ins["a"].dagster_type.display_name == "Int"
    assert fn.ins["b"].dagster_type.display_name == "String"
    out = fn.outs["result"]
    assert (out.description, out.metadata, out.is_required) == ("the sum", {"k": "v"}, True)
    assert out.dagster_type.display_name == "Int"
    assert out.io_manager_key == "io_manager"


def test_op_types_come_from_annotations():
    @dg.op
    def annotated(x: int, y: str) -> float:
        return 1.0

    assert annotated.ins["x"].dagster_type.display_name == "Int"
    assert annotated.ins["y"].dagster_type.display_name == "String"
    assert annotated.outs["result"].dagster_type.display_name == "Float"
    assert add_one.ins["x"].dagster_type.display_name == "Any"


def test_op_input_defaults_from_in_and_from_signature():
    @dg.op(ins={"x": dg.In(default_value=7)})
    def from_in(x):
        return x

    @dg.op
    def from_signature(x=8):
        return x

    @dg.job
    def defaults():
        from_in()
        from_signature()

    result = defaults.execute_in_process()
    assert result.output_for_node("from_in") == 7
    assert result.output_for_node("from_signature") == 8


def test_op_invalid_name():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="bad name"):
        dg.op(name="bad name")(lambda: 1)


def test_ins_must_match_parameters():
    def fn(x):
        return x

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="zz"):
        dg.op(ins={"zz": dg.In()})(fn)


# --- outputs --------------------------------------------------------------------------------


@dg.op(out={"a": dg.Out(int), "b": dg.Out(str)})
def two_returned():
    return 1, "x"


@dg.op(out={"a": dg.Out(), "b": dg.Out()})
def two_yielded():
    yield dg.Output(2, "b")
    yield dg.Output(1, "a")


def test_multiple_outputs_returned_as_tuple():
    @dg.job
    def multi():
        a, b = two_returned()
        add_one(a)
        passthrough(b)

    result = multi.execute_in_process()
    assert result.output_for_node("two_returned", "a") == 1
    assert result.output_for_node("two_returned", "b") == "x"
    assert result.output_for_node("add_one") == 2
    assert result.output_for_node("passthrough") == "x"


def test_multiple_outputs_yielded_in_any_order():
    @dg.job
    def multi():
        outs = two_yielded()
        add_one(outs.a)
        passthrough(outs.b)

    result = multi.execute_in_process()
    assert result.output_for_node("add_one") == 2
    assert result.output_for_node("passthrough") == 2
    names = [e.event_specific_data.step_output_handle.output_name
             for e in result.events_for_node("two_yielded") if e.event_type_value == "STEP_OUTPUT"]
    assert names == ["b", "a"]


def test_optional_output_not_yielded_skips_downstream():
    @dg.op(out={"a": dg.Out(), "b": dg.Out(is_required=False)})
    def only_a():
        yield dg.Output(1, "a")

    @dg.job
    def optional():
        a, b = only_a()
        add_one(a)
        add_one(passthrough(b))

    result = optional.execute_in_process()
    assert result.success
    assert result.output_for_node("add_one") == 2
    skipped = sorted(e.step_key for e in result.get_step_skipped_events())
    assert skipped == ["add_one_2", "passthrough"]
    assert result.is_node_skipped("passthrough")
    assert not result.is_node_untouched("passthrough")
    assert result.is_node_success("only_a")


def test_optional_output_yielded_runs_downstream():
    @dg.op(out={"a": dg.Out(is_required=False)})
    def maybe():
        yield dg.Output(5, "a")

    @dg.job
    def optional():
        add_one(maybe())

    result = optional.execute_in_process()
    assert result.output_for_node("add_one") == 6
    assert result.get_step_skipped_events() == []


def test_missing_required_output_fails():
    @dg.op(out={"a": dg.Out(), "b": dg.Out()})
    def missing_b():
        yield dg.Output(1, "a")

    job = single_op_job(missing_b)
    with pytest.raises(dg.DagsterStepOutputNotFoundError, match="missing_b"):
        job.execute_in_process()
    result = job.execute_in_process(raise_on_error=False)
    (failure,) = result.get_step_failure_events()
    assert failure.event_specific_data.error.cls_name == "DagsterStepOutputNotFoundError"


def test_undeclared_output_is_an_error_naming_the_op():
    @dg.op
    def undeclared():
        yield dg.Output(1, "nope")

    job = single_op_job(undeclared)
    with pytest.raises(dg.DagsterInvariantViolationError) as info:
        job.execute_in_process()
    assert "undeclared" in str(info.value) and "nope" in str(info.value)
    result = job.execute_in_process(raise_on_error=False)
    (failure,) = result.get_step_failure_events()
    assert failure.event_specific_data.error.cls_name == "DagsterInvariantViolationError"


def test_tuple_length_mismatch_is_an_error_naming_the_op():
    @dg.op(out={"a": dg.Out(), "b": dg.Out()})
    def short_tuple():
        return (1,)

    with pytest.raises(dg.DagsterInvariantViolationError, match="short_tuple"):
        single_op_job(short_tuple).execute_in_process()


def test_single_value_for_several_outputs_is_an_error():
    @dg.op(out={"a": dg.Out(), "b": dg.Out()})
    def not_tuple():
        return 1

    with pytest.raises(dg.DagsterInvariantViolationError, match="not_tuple"):
        single_op_job(not_tuple).execute_in_process()


# --- graphs -----------------------------------------------------------------------------------


class AddConfig(dg.Config):
    n: int = 1


@dg.op
def add_n(config: AddConfig, x):
    return x + config.n


@dg.graph
def inner(x):
    return add_n(x)


@dg.graph
def outer(x):
    return inner(add_one(x))


@dg.job
def nested():
    outer(one())


NESTED_CONFIG = {"ops": {"outer": {"ops": {"inner": {"ops": {"add_n": {"config": {"n": 10}}}}}}}}


def test_nested_graph_step_keys():
    result = nested.execute_in_process()
    assert _succeeded(result) == ["one", "outer.add_one", "outer.inner.add_n"]
    assert result.is_node_success("outer.add_one")
    assert [e.event_type_value for e in result.events_for_node("outer.add_one")][0] == "STEP_START"


def test_nested_graph_run_config():
    result = nested.execute_in_process(run_config=NESTED_CONFIG)
    assert result.output_for_node("outer.inner.add_n") == 12
    assert result.dagster_run.run_config == NESTED_CONFIG


def test_output_for_graph_node_follows_its_output_mapping():
    result = nested.execute_in_process(run_config=NESTED_CONFIG)
    assert result.output_for_node("outer") == 12
    assert result.output_for_node("outer.inner") == 12


def test_graph_with_several_outputs():
    @dg.graph(out={"x": dg.GraphOut(), "y": dg.GraphOut()})
    def split():
        a, b = two_returned()
        return {"x": a, "y": b}

    @dg.job
    def uses_split():
        x, y = split()
        add_one(x)
        passthrough(y)

    result = uses_split.execute_in_process()
    assert result.output_for_node("add_one") == 2
    assert result.output_for_node("passthrough") == "x"
    assert result.output_for_node("split", "y") == "x"
    assert _succeeded(result) == ["add_one", "passthrough", "split.two_returned"]


def test_graph_attributes_and_to_job():
    @dg.graph(description="a graph")
    def g():
        add_one(one())

    assert g.name == "g"
    assert g.description == "a graph"
    assert g.node_names() == ["one", "add_one"]
    job = g.to_job(name="renamed", tags={"t": "1"})
    assert isinstance(job, dg.JobDefinition)
    assert (job.name, job.tags) == ("renamed", {"t": "1"})
    assert job.execute_in_process().dagster_run.job_name == "renamed"
    assert g.execute_in_process().output_for_node("add_one") == 2


def test_alias_and_repeated_ops_get_unique_names():
    @dg.job
    def aliased():
        x = one.alias("first")()
        add_one.alias("second")(x)
        add_one(add_one(x))

    result = aliased.execute_in_process()
    assert _succeeded(result) == ["add_one", "add_one_2", "first", "second"]
    assert result.output_for_node("second") == 2
    assert result.output_for_node("add_one_2") == 3


def test_fan_in_list_of_outputs():
    @dg.op
    def total(xs):
        return sum(xs)

    @dg.job
    def fan_in():
        total([one(), add_one(one())])

    assert fan_in.execute_in_process().output_for_node("total") == 3


def test_unconnected_input_that_config_cannot_provide_fails_at_definition():
    class Custom:
        pass

    @dg.op
    def takes_custom(x: Custom):
        return x

    with pytest.raises(dg.DagsterInvalidDefinitionError) as info:
        @dg.job
        def unconnected():
            takes_custom()

    assert "takes_custom" in str(info.value) and "'x'" in str(info.value)


def test_unconnected_input_can_come_from_run_config():
    @dg.op
    def takes_int(x: int):
        return x + 1

    @dg.job
    def from_config():
        takes_int()

    config = {"ops": {"takes_int": {"inputs": {"x": {"value": 3}}}}}
    assert from_config.execute_in_process(run_config=config).output_for_node("takes_int") == 4
    with pytest.raises(dg.DagsterInvalidConfigError, match="takes_int"):
        from_config.execute_in_process()


# --- op selection ---------------------------------------------------------------------------


@dg.job
def linear():
    add_one.alias("c")(add_one.alias("b")(one.alias("a")()))


def test_op_selection_by_name():
    result = linear.execute_in_process(op_selection=["a", "b"])
    assert _succeeded(result) == ["a", "b"]
    assert result.output_for_node("b") == 2
    assert result.is_node_untouched("c")


@pytest.mark.parametrize(
    "selection,expected",
    [(["*b"], ["a", "b"]), (["a*"], ["a", "b", "c"]), (["a+"], ["a", "b"]), (["+c"], ["b", "c"])],
)
def test_op_selection_syntax(selection, expected):
    config = {"ops": {"b": {"inputs": {"x": {"value": 5}}}}} if selection == ["+c"] else None
    assert _succeeded(linear.execute_in_process(op_selection=selection, run_config=config)) == expected


def test_op_selection_input_from_config():
    config = {"ops": {"b": {"inputs": {"x": {"value": 5}}}}}
    result = linear.execute_in_process(op_selection=["b"], run_config=config)
    assert result.output_for_node("b") == 6


def test_op_selection_matching_nothing():
    with pytest.raises(dg.DagsterInvalidSubsetError, match="nope"):
        linear.execute_in_process(op_selection=["nope"])


# --- jobs: config, resources, tags, instance ------------------------------------------------


def test_run_config_errors_report_every_bad_path():
    bad = {"ops": {"outer": {"ops": {"inner": {"ops": {"add_n": {"config": {"n": "x"}}}}}},
                   "nope": {}}}
    with pytest.raises(dg.DagsterInvalidConfigError) as info:
        nested.execute_in_process(run_config=bad)
    assert len(info.value.errors) == 2
    assert "nope" in str(info.value) and "add_n" in str(info.value)


@dg.op(config_schema={"n": int})
def schema_op(context):
    return context.op_config["n"]


def test_op_config_schema():
    job = single_op_job(schema_op)
    config = {"ops": {"schema_op": {"config": {"n": 4}}}}
    assert job.execute_in_process(run_config=config).output_for_node("schema_op") == 4
    with pytest.raises(dg.DagsterInvalidConfigError, match="schema_op"):
        job.execute_in_process()
    with pytest.raises(dg.DagsterInvalidConfigError) as info:
        job.execute_in_process(run_config={"ops": {"schema_op": {"config": {"n": "x", "extra": 1}}}})
    assert len(info.value.errors) == 2


def test_job_default_config_and_override():
    job = single_op_job(schema_op, config={"ops": {"schema_op": {"config": {"n": 3}}}})
    assert job.execute_in_process().output_for_node("schema_op") == 3
    config = {"ops": {"schema_op": {"config": {"n": 4}}}}
    assert job.execute_in_process(run_config=config).output_for_node("schema_op") == 4


@dg.op(required_resource_keys={"db"})
def uses_db(context):
    return context.resources.db


def test_job_resource_defs_and_override():
    job = single_op_job(uses_db, resource_defs={"db": dg.ResourceDefinition.hardcoded_resource("default")})
    assert job.execute_in_process().output_for_node("uses_db") == "default"
    assert job.execute_in_process(resources={"db": "override"}).output_for_node("uses_db") == "override"


def test_job_configurable_resource_parameter():
    class Db(dg.ConfigurableResource):
        url: str

    @dg.op
    def uses_typed(db: Db):
        return db.url

    job = single_op_job(uses_typed, resource_defs={"db": Db(url="sqlite://")})
    assert uses_typed.required_resource_keys == {"db"}
    assert job.execute_in_process().output_for_node("uses_typed") == "sqlite://"


def test_missing_resource_names_the_op():
    job = single_op_job(uses_db)
    with pytest.raises(dg.DagsterInvalidDefinitionError) as info:
        job.execute_in_process()
    assert "db" in str(info.value) and "uses_db" in str(info.value)
    assert job.execute_in_process(resources={"db": "given"}).output_for_node("uses_db") == "given"


def test_job_tags_on_the_run():
    job = single_op_job(one, tags={"team": "a"})
    assert job.tags == {"team": "a"}
    run = job.execute_in_process(tags={"extra": "b"}).dagster_run
    assert {k: v for k, v in run.tags.items() if not k.startswith("dagster/")} == {
        "team": "a", "extra": "b"}
    assert run.job_name == "single"


def test_execute_in_process_records_in_the_given_instance():
    instance = dg.DagsterInstance.ephemeral()
    result = linear.execute_in_process(instance=instance)
    run = instance.get_run_by_id(result.run_id)
    assert run.job_name == "linear"
    assert run.status == dg.DagsterRunStatus.SUCCESS


def test_failure_with_raise_on_error_false():
    @dg.op
    def always_raise():
        raise ValueError("kaboom")

    @dg.job
    def failing():
        add_one(always_raise())

    with pytest.raises(ValueError, match="kaboom"):
        failing.execute_in_process()
    result = failing.execute_in_process(raise_on_error=False)
    assert result.success is False
    assert result.is_node_failed("always_raise")
    assert result.is_node_untouched("add_one")
    error = result.failure_data_for_node("always_raise").error
    assert error.cls_name == "DagsterExecutionStepExecutionError"
    assert error.cause.cls_name == "ValueError"
    assert result.get_run_failure_event().event_type_value == "PIPELINE_FAILURE"


def test_definitions_jobs():
    defs = dg.Definitions(jobs=[linear])
    assert defs.get_job_def("linear").execute_in_process().output_for_node("c") == 3


# --- direct invocation ------------------------------------------------------------------------


def test_direct_invocation():
    assert one() == 1
    assert add_one(1) == 2
    assert add_one(x=1) == 2
    assert two_returned() == (1, "x")
    outputs = list(two_yielded())
    assert [(o.output_name, o.value) for o in outputs] == [("b", 2), ("a", 1)]


def test_direct_invocation_with_context_config_and_resources():
    assert uses_db(dg.build_op_context(resources={"db": "ctx"})) == "ctx"
    assert schema_op(dg.build_op_context(op_config={"n": 9})) == 9
    assert add_n(dg.build_op_context(), AddConfig(n=5), 1) == 6


# --- graph-backed assets ----------------------------------------------------------------------


@dg.op
def double(x):
    return x * 2


@dg.op
def add(x, y):
    return x + y


@dg.asset
def upstream():
    return 10


def test_graph_asset_runs_its_ops_as_steps():
    @dg.graph_asset
    def ga():
        return double(one())

    result = dg.materialize([ga])
    assert result.asset_value("ga") == 2
    assert _succeeded(result) == ["ga.double", "ga.one"]
    (mat,) = result.get_asset_materialization_events()
    assert (mat.step_key, mat.asset_key) == ("ga.double", dg.AssetKey("ga"))
    assert result.output_for_node("ga.double") == 2
    assert result.output_for_node("ga") == 2


def test_graph_asset_with_upstream_asset_and_attributes():
    @dg.graph_asset(group_name="g", description="desc", metadata={"m": 1})
    def downstream(upstream):
        return add(double(upstream), one())

    spec = downstream.get_asset_spec(dg.AssetKey("downstream"))
    assert (spec.group_name, spec.description, spec.metadata) == ("g", "desc", {"m": 1})
    assert [d.asset_key for d in spec.deps] == [dg.AssetKey("upstream")]
    assert downstream.asset_deps == {dg.AssetKey("downstream"): {dg.AssetKey("upstream")}}
    result = dg.materialize([upstream, downstream])
    assert result.asset_value("downstream") == 21
    assert _succeeded(result) == ["downstream.add", "downstream.double", "downstream.one",
                                  "upstream"]


def test_graph_asset_ins_and_downstream_asset():
    @dg.graph_asset(ins={"up": dg.AssetIn("upstream")})
    def renamed(up):
        return double(up)

    @dg.asset
    def after(renamed):
        return renamed + 1

    result = dg.materialize([upstream, renamed, after])
    assert result.asset_value("after") == 21


def test_graph_asset_op_config_nests_under_the_asset():
    class K(dg.Config):
        k: int

    @dg.op
    def cfg_op(config: K):
        return config.k

    @dg.graph_asset
    def cfg_ga():
        return double(cfg_op())

    config = {"ops": {"cfg_ga": {"ops": {"cfg_op": {"config": {"k": 5}}}}}}
    assert dg.materialize([cfg_ga], run_config=config).asset_value("cfg_ga") == 10


def test_graph_asset_in_definitions_job():
    @dg.graph_asset
    def in_defs(upstream):
        return double(upstream)

    defs = dg.Definitions(assets=[upstream, in_defs])
    result = defs.get_implicit_global_asset_job_def().execute_in_process()
    assert result.asset_value("in_defs") == 20


def test_graph_multi_asset():
    @dg.graph_multi_asset(outs={"a": dg.AssetOut(), "b": dg.AssetOut()})
    def gma():
        x = one()
        return {"a": double(x), "b": x}

    assert sorted(k.to_user_string() for k in gma.keys) == ["a", "b"]
    result = dg.materialize([gma])
    assert (result.asset_value("a"), result.asset_value("b")) == (2, 1)
    assert _succeeded(result) == ["gma.double", "gma.one"]
