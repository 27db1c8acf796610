"""The legacy config schema (``config_schema=`` with ``Field``, ``Shape``, ``Selector``...) as
Dagster 1.13 documents and behaves: values checked, defaults filled in, ``{"env": NAME}`` read,
in runs and when a definition is called directly."""

import enum
import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


def _op_config(schema, config=None, *, omit=False):
    """Run a one-op job whose op returns its config; the op's value."""

    @dg.op(config_schema=schema)
    def load_rows(context):
        return context.op_config

    @dg.job
    def rows_job():
        load_rows()

    run_config = {} if omit else {"ops": {"load_rows": {"config": config}}}
    return rows_job.execute_in_process(run_config=run_config).output_for_node("load_rows")


def _direct(schema, config=None):
    """Call an op directly with ``build_op_context(config=...)``; its config as it saw it."""

    @dg.op(config_schema=schema)
    def called_op(context):
        return context.op_config

    return called_op(dg.build_op_context(config=config))


# ------------------------------------------------------------------ shapes, fields, defaults


def test_field_defaults_are_filled_in():
    schema = {"row_count": dg.Field(int, default_value=3), "name": str}
    assert _op_config(schema, {"name": "x"}) == {"row_count": 3, "name": "x"}
    assert _op_config(schema, {"name": "x", "row_count": 5}) == {"row_count": 5, "name": "x"}


def test_config_with_only_optional_fields_may_be_left_out():
    assert _op_config({"row_count": dg.Field(int, default_value=3)}, omit=True) == {"row_count": 3}
    nested = {"inner": {"depth": dg.Field(int, default_value=1)},
              "maybe": dg.Field(int, is_required=False)}
    assert _op_config(nested, omit=True) == {"inner": {"depth": 1}}


def test_missing_required_field_is_an_invalid_config_error_naming_op_and_field():
    with pytest.raises(dg.DagsterInvalidConfigError) as info:
        _op_config({"row_count": int}, {})
    assert "row_count" in str(info.value) and "load_rows" in str(info.value)


def test_missing_config_for_a_required_schema_is_an_error():
    with pytest.raises(dg.DagsterInvalidConfigError, match="load_rows"):
        _op_config({"row_count": int}, omit=True)


def test_wrong_type_is_an_error_and_every_bad_path_is_reported():
    with pytest.raises(dg.DagsterInvalidConfigError) as info:
        _op_config({"row_count": int}, {"row_count": "many"})
    assert "row_count" in str(info.value) and "load_rows" in str(info.value)
    with pytest.raises(dg.DagsterInvalidConfigError) as info:
        _op_config({"a": int, "b": str}, {"a": "x", "b": 1})
    assert len(info.value.errors) == 2


def test_unknown_key_is_an_error():
    with pytest.raises(dg.DagsterInvalidConfigError, match="surplus"):
        _op_config({"a": int}, {"a": 1, "surplus": 2})


def test_shape():
    schema = dg.Shape({"a": int, "b": dg.Field(str, default_value="d", description="a b")})
    assert _op_config(schema, {"a": 1}) == {"a": 1, "b": "d"}
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config(schema, {"a": 1, "c": 2})


def test_permissive_keeps_extra_keys_and_still_checks_its_fields():
    schema = dg.Permissive({"a": int})
    assert _op_config(schema, {"a": 1, "z": [2]}) == {"a": 1, "z": [2]}
    with pytest.raises(dg.DagsterInvalidConfigError, match="a"):
        _op_config(schema, {"z": 2})
    assert _op_config(dg.Permissive(), omit=True) == {}


def test_selector_takes_exactly_one_field():
    schema = dg.Selector({"csv": {"path": str}, "table": str})
    assert _op_config(schema, {"table": "t"}) == {"table": "t"}
    assert _op_config(schema, {"csv": {"path": "p"}}) == {"csv": {"path": "p"}}
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config(schema, {"csv": {"path": "p"}, "table": "t"})
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config(schema, {})
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config(schema, {"parquet": "x"})


