import importlib
import os
from contextlib import contextmanager

import pydantic
import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


class NamedResource(dg.ConfigurableResource):
    name: str
    x: int = 1

    def describe(self):
        return f"{self.name}:{self.x}"


def test_configurable_resource_fields_and_defaults():
    r = NamedResource(name="n")
    assert r.name == "n"
    assert r.x == 1


def test_configurable_resource_missing_required_field():
    with pytest.raises(pydantic.ValidationError):
        NamedResource()


def test_configurable_resource_is_frozen():
    with pytest.raises(dg.DagsterInvalidInvocationError):
        NamedResource(name="n").x = 3


def test_resource_param_injected_by_name():
    @dg.asset
    def uses(named: NamedResource):
        return named.describe()

    result = dg.materialize([uses], resources={"named": NamedResource(name="n", x=2)})
    assert result.output_for_node("uses") == "n:2"


def test_resource_param_adds_required_key():
    @dg.asset
    def uses(named: NamedResource):
        return 1

    assert uses.required_resource_keys == {"named", "io_manager"}
    assert set(uses.dependency_keys) == set()


def test_missing_resource_is_definition_error():
    @dg.asset
    def uses(named_missing: NamedResource):
        return 1

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="named_missing"):
        dg.materialize([uses])


def test_setup_and_teardown_order():
    log = []

    class Lifecycle(dg.ConfigurableResource):
        tag: str

        def setup_for_execution(self, context):
            log.append(("setup", self.tag, isinstance(context, dg.InitResourceContext)))

        def teardown_after_execution(self, context):
            log.append(("teardown", self.tag))

    @dg.asset
    def a(res: Lifecycle):
        log.append(("run_a", res.tag))
        return 1

    @dg.asset
    def b(a, res: Lifecycle):
        log.append(("run_b", res.tag))
        return 2

    dg.materialize([a, b], resources={"res": Lifecycle(tag="t")})
    # One setup and one teardown per run for in-process execution.
    assert log == [("setup", "t", True), ("run_a", "t"), ("run_b", "t"), ("teardown", "t")]


