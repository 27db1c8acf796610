import importlib
import os
import pathlib

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


def _runtime_metadata(metadata):
    """Materialize one asset that adds `metadata` at runtime; return the event metadata."""

    @dg.asset
    def md_asset(context: dg.AssetExecutionContext):
        context.add_output_metadata(metadata)
        return 1

    result = dg.materialize([md_asset])
    return result.asset_materializations_for_node("md_asset")[0].metadata


# --- MetadataValue constructors -------------------------------------------------------------


def test_text():
    v = dg.MetadataValue.text("hello")
    assert isinstance(v, dg.TextMetadataValue)
    assert isinstance(v, dg.MetadataValue)
    assert v.value == "hello"
    assert v.text == "hello"


def test_int():
    v = dg.MetadataValue.int(3)
    assert isinstance(v, dg.IntMetadataValue)
    assert v.value == 3


def test_float():
    v = dg.MetadataValue.float(1.5)
    assert isinstance(v, dg.FloatMetadataValue)
    assert v.value == 1.5


def test_bool():
    v = dg.MetadataValue.bool(True)
    assert isinstance(v, dg.BoolMetadataValue)
    assert v.value is True


def test_json():
    v = dg.MetadataValue.json({"a": [1, 2]})
    assert isinstance(v, dg.JsonMetadataValue)
    assert v.value == {"a": [1, 2]}
    assert v.data == {"a": [1, 2]}


def test_md():
    v = dg.MetadataValue.md("# Title")
    assert isinstance(v, dg.MarkdownMetadataValue)
    assert v.value == "# Title"
    assert v.md_str == "# Title"


def test_url():
    v = dg.MetadataValue.url("https://example.com")
    assert isinstance(v, dg.UrlMetadataValue)
    assert v.value == "https://example.com"
    assert v.url == "https://example.com"


def test_path_from_str_and_pathlib():
    v = dg.MetadataValue.path("/a/b")
    assert isinstance(v, dg.PathMetadataValue)
    assert v.value == "/a/b"
    assert dg.MetadataValue.path(pathlib.Path("/a/b")).path == "/a/b"


def test_null():
    v = dg.MetadataValue.null()
    assert isinstance(v, dg.NullMetadataValue)
    assert v.value is None


def test_timestamp():
    v = dg.MetadataValue.timestamp(1700000000.0)
    assert isinstance(v, dg.TimestampMetadataValue)
    assert v.value == 1700000000.0


def test_asset_metadata_value():
    v = dg.MetadataValue.asset(dg.AssetKey("x"))
    assert v.value == dg.AssetKey("x")


def test_equality_by_value():
    assert dg.MetadataValue.int(1) == dg.MetadataValue.int(1)
    assert dg.MetadataValue.text("a") != dg.MetadataValue.text("b")
    assert dg.MetadataValue.url("u") == dg.UrlMetadataValue("u")


def test_table_and_schema():
    schema = dg.TableSchema(
        columns=[dg.TableColumn("a", "int", description="the a"), dg.TableColumn("b")]
    )
    table = dg.MetadataValue.table(
        records=[dg.TableRecord({"a": 1, "b": "x"}), dg.TableRecord({"a": 2, "b": "y"})],
        schema=schema,
    )
    assert isinstance(table, dg.TableMetadataValue)
    assert [r.data for r in table.records] == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    assert [c.name for c in table.schema.columns] == ["a", "b"]
    assert table.schema.columns[0].type == "int"
    assert table.schema.columns[0].description == "the a"


def test_table_column_default_type_is_string():
    assert dg.TableColumn("a").type == "string"


def test_table_schema_metadata_value():
    v = dg.MetadataValue.table_schema(dg.TableSchema(columns=[dg.TableColumn("a", "int")]))
    assert isinstance(v, dg.TableSchemaMetadataValue)
    assert v.schema.columns[0].name == "a"


# --- Normalization of raw Python values on materialization events -----------------------


@pytest.mark.parametrize(
    "raw, cls, expected",
    [
        (1, "IntMetadataValue", 1),
        (1.5, "FloatMetadataValue", 1.5),
        ("x", "TextMetadataValue", "x"),
        (True, "BoolMetadataValue", True),
        (None, "NullMetadataValue", None),
        ({"k": [1]}, "JsonMetadataValue", {"k": [1]}),
        ([1, 2], "JsonMetadataValue", [1, 2]),
        (pathlib.Path("/tmp/x"), "PathMetadataValue", "/tmp/x"),
        (dg.AssetKey("z"), "DagsterAssetMetadataValue", dg.AssetKey("z")),
    ],
)
def test_raw_value_normalized(raw, cls, expected):
    md = _runtime_metadata({"v": raw})
    assert isinstance(md["v"], getattr(dg, cls))
    assert md["v"].value == expected


def test_bool_is_not_normalized_to_int():
    md = _runtime_metadata({"v": False})
    assert isinstance(md["v"], dg.BoolMetadataValue)
    assert not isinstance(md["v"], dg.IntMetadataValue)


