import importlib
import os
from unittest import mock

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


def test_context_properties_during_materialize():
    seen = {}

    @dg.asset
    def a(context: dg.AssetExecutionContext):
        seen["run_id"] = context.run.run_id
        seen["asset_key"] = context.asset_key
        seen["selected"] = context.selected_asset_keys
        seen["has_partition_key"] = context.has_partition_key
        seen["job_name"] = context.job_name
        seen["run_tags"] = dict(context.run.tags)
        seen["is_context"] = isinstance(context, dg.AssetExecutionContext)
        seen["instance"] = isinstance(context.instance, dg.DagsterInstance)
        seen["op_name"] = context.op_def.name
        seen["assets_def_key"] = context.assets_def.key
        return 1

    result = dg.materialize([a], tags={"t": "v"})
    assert seen["run_id"] == result.run_id
    assert seen["asset_key"] == dg.AssetKey("a")
    assert seen["selected"] == {dg.AssetKey("a")}
    assert seen["has_partition_key"] is False
    assert seen["job_name"] == "__ephemeral_asset_job__"
    assert seen["run_tags"]["t"] == "v"
    assert seen["is_context"] is True
    assert seen["instance"] is True
    assert seen["op_name"] == "a"
    assert seen["assets_def_key"] == dg.AssetKey("a")


def test_deprecated_run_id_still_works():
    seen = {}

    @dg.asset
    def a(context: dg.AssetExecutionContext):
        seen["run_id"] = context.run_id  # deprecated in 1.13 in favour of context.run.run_id
        return 1

    result = dg.materialize([a])
    assert seen["run_id"] == result.run_id


@pytest.mark.parametrize("name", ["context", "_context", "_"])
def test_context_parameter_names(name):
    ns = {"dg": dg}
    exec(f"@dg.asset\ndef a({name}):\n    return 1\n", ns)
    assert set(ns["a"].dependency_keys) == set()


def test_annotation_alone_does_not_make_a_context_param():
    # Surprising: only the parameter NAME (context/_context/_) marks the context; a first
    # parameter `ctx: AssetExecutionContext` is treated as an upstream asset named "ctx".
    @dg.asset
    def a(ctx: dg.AssetExecutionContext):
        return 1

    assert set(a.dependency_keys) == {dg.AssetKey("ctx")}


def test_context_log_messages_in_event_log():
    instance = dg.DagsterInstance.ephemeral()

    @dg.asset
    def a(context: dg.AssetExecutionContext):
        context.log.info("hello from a")
        context.log.warning("careful")
        return 1

    result = dg.materialize([a], instance=instance)
    records = instance.all_logs(result.run_id)
    user = [(r.user_message, r.level) for r in records if r.dagster_event is None]
    assert ("hello from a", 20) in user
    assert ("careful", 30) in user


def test_get_dagster_logger_does_not_break_run():
    @dg.asset
    def a():
        dg.get_dagster_logger().info("via logger")
        return 1

    assert dg.materialize([a]).success


def test_resources_on_context():
    seen = {}

    @dg.asset(required_resource_keys={"foo"})
    def a(context: dg.AssetExecutionContext):
        seen["foo"] = context.resources.foo
        return 1

    dg.materialize([a], resources={"foo": 42})
    assert seen["foo"] == 42


def test_add_output_metadata_during_run():
    @dg.asset
    def a(context: dg.AssetExecutionContext):
        context.add_output_metadata({"n": 3})
        return 1

    md = dg.materialize([a]).asset_materializations_for_node("a")[0].metadata
    assert md["n"].value == 3


# --- direct invocation ------------------------------------------------------------------


def test_direct_invocation_no_context():
    @dg.asset
    def a():
        return 3

    assert a() == 3


def test_direct_invocation_with_upstream_positional_and_keyword():
    @dg.asset
    def b(up):
        return up + 1

    assert b(1) == 2
    assert b(up=1) == 2


def test_direct_invocation_missing_input_is_invocation_error():
    @dg.asset
    def b(up):
        return up + 1

    with pytest.raises(dg.DagsterInvalidInvocationError, match="up"):
        b()


def test_direct_invocation_too_many_args():
    @dg.asset
    def a():
        return 3

    with pytest.raises(dg.DagsterInvalidInvocationError):
        a(1, 2)


def test_direct_invocation_context_without_providing_it():
    @dg.asset
    def a(context: dg.AssetExecutionContext):
        return 1

    with pytest.raises(dg.DagsterInvalidInvocationError):
        a()


def test_direct_invocation_with_build_asset_context():
    @dg.asset
    def a(context: dg.AssetExecutionContext):
        return context.asset_key

    assert a(dg.build_asset_context()) == dg.AssetKey("a")


def test_direct_invocation_context_as_keyword():
    @dg.asset
    def a(context: dg.AssetExecutionContext):
        return 5

    assert a(context=dg.build_asset_context()) == 5