def test_unused_resource_not_initialized():
    log = []

    class Lifecycle(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            log.append("setup")

    @dg.asset
    def no_res():
        return 1

    dg.materialize([no_res], resources={"res": Lifecycle()})
    assert log == []


def test_yield_for_execution():
    log = []

    class Yielding(dg.ConfigurableResource):
        @contextmanager
        def yield_for_execution(self, context):
            log.append("enter")
            yield self
            log.append("exit")

    @dg.asset
    def y(res: Yielding):
        log.append("run")
        return 1

    dg.materialize([y], resources={"res": Yielding()})
    assert log == ["enter", "run", "exit"]


def test_private_attr_set_in_setup():
    class WithClient(dg.ConfigurableResource):
        _client = pydantic.PrivateAttr(default=None)

        def setup_for_execution(self, context):
            self._client = "client-object"

        def get_client(self):
            return self._client

    @dg.asset
    def c(res: WithClient):
        return res.get_client()

    assert (
        dg.materialize([c], resources={"res": WithClient()}).output_for_node("c") == "client-object"
    )


def test_setup_failure_raises_resource_function_error():
    class Broken(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            raise RuntimeError("setup failed xyz")

    @dg.asset
    def f(res: Broken):
        return 1

    with pytest.raises(dg.DagsterResourceFunctionError):
        dg.materialize([f], resources={"res": Broken()})


def test_setup_failure_event_sequence():
    class Broken(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            raise RuntimeError("setup failed xyz")

    @dg.asset
    def f(res: Broken):
        return 1

    result = dg.materialize([f], resources={"res": Broken()}, raise_on_error=False)
    assert result.success is False
    types = [e.event_type_value for e in result.all_events]
    assert "RESOURCE_INIT_FAILURE" in types
    assert "STEP_START" not in types
    assert types[-1] == "PIPELINE_FAILURE"


def test_nested_resources():
    class Inner(dg.ConfigurableResource):
        v: str = "i"

    class Outer(dg.ConfigurableResource):
        inner: Inner

        def get(self):
            return self.inner.v

    @dg.asset
    def o(outer: Outer):
        return outer.get()

    result = dg.materialize([o], resources={"outer": Outer(inner=Inner(v="q"))})
    assert result.output_for_node("o") == "q"


def test_env_var_resolved_at_runtime(monkeypatch):
    class Tok(dg.ConfigurableResource):
        token: str

    @dg.asset
    def e(res: Tok):
        return res.token

    res = Tok(token=dg.EnvVar("HW_COMPAT_TOKEN"))
    monkeypatch.setenv("HW_COMPAT_TOKEN", "secret1")
    assert dg.materialize([e], resources={"res": res}).output_for_node("e") == "secret1"
    monkeypatch.setenv("HW_COMPAT_TOKEN", "secret2")
    assert dg.materialize([e], resources={"res": res}).output_for_node("e") == "secret2"


def test_env_var_missing_is_config_error(monkeypatch):
    monkeypatch.delenv("HW_COMPAT_MISSING", raising=False)

    class Tok(dg.ConfigurableResource):
        token: str

    @dg.asset
    def e(res: Tok):
        return res.token

    with pytest.raises(dg.DagsterInvalidConfigError, match="HW_COMPAT_MISSING"):
        dg.materialize([e], resources={"res": Tok(token=dg.EnvVar("HW_COMPAT_MISSING"))})


def test_env_var_int(monkeypatch):
    monkeypatch.setenv("HW_COMPAT_INT", "5")

    class Num(dg.ConfigurableResource):
        n: int

    @dg.asset
    def ii(res: Num):
        return res.n

    result = dg.materialize([ii], resources={"res": Num(n=dg.EnvVar.int("HW_COMPAT_INT"))})
    assert result.output_for_node("ii") == 5


def test_env_var_get_value(monkeypatch):
    monkeypatch.setenv("HW_COMPAT_GV", "v")
    monkeypatch.delenv("HW_COMPAT_GV_MISSING", raising=False)
    assert dg.EnvVar("HW_COMPAT_GV").get_value() == "v"
    assert dg.EnvVar("HW_COMPAT_GV_MISSING").get_value() is None
    assert dg.EnvVar("HW_COMPAT_GV_MISSING").get_value("dflt") == "dflt"
    assert dg.EnvVar("HW_COMPAT_GV").env_var_name == "HW_COMPAT_GV"


def test_env_var_str_raises():
    # Surprising: str(EnvVar(...)) refuses to resolve eagerly.
    with pytest.raises(RuntimeError):
        str(dg.EnvVar("HW_COMPAT_ANY"))


def test_plain_object_resource_via_required_resource_keys():
    class Plain:
        def hello(self):
            return "hi"

    @dg.asset(required_resource_keys={"plain"})
    def pl(context: dg.AssetExecutionContext):
        return context.resources.plain.hello()

    assert dg.materialize([pl], resources={"plain": Plain()}).output_for_node("pl") == "hi"


def test_plain_object_with_resource_param():
    class Plain:
        def hello(self):
            return "hi"

    @dg.asset
    def rp(plain: dg.ResourceParam[Plain]):
        return plain.hello()

    assert rp.required_resource_keys == {"plain", "io_manager"}
    assert dg.materialize([rp], resources={"plain": Plain()}).output_for_node("rp") == "hi"
    assert rp(Plain()) == "hi"


def test_plain_values_as_resources():
    @dg.asset(required_resource_keys={"num", "cfg"})
    def vals(context: dg.AssetExecutionContext):
        return (context.resources.num, context.resources.cfg["k"])

    result = dg.materialize([vals], resources={"num": 3, "cfg": {"k": "v"}})
    assert result.output_for_node("vals") == (3, "v")


def test_configurable_resource_via_context_resources():
    @dg.asset(required_resource_keys={"named"})
    def viactx(context: dg.AssetExecutionContext):
        return context.resources.named.describe()

    result = dg.materialize([viactx], resources={"named": NamedResource(name="c")})
    assert result.output_for_node("viactx") == "c:1"


def test_legacy_resource_decorator():
    @dg.resource
    def old_res(init_context):
        return {"k": 1}

    @dg.asset(required_resource_keys={"old"})
    def uo(context: dg.AssetExecutionContext):
        return context.resources.old["k"]

    assert dg.materialize([uo], resources={"old": old_res}).output_for_node("uo") == 1


def test_legacy_resource_with_config():
    @dg.resource(config_schema={"v": int})
    def old_res(init_context):
        return init_context.resource_config["v"]

    @dg.asset(required_resource_keys={"old"})
    def uo(context: dg.AssetExecutionContext):
        return context.resources.old

    result = dg.materialize([uo], resources={"old": old_res.configured({"v": 3})})
    assert result.output_for_node("uo") == 3


def test_resource_definition_hardcoded():
    @dg.asset(required_resource_keys={"h"})
    def uh(context: dg.AssetExecutionContext):
        return context.resources.h

    rd = dg.ResourceDefinition.hardcoded_resource("hard")
    assert dg.materialize([uh], resources={"h": rd}).output_for_node("uh") == "hard"


def test_with_resources():
    @dg.asset
    def uses(named: NamedResource):
        return named.describe()

    bound = dg.with_resources([uses], {"named": NamedResource(name="w")})
    assert dg.materialize(bound).output_for_node("uses") == "w:1"


def test_configure_at_launch():
    @dg.asset
    def uses(named: NamedResource):
        return named.describe()

    result = dg.materialize(
        [uses],
        resources={"named": NamedResource.configure_at_launch()},
        run_config={"resources": {"named": {"config": {"name": "launch", "x": 4}}}},
    )
    assert result.output_for_node("uses") == "launch:4"


def test_same_resource_instance_for_all_assets_in_run():
    seen = []

    @dg.asset(required_resource_keys={"obj"})
    def a(context: dg.AssetExecutionContext):
        seen.append(id(context.resources.obj))
        return 1

    @dg.asset(required_resource_keys={"obj"})
    def b(context: dg.AssetExecutionContext, a):
        seen.append(id(context.resources.obj))
        return 1

    obj = object()
    dg.materialize([a, b], resources={"obj": obj})
    assert seen == [id(obj), id(obj)]


def test_configurable_resource_is_generic_over_what_it_provides():
    class Warehouse(dg.ConfigurableResource[None]):
        name: str = "main"

    @dg.asset
    def uses_warehouse(warehouse: Warehouse) -> str:
        return warehouse.name

    result = dg.materialize([uses_warehouse], resources={"warehouse": Warehouse(name="w1")})
    assert result.output_for_node("uses_warehouse") == "w1"