def test_metadata_value_passes_through():
    md = _runtime_metadata(
        {"m": dg.MetadataValue.md("# hi"), "u": dg.MetadataValue.url("http://x")}
    )
    assert md["m"] == dg.MetadataValue.md("# hi")
    assert md["u"] == dg.MetadataValue.url("http://x")


def test_table_schema_raw_is_normalized():
    md = _runtime_metadata({"schema": dg.TableSchema(columns=[dg.TableColumn("a", "int")])})
    assert isinstance(md["schema"], dg.TableSchemaMetadataValue)


def test_unsupported_type_fails_the_run():
    class Opaque:
        pass

    @dg.asset
    def bad_md(context: dg.AssetExecutionContext):
        context.add_output_metadata({"x": Opaque()})
        return 1

    result = dg.materialize([bad_md], raise_on_error=False)
    assert result.success is False


def test_tuple_is_not_supported_metadata():
    # Surprising: lists are JSON metadata, tuples are rejected.
    @dg.asset
    def bad_md(context: dg.AssetExecutionContext):
        context.add_output_metadata({"x": (1, 2)})
        return 1

    assert dg.materialize([bad_md], raise_on_error=False).success is False


# --- Where metadata shows up ----------------------------------------------------------------


def test_default_io_manager_adds_path_metadata():
    md = _runtime_metadata({"n": 1})
    assert set(md) == {"n", "path"}
    assert isinstance(md["path"], dg.PathMetadataValue)
    assert md["path"].value.endswith("md_asset")


def test_definition_metadata_not_copied_to_materialization():
    # Surprising: @asset(metadata=...) is definition metadata only; it is not on events.
    @dg.asset(metadata={"owner_n": 3})
    def with_def_md():
        return 1

    result = dg.materialize([with_def_md])
    md = result.asset_materializations_for_node("with_def_md")[0].metadata
    assert "owner_n" not in md


def test_add_output_metadata_multiple_calls_merge():
    @dg.asset
    def two(context: dg.AssetExecutionContext):
        context.add_output_metadata({"k": 1})
        context.add_output_metadata({"j": 2})
        return 1

    md = dg.materialize([two]).asset_materializations_for_node("two")[0].metadata
    assert md["k"].value == 1
    assert md["j"].value == 2


def test_add_output_metadata_same_key_last_wins():
    @dg.asset
    def twice(context: dg.AssetExecutionContext):
        context.add_output_metadata({"k": 1})
        context.add_output_metadata({"k": 2})
        return 1

    md = dg.materialize([twice]).asset_materializations_for_node("twice")[0].metadata
    assert md["k"].value == 2


def test_output_metadata_and_add_output_metadata_merge():
    @dg.asset
    def both(context: dg.AssetExecutionContext):
        context.add_output_metadata({"k": 1})
        return dg.Output(1, metadata={"j": 2})

    md = dg.materialize([both]).asset_materializations_for_node("both")[0].metadata
    assert md["k"].value == 1
    assert md["j"].value == 2


def test_materialize_result_metadata_normalized():
    @dg.asset
    def mr():
        return dg.MaterializeResult(metadata={"rows": 10, "preview": dg.MetadataValue.md("|a|")})

    md = dg.materialize([mr]).asset_materializations_for_node("mr")[0].metadata
    assert md == {"rows": dg.MetadataValue.int(10), "preview": dg.MetadataValue.md("|a|")}


def test_materialize_result_fields():
    r = dg.MaterializeResult(asset_key="a", metadata={"a": 1}, tags={"t": "v"})
    assert r.asset_key == dg.AssetKey("a")
    assert r.metadata == {"a": 1}
    assert r.tags == {"t": "v"}


def test_metadata_in_instance_event_log():
    instance = dg.DagsterInstance.ephemeral()

    @dg.asset
    def logged():
        return dg.MaterializeResult(metadata={"rows": 7})

    dg.materialize([logged], instance=instance)
    entry = instance.get_latest_materialization_event(dg.AssetKey("logged"))
    assert entry.asset_materialization.metadata["rows"] == dg.MetadataValue.int(7)


def test_table_schema_constraints_survive_the_event_log():
    schema = dg.TableSchema(
        columns=[dg.TableColumn("id", "int", constraints=dg.TableColumnConstraints(
                     nullable=False, unique=True, other=["id > 0"])),
                 dg.TableColumn("name", "string", description="who")],
        constraints=dg.TableConstraints(other=["id, name is a key"]))
    assert schema.columns[1].constraints == dg.TableColumnConstraints()
    assert dg.TableColumnConstraints().nullable is True
    assert dg.TableColumnConstraints().unique is False

    @dg.asset
    def people():
        return dg.MaterializeResult(metadata={"dagster/column_schema": schema,
                                              "shape": dg.MetadataValue.table_schema(schema)})

    with dg.instance_for_test() as instance:
        assert dg.materialize([people], instance=instance).success
        event = instance.get_latest_materialization_event(dg.AssetKey("people"))
        stored = event.asset_materialization.metadata
        assert stored["dagster/column_schema"].schema == schema
        assert stored["shape"].schema.constraints.other == ["id, name is a key"]
        assert stored["shape"].schema.columns[0].constraints.other == ["id > 0"]