def test_direct_invocation_context_and_upstream():
    @dg.asset
    def c(context: dg.AssetExecutionContext, up):
        return up + 1

    assert c(dg.build_asset_context(), 2) == 3
    assert c(context=dg.build_asset_context(), up=2) == 3


def test_direct_invocation_no_context_param_but_context_given_is_ok():
    @dg.asset
    def a():
        return 3

    assert a(dg.build_asset_context()) == 3


def test_build_asset_context_resources():
    @dg.asset(required_resource_keys={"foo"})
    def a(context: dg.AssetExecutionContext):
        return context.resources.foo

    assert a(dg.build_asset_context(resources={"foo": 7})) == 7


def test_build_asset_context_missing_required_resource():
    @dg.asset(required_resource_keys={"foo"})
    def a(context: dg.AssetExecutionContext):
        return context.resources.foo

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="foo"):
        a(dg.build_asset_context())


def test_build_asset_context_unknown_resource_attribute():
    ctx = dg.build_asset_context(resources={"q": 1})
    assert ctx.resources.q == 1
    with pytest.raises(dg.DagsterUnknownResourceError):
        _ = dg.build_asset_context().resources.q


def test_build_asset_context_is_asset_execution_context():
    assert isinstance(dg.build_asset_context(), dg.AssetExecutionContext)


def test_build_asset_context_partition_key():
    assert dg.build_asset_context(partition_key="2024-01-01").partition_key == "2024-01-01"


def test_build_asset_context_log_usable():
    dg.build_asset_context().log.info("fine")


def test_build_asset_context_instance():
    assert isinstance(dg.build_asset_context().instance, dg.DagsterInstance)


def test_asset_key_outside_invocation_raises():
    with pytest.raises(dg.DagsterError):
        _ = dg.build_asset_context().asset_key


def test_direct_invocation_configurable_resource_param():
    class R(dg.ConfigurableResource):
        x: int = 1

        def get(self):
            return self.x

    @dg.asset
    def e(r: R):
        return r.get()

    assert e(R(x=5)) == 5
    assert e(r=R(x=5)) == 5
    assert e(dg.build_asset_context(resources={"r": R(x=6)})) == 6


def test_direct_invocation_with_mock_resource():
    class R(dg.ConfigurableResource):
        def get(self):
            return 1

    @dg.asset
    def e(r: R):
        return r.get() * 10

    m = mock.MagicMock()
    m.get.return_value = 9
    assert e(r=m) == 90
    m.get.assert_called_once()


def test_direct_invocation_context_and_resource():
    class R(dg.ConfigurableResource):
        x: int = 1

    @dg.asset
    def f(context: dg.AssetExecutionContext, r: R):
        return r.x

    assert f(dg.build_asset_context(), R(x=2)) == 2
    assert f(context=dg.build_asset_context(), r=R(x=2)) == 2
    assert f(dg.build_asset_context(resources={"r": R(x=3)})) == 3


def test_direct_invocation_config():
    class C(dg.Config):
        n: int = 1

    @dg.asset
    def g(config: C):
        return config.n

    assert g(C(n=4)) == 4
    assert g(config=C(n=4)) == 4
    # Config with all defaults may be omitted.
    assert g() == 1


def test_direct_invocation_context_and_config():
    class C(dg.Config):
        n: int = 1

    @dg.asset
    def h(context: dg.AssetExecutionContext, config: C):
        return config.n

    assert h(dg.build_asset_context(), C(n=5)) == 5
    assert h(dg.build_asset_context(asset_config={"n": 6})) == 6


def test_direct_invocation_returns_output_object_unwrapped_value():
    @dg.asset
    def o():
        return dg.Output(5)

    out = o()
    assert isinstance(out, dg.Output)
    assert out.value == 5


def test_direct_invocation_materialize_result():
    @dg.asset
    def mr():
        return dg.MaterializeResult(metadata={"a": 1})

    out = mr()
    assert isinstance(out, dg.MaterializeResult)
    assert out.metadata == {"a": 1}


def test_direct_invocation_add_output_metadata():
    @dg.asset
    def k(context: dg.AssetExecutionContext):
        context.add_output_metadata({"x": 1})
        return 2

    assert k(dg.build_asset_context()) == 2


def test_direct_invocation_generator_yields_outputs():
    @dg.asset
    def gen():
        yield dg.Output(1)

    outs = list(gen())
    assert len(outs) == 1
    assert outs[0].value == 1


def test_build_asset_context_takes_resource_config_as_run_config_does():
    @dg.resource(config_schema={"x": int})
    def configured(init_context):
        return init_context.resource_config["x"]

    context = dg.build_asset_context(resources={"configured": configured},
                                     resources_config={"configured": {"config": {"x": 4}}})
    assert context.resources.configured == 4
