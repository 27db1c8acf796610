import importlib
import os
from enum import Enum
from typing import Optional

import pydantic
import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


class CountConfig(dg.Config):
    count_field: int
    label_field: str = "default_label"
    maybe_field: Optional[int] = None
    list_field: list[int] = []


@dg.asset
def alpha_asset(config: CountConfig):
    return (config.count_field, config.label_field, config.maybe_field, config.list_field)


@dg.asset
def beta_asset(config: CountConfig):
    return config.count_field


def _value(result, name):
    return result.output_for_node(name)


def test_run_config_object():
    result = dg.materialize(
        [alpha_asset], run_config=dg.RunConfig(ops={"alpha_asset": CountConfig(count_field=3)})
    )
    assert _value(result, "alpha_asset") == (3, "default_label", None, [])


def test_dict_form():
    result = dg.materialize(
        [alpha_asset],
        run_config={"ops": {"alpha_asset": {"config": {"count_field": 4, "label_field": "x"}}}},
    )
    assert _value(result, "alpha_asset") == (4, "x", None, [])


def test_run_config_with_dict_value_needs_config_key():
    result = dg.materialize(
        [alpha_asset],
        run_config=dg.RunConfig(ops={"alpha_asset": {"config": {"count_field": 5}}}),
    )
    assert _value(result, "alpha_asset")[0] == 5


def test_run_config_dict_without_config_key_is_invalid():
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize(
            [alpha_asset], run_config=dg.RunConfig(ops={"alpha_asset": {"count_field": 5}})
        )


def test_optional_and_list_fields():
    result = dg.materialize(
        [alpha_asset],
        run_config={
            "ops": {
                "alpha_asset": {
                    "config": {"count_field": 1, "maybe_field": 2, "list_field": [1, 2]}
                }
            }
        },
    )
    assert _value(result, "alpha_asset") == (1, "default_label", 2, [1, 2])


def test_config_object_is_instance_of_class():
    seen = {}

    @dg.asset
    def cfg_asset(config: CountConfig):
        seen["config"] = config
        return 1

    dg.materialize([cfg_asset], run_config={"ops": {"cfg_asset": {"config": {"count_field": 1}}}})
    assert isinstance(seen["config"], CountConfig)
    assert seen["config"].count_field == 1


def test_all_defaults_needs_no_run_config():
    class Defaults(dg.Config):
        n: int = 2
        s: str = pydantic.Field(default="hi", description="a string")

    @dg.asset
    def defaulted(config: Defaults):
        return (config.n, config.s)

    assert _value(dg.materialize([defaulted]), "defaulted") == (2, "hi")


def test_missing_required_config():
    with pytest.raises(dg.DagsterInvalidConfigError) as exc:
        dg.materialize([alpha_asset])
    assert "count_field" in str(exc.value)


def test_wrong_type():
    with pytest.raises(dg.DagsterInvalidConfigError) as exc:
        dg.materialize(
            [alpha_asset], run_config={"ops": {"alpha_asset": {"config": {"count_field": "x"}}}}
        )
    assert "count_field" in str(exc.value)


def test_unexpected_field():
    with pytest.raises(dg.DagsterInvalidConfigError) as exc:
        dg.materialize(
            [alpha_asset],
            run_config={"ops": {"alpha_asset": {"config": {"count_field": 1, "zz_extra": 2}}}},
        )
    assert "zz_extra" in str(exc.value)


def test_unknown_op_in_run_config():
    with pytest.raises(dg.DagsterInvalidConfigError) as exc:
        dg.materialize(
            [alpha_asset],
            run_config={
                "ops": {"alpha_asset": {"config": {"count_field": 1}}, "nope_op": {"config": {}}}
            },
        )
    assert "nope_op" in str(exc.value)


def test_every_bad_path_reported():
    with pytest.raises(dg.DagsterInvalidConfigError) as exc:
        dg.materialize(
            [alpha_asset, beta_asset],
            run_config={
                "ops": {
                    "alpha_asset": {"config": {"count_field": "x"}},
                    "beta_asset": {"config": {"label_field": 1}},
                }
            },
        )
    err = exc.value
    # alpha: count_field wrong type; beta: count_field missing and label_field wrong type.
    assert len(err.errors) == 3
    text = str(err)
    for name in ("alpha_asset", "beta_asset", "count_field", "label_field"):
        assert name in text


def test_missing_for_two_assets_reports_both():
    with pytest.raises(dg.DagsterInvalidConfigError) as exc:
        dg.materialize([alpha_asset, beta_asset])
    assert "alpha_asset" in str(exc.value)
    assert "beta_asset" in str(exc.value)