def test_selector_of_one_optional_field_defaults_to_it():
    assert _op_config(dg.Selector({"x": dg.Field(int, default_value=5)}), {}) == {"x": 5}


def test_noneable():
    assert _op_config({"a": dg.Noneable(int)}, {"a": None}) == {"a": None}
    assert _op_config({"a": dg.Noneable(int)}, {}) == {"a": None}
    assert _op_config({"a": dg.Noneable(int)}, {"a": 2}) == {"a": 2}
    assert _op_config({"a": dg.Field(dg.Noneable(int), default_value=3)}, {}) == {"a": 3}
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config({"a": dg.Noneable(int)}, {"a": "x"})


def test_array_and_list_shorthand():
    assert _op_config({"a": dg.Array(int)}, {"a": [1, 2]}) == {"a": [1, 2]}
    assert _op_config([int], [1, 2]) == [1, 2]
    with pytest.raises(dg.DagsterInvalidConfigError, match=r"a\[1\]"):
        _op_config({"a": dg.Array(int)}, {"a": [1, "x"]})
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config({"a": [int]}, {"a": 3})


def test_map():
    assert _op_config(dg.Map(str, int), {"a": 1, "b": 2}) == {"a": 1, "b": 2}
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config(dg.Map(str, int), {"a": "x"})


class Shade(enum.Enum):
    LIGHT = 1
    DARK = 2


def test_enum_values_map_to_their_python_values():
    color = dg.Enum("Color", [dg.EnumValue("RED"), dg.EnumValue("GREEN", python_value=2)])
    assert _op_config(color, "GREEN") == 2
    assert _op_config(color, "RED") == "RED"
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config(color, "BLUE")

    assert _op_config({"s": dg.Enum.from_python_enum(Shade)}, {"s": "DARK"}) == {"s": Shade.DARK}
    with_default = {"s": dg.Field(dg.Enum.from_python_enum(Shade), default_value="LIGHT")}
    assert _op_config(with_default, {}) == {"s": Shade.LIGHT}


def test_plain_python_types():
    assert _op_config(str, "hi") == "hi"
    assert _op_config(int, 3) == 3
    assert _op_config(float, 3) == 3.0
    assert _op_config(bool, True) is True
    assert _op_config(dict, {"a": 1}) == {"a": 1}
    assert _op_config(list, [1, "a"]) == [1, "a"]
    assert _op_config(dg.Any, {"q": [1]}) == {"q": [1]}
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config(str, 1)
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config(int, True)  # a bool is not an Int


def test_any_is_still_required():
    with pytest.raises(dg.DagsterInvalidConfigError):
        _direct({"a": dg.Any}, {})


# ------------------------------------------------------------------ environment sources


def test_string_int_bool_source_read_the_environment(monkeypatch):
    monkeypatch.setenv("HW_LEGACY_HOST", "db.example")
    monkeypatch.setenv("HW_LEGACY_PORT", "5433")
    monkeypatch.setenv("HW_LEGACY_SSL", "false")
    schema = {"host": dg.StringSource, "port": dg.IntSource, "ssl": dg.BoolSource}
    config = {"host": {"env": "HW_LEGACY_HOST"}, "port": {"env": "HW_LEGACY_PORT"},
              "ssl": {"env": "HW_LEGACY_SSL"}}
    assert _op_config(schema, config) == {"host": "db.example", "port": 5433, "ssl": False}
    assert _op_config(schema, {"host": "h", "port": 1, "ssl": True}) == {
        "host": "h", "port": 1, "ssl": True}


def test_source_errors(monkeypatch):
    monkeypatch.delenv("HW_LEGACY_UNSET", raising=False)
    monkeypatch.setenv("HW_LEGACY_WORD", "word")
    with pytest.raises(dg.DagsterInvalidConfigError, match="HW_LEGACY_UNSET"):
        _op_config({"host": dg.StringSource}, {"host": {"env": "HW_LEGACY_UNSET"}})
    with pytest.raises(dg.DagsterInvalidConfigError, match="HW_LEGACY_WORD"):
        _op_config({"port": dg.IntSource}, {"port": {"env": "HW_LEGACY_WORD"}})
    with pytest.raises(dg.DagsterInvalidConfigError):
        _op_config({"host": dg.StringSource}, {"host": 3})