def test_nested_config():
    class Outer(dg.Config):
        inner: CountConfig
        mode: str = "x"

    @dg.asset
    def nested(config: Outer):
        return config.inner.count_field

    result = dg.materialize(
        [nested], run_config=dg.RunConfig(ops={"nested": Outer(inner=CountConfig(count_field=9))})
    )
    assert _value(result, "nested") == 9
    result = dg.materialize(
        [nested], run_config={"ops": {"nested": {"config": {"inner": {"count_field": 8}}}}}
    )
    assert _value(result, "nested") == 8


def test_nested_config_bad_value():
    class Outer(dg.Config):
        inner: CountConfig

    @dg.asset
    def nested(config: Outer):
        return 1

    with pytest.raises(dg.DagsterInvalidConfigError) as exc:
        dg.materialize(
            [nested], run_config={"ops": {"nested": {"config": {"inner": {"count_field": "q"}}}}}
        )
    assert "count_field" in str(exc.value)


def test_prefixed_asset_config_uses_op_name():
    @dg.asset(key_prefix="pp")
    def pre(config: CountConfig):
        return config.count_field

    result = dg.materialize([pre], run_config={"ops": {"pp__pre": {"config": {"count_field": 1}}}})
    assert _value(result, "pp__pre") == 1


def test_enum_config():
    class Color(Enum):
        RED = "red"
        BLUE = "blue"

    class EnumConfig(dg.Config):
        color: Color = Color.RED

    @dg.asset
    def colored(config: EnumConfig):
        assert isinstance(config.color, Color)
        return config.color.value  # local Enum is not picklable by the default IO manager

    assert _value(dg.materialize([colored]), "colored") == "red"
    # Surprising: enums are selected by member NAME in run config, not by value.
    result = dg.materialize(
        [colored], run_config={"ops": {"colored": {"config": {"color": "BLUE"}}}}
    )
    assert _value(result, "colored") == "blue"
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([colored], run_config={"ops": {"colored": {"config": {"color": "GREEN"}}}})


def test_permissive_config_accepts_extra_fields():
    class Perm(dg.PermissiveConfig):
        a: int = 1

    @dg.asset
    def pm(config: Perm):
        return config.model_dump()

    result = dg.materialize([pm], run_config={"ops": {"pm": {"config": {"zz": 3}}}})
    assert _value(result, "pm") == {"a": 1, "zz": 3}


def test_legacy_config_schema():
    @dg.asset(config_schema={"x": int})
    def legacy(context):
        return context.op_execution_context.op_config["x"]

    result = dg.materialize([legacy], run_config={"ops": {"legacy": {"config": {"x": 2}}}})
    assert _value(result, "legacy") == 2


def test_config_construction_validation_error():
    with pytest.raises(pydantic.ValidationError):
        CountConfig(count_field="not an int")
    with pytest.raises(pydantic.ValidationError):
        CountConfig()


def test_config_construction_coerces_numeric_string():
    assert CountConfig(count_field="3").count_field == 3


def test_config_construction_ignores_extra_kwargs():
    # Surprising: unknown keyword arguments to a Config class are silently dropped.
    c = CountConfig(count_field=1, zz_extra=2)
    assert c.model_dump() == {
        "count_field": 1,
        "label_field": "default_label",
        "maybe_field": None,
        "list_field": [],
    }


def test_config_is_frozen():
    c = CountConfig(count_field=1)
    with pytest.raises(dg.DagsterInvalidInvocationError):
        c.count_field = 2


def test_run_config_ops_attribute():
    rc = dg.RunConfig(ops={"alpha_asset": CountConfig(count_field=1)})
    assert rc.ops == {"alpha_asset": CountConfig(count_field=1)}


def test_run_config_to_config_dict():
    rc = dg.RunConfig(ops={"alpha_asset": CountConfig(count_field=1)})
    d = rc.to_config_dict()
    assert d["ops"] == {
        "alpha_asset": {
            "config": {"count_field": 1, "label_field": "default_label", "list_field": []}
        }
    }


def test_run_config_resources():
    class Res(dg.ConfigurableResource):
        v: int

    @dg.asset
    def uses(res: Res):
        return res.v

    result = dg.materialize(
        [uses],
        resources={"res": Res.configure_at_launch()},
        run_config=dg.RunConfig(resources={"res": Res(v=11)}),
    )
    assert _value(result, "uses") == 11