# ------------------------------------------------------------------ assets, resources, direct calls


@dg.asset(config_schema={"n": dg.Field(int, default_value=2)})
def sized_asset(context):
    return context.op_config["n"]


def test_asset_config_schema_through_materialize():
    assert dg.materialize([sized_asset]).output_for_node("sized_asset") == 2
    run_config = {"ops": {"sized_asset": {"config": {"n": 5}}}}
    assert dg.materialize([sized_asset], run_config=run_config).output_for_node("sized_asset") == 5
    with pytest.raises(dg.DagsterInvalidConfigError, match="sized_asset"):
        dg.materialize([sized_asset], run_config={"ops": {"sized_asset": {"config": {"n": "x"}}}})


def test_multi_asset_config_schema():
    @dg.multi_asset(outs={"m1": dg.AssetOut(), "m2": dg.AssetOut()}, config_schema={"k": int})
    def pair(context):
        return context.op_config["k"], context.op_config["k"] + 1

    result = dg.materialize([pair], run_config={"ops": {"pair": {"config": {"k": 1}}}})
    assert result.output_for_node("pair", "m2") == 2


@dg.resource(config_schema={"url": dg.StringSource,
                            "port": dg.Field(dg.IntSource, default_value=5432)})
def connection(init_context):
    return dict(init_context.resource_config)


@dg.asset(required_resource_keys={"conn"})
def uses_conn(context):
    return context.resources.conn


def test_resource_config_is_checked_with_defaults_and_env(monkeypatch):
    monkeypatch.setenv("HW_LEGACY_URL", "postgres://x")
    run_config = {"resources": {"conn": {"config": {"url": {"env": "HW_LEGACY_URL"}}}}}
    result = dg.materialize([uses_conn], resources={"conn": connection}, run_config=run_config)
    assert result.output_for_node("uses_conn") == {"url": "postgres://x", "port": 5432}


def test_resource_config_errors_name_the_resource():
    with pytest.raises(dg.DagsterInvalidConfigError, match="conn"):
        dg.materialize([uses_conn], resources={"conn": connection})
    with pytest.raises(dg.DagsterInvalidConfigError) as info:
        dg.materialize([uses_conn], resources={"conn": connection},
                       run_config={"resources": {"conn": {"config": {"url": 3}}}})
    assert "conn" in str(info.value) and "url" in str(info.value)


def test_configured_resource_gets_its_defaults():
    result = dg.materialize([uses_conn], resources={"conn": connection.configured({"url": "c"})})
    assert result.output_for_node("uses_conn") == {"url": "c", "port": 5432}


def test_io_manager_config_schema():
    @dg.io_manager(config_schema={"prefix": str})
    def prefixed(init_context):
        prefix = init_context.resource_config["prefix"]

        class Manager(dg.IOManager):
            def handle_output(self, context, obj):
                stored[context.asset_key.path[-1]] = f"{prefix}{obj}"

            def load_input(self, context):
                raise NotImplementedError

        return Manager()

    stored = {}
    run_config = {"resources": {"io_manager": {"config": {"prefix": "p-"}}}}
    assert dg.materialize([sized_asset], resources={"io_manager": prefixed},
                          run_config=run_config).success
    assert stored == {"sized_asset": "p-2"}
    with pytest.raises(dg.DagsterInvalidConfigError, match="io_manager"):
        dg.materialize([sized_asset], resources={"io_manager": prefixed})


def test_direct_invocation_checks_config_and_fills_defaults(monkeypatch):
    schema = {"a": int, "b": dg.Field(str, default_value="d")}
    assert _direct(schema, {"a": 1}) == {"a": 1, "b": "d"}
    with pytest.raises(dg.DagsterInvalidConfigError, match="a"):
        _direct(schema, {"a": "x"})
    with pytest.raises(dg.DagsterInvalidConfigError):
        _direct(schema)
    monkeypatch.setenv("HW_LEGACY_S", "from-env")
    assert _direct({"s": dg.StringSource}, {"s": {"env": "HW_LEGACY_S"}}) == {"s": "from-env"}
    assert _direct(dg.Field(int, default_value=4)) == 4
    assert _direct(dg.Noneable(int)) is None


def test_direct_invocation_with_op_config_and_asset_context():
    @dg.op(config_schema={"a": int})
    def direct_op(context):
        return context.op_config

    assert direct_op(dg.build_op_context(op_config={"a": 1})) == {"a": 1}
    assert sized_asset(dg.build_asset_context(asset_config={"n": 7})) == 7
    assert sized_asset(dg.build_asset_context()) == 2


def test_resource_called_directly_with_init_context():
    assert connection(dg.build_init_resource_context(config={"url": "u"})) == {
        "url": "u", "port": 5432}
    with pytest.raises(dg.DagsterInvalidConfigError, match="url"):
        connection(dg.build_init_resource_context(config={"url": 3}))


# ------------------------------------------------------------------ the schema objects


def test_field_attributes():
    field = dg.Field(int, default_value=3, description="how many")
    assert (field.default_value, field.is_required, field.description) == (3, False, "how many")
    assert field.default_provided
    required = dg.Field(int)
    assert required.is_required and not required.default_provided
    assert dg.Field(dg.Noneable(int)).is_required is False
    assert dg.Field({"a": dg.Field(int, default_value=1)}).is_required is False
    assert set(dg.Shape({"a": int}).fields) == {"a"}
    assert set(dg.Selector({"a": int, "b": str}).fields) == {"a", "b"}


def test_bad_default_value_is_refused():
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.Field(int, default_value="x")
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.Field(str, default_value=None)


def test_bad_schema_is_refused_where_it_is_written():
    with pytest.raises(dg.DagsterInvalidConfigDefinitionError):

        @dg.op(config_schema={"a": 3})
        def bad_op():
            pass

    with pytest.raises(dg.DagsterInvalidConfigDefinitionError):

        @dg.resource(config_schema={"a": "x"})
        def bad_resource(_):
            pass

    with pytest.raises(dg.DagsterInvalidConfigDefinitionError):
        dg.Shape({"a": 3})


def test_asset_check_config_schema():
    @dg.asset
    def tbl():
        return 1

    @dg.asset_check(asset=tbl, config_schema={"limit": dg.Field(int, default_value=5)})
    def tbl_ok(context):
        limit = context.op_execution_context.op_config["limit"]
        return dg.AssetCheckResult(passed=True, metadata={"limit": limit})

    def limits(result):
        return [e.metadata["limit"].value for e in result.get_asset_check_evaluations()]

    run_config = {"ops": {"tbl_tbl_ok": {"config": {"limit": 9}}}}
    assert limits(dg.materialize([tbl, tbl_ok], run_config=run_config)) == [9]
    assert limits(dg.materialize([tbl, tbl_ok])) == [5]
    with pytest.raises(dg.DagsterInvalidConfigError, match="limit"):
        dg.materialize([tbl, tbl_ok], run_config={"ops": {"tbl_tbl_ok": {"config": {"limit": "x"}}}})
    assert tbl_ok(dg.build_op_context(config={"limit": 2})).metadata["limit"].value == 2


def test_multi_asset_check_config_schema():
    @dg.asset
    def tbl():
        return 1

    @dg.multi_asset_check(specs=[dg.AssetCheckSpec("positive", asset=tbl)],
                          config_schema={"floor": dg.Field(int, default_value=0)})
    def tbl_checks(context):
        floor = context.op_execution_context.op_config["floor"]
        yield dg.AssetCheckResult(asset_key="tbl", check_name="positive", passed=1 > floor,
                                  metadata={"floor": floor})

    def floors(result):
        return [e.metadata["floor"].value for e in result.get_asset_check_evaluations()]

    assert floors(dg.materialize([tbl, tbl_checks])) == [0]
    assert floors(dg.materialize([tbl, tbl_checks],
                                 run_config={"ops": {"tbl_checks": {"config": {"floor": 3}}}})) == [3]
