import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


def test_bare_decorator_key_from_function_name():
    @dg.asset
    def my_asset():
        return 1

    assert my_asset.key == dg.AssetKey("my_asset")
    assert my_asset.keys == {dg.AssetKey("my_asset")}
    assert isinstance(my_asset, dg.AssetsDefinition)


def test_decorator_with_empty_parens():
    @dg.asset()
    def my_asset():
        return 1

    assert my_asset.key == dg.AssetKey("my_asset")


def test_name_argument_overrides_function_name():
    @dg.asset(name="other")
    def my_asset():
        return 1

    assert my_asset.key == dg.AssetKey("other")


def test_key_argument_list():
    @dg.asset(key=["a", "b"])
    def my_asset():
        return 1

    assert my_asset.key == dg.AssetKey(["a", "b"])


def test_key_argument_string():
    @dg.asset(key="k")
    def my_asset():
        return 1

    assert my_asset.key == dg.AssetKey("k")


def test_key_prefix_string_and_list():
    @dg.asset(key_prefix="p")
    def a1():
        return 1

    @dg.asset(key_prefix=["p", "q"])
    def a2():
        return 1

    assert a1.key == dg.AssetKey(["p", "a1"])
    assert a2.key == dg.AssetKey(["p", "q", "a2"])


def test_key_with_name_is_error():
    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.asset(key="k", name="n")
        def my_asset():
            return 1


def test_key_with_key_prefix_is_error():
    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.asset(key="k", key_prefix="p")
        def my_asset():
            return 1


def test_invalid_name_is_error():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="a b"):

        @dg.asset(name="a b")
        def my_asset():
            return 1


def test_dependency_from_parameter_name():
    @dg.asset
    def up():
        return 1

    @dg.asset
    def down(up):
        return up + 1

    assert set(down.dependency_keys) == {dg.AssetKey("up")}
    assert set(up.dependency_keys) == set()
    assert down.asset_deps == {dg.AssetKey("down"): {dg.AssetKey("up")}}


def test_asset_in_key():
    @dg.asset(ins={"x": dg.AssetIn(key=dg.AssetKey(["p", "up"]))})
    def down(x):
        return x

    assert set(down.dependency_keys) == {dg.AssetKey(["p", "up"])}


def test_asset_in_key_as_string_and_list():
    @dg.asset(ins={"x": dg.AssetIn("up"), "y": dg.AssetIn(["p", "q"])})
    def down(x, y):
        return x

    assert set(down.dependency_keys) == {dg.AssetKey("up"), dg.AssetKey(["p", "q"])}


def test_asset_in_key_prefix_uses_param_name():
    @dg.asset(ins={"up": dg.AssetIn(key_prefix=["p", "q"])})
    def down(up):
        return up

    assert set(down.dependency_keys) == {dg.AssetKey(["p", "q", "up"])}


def test_key_prefix_not_applied_to_inferred_inputs():
    # The asset's own key_prefix does NOT apply to inputs inferred from parameter names.
    @dg.asset(key_prefix="p")
    def down(up):
        return up

    assert down.key == dg.AssetKey(["p", "down"])
    assert set(down.dependency_keys) == {dg.AssetKey("up")}


def test_deps_accept_many_forms():
    @dg.asset
    def a():
        return 1

    @dg.asset(deps=[a, "ext", ["x", "y"], dg.AssetKey("z"), dg.AssetDep("w"), dg.AssetSpec("spec")])
    def down():
        return 1

    assert set(down.dependency_keys) == {
        dg.AssetKey("a"),
        dg.AssetKey("ext"),
        dg.AssetKey(["x", "y"]),
        dg.AssetKey("z"),
        dg.AssetKey("w"),
        dg.AssetKey("spec"),
    }


def test_deps_appear_on_spec_as_asset_dep():
    @dg.asset(deps=["up"])
    def down():
        return 1

    spec = down.get_asset_spec()
    assert [d.asset_key for d in spec.deps] == [dg.AssetKey("up")]
    assert all(isinstance(d, dg.AssetDep) for d in spec.deps)


def test_deps_and_ins_combined():
    @dg.asset(deps=["a"], ins={"b": dg.AssetIn("b")})
    def down(b):
        return b

    assert set(down.dependency_keys) == {dg.AssetKey("a"), dg.AssetKey("b")}


def test_group_name_default_is_default():
    @dg.asset
    def a():
        return 1

    assert a.get_asset_spec().group_name == "default"
    assert a.group_names_by_key == {dg.AssetKey("a"): "default"}


def test_group_name_set():
    @dg.asset(group_name="marts")
    def a():
        return 1

    assert a.get_asset_spec().group_name == "marts"
    assert a.group_names_by_key[dg.AssetKey("a")] == "marts"


def test_invalid_group_name():
    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.asset(group_name="a b")
        def a():
            return 1


def test_description_from_docstring():
    @dg.asset
    def a():
        """Doc string here."""
        return 1

    assert a.get_asset_spec().description == "Doc string here."
    assert a.descriptions_by_key == {dg.AssetKey("a"): "Doc string here."}


def test_description_argument_wins_over_docstring():
    @dg.asset(description="explicit")
    def a():
        """Doc string."""
        return 1

    assert a.get_asset_spec().description == "explicit"


def test_no_description():
    @dg.asset
    def a():
        return 1

    assert a.get_asset_spec().description is None
    # Surprising: keys without a description are absent, not mapped to None.
    assert a.descriptions_by_key == {}


def test_definition_metadata_kept_raw_on_spec():
    # Definition-time metadata on the spec is NOT normalized to MetadataValue objects.
    @dg.asset(metadata={"n": 1, "s": "x", "url": dg.MetadataValue.url("http://x")})
    def a():
        return 1

    md = a.get_asset_spec().metadata
    assert md["n"] == 1
    assert md["s"] == "x"
    assert md["url"] == dg.MetadataValue.url("http://x")


def test_tags():
    @dg.asset(tags={"team": "data", "tier": "gold"})
    def a():
        return 1

    assert a.get_asset_spec().tags == {"team": "data", "tier": "gold"}


def test_kinds_become_tags():
    @dg.asset(kinds={"python", "duckdb"}, tags={"t": "v"})
    def a():
        return 1

    spec = a.get_asset_spec()
    assert spec.kinds == {"python", "duckdb"}
    assert spec.tags == {"t": "v", "dagster/kind/python": "", "dagster/kind/duckdb": ""}


def test_invalid_tag_key():
    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.asset(tags={"a b": "c"})
        def a():
            return 1


def test_invalid_tag_value():
    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.asset(tags={"a": "c d"})
        def a():
            return 1


def test_non_string_tag_value():
    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.asset(tags={"a": 1})
        def a():
            return 1


def test_owners():
    @dg.asset(owners=["me@example.com", "team:data"])
    def a():
        return 1

    assert list(a.get_asset_spec().owners) == ["me@example.com", "team:data"]


def test_invalid_owner():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="notanemail"):

        @dg.asset(owners=["notanemail"])
        def a():
            return 1


def test_code_version():
    @dg.asset(code_version="v1")
    def a():
        return 1

    @dg.asset
    def b():
        return 1

    assert a.get_asset_spec().code_version == "v1"
    assert b.get_asset_spec().code_version is None


def test_required_resource_keys_from_param_and_arg():
    @dg.asset(required_resource_keys={"foo"})
    def a(context):
        return 1

    # Surprising: the default "io_manager" key is always included.
    assert a.required_resource_keys == {"foo", "io_manager"}


def test_io_manager_key_becomes_required_resource():
    @dg.asset(io_manager_key="my_io")
    def a():
        return 1

    assert "my_io" in a.required_resource_keys


def test_can_subset_false_for_single_asset():
    @dg.asset
    def a():
        return 1

    assert a.can_subset is False


def test_op_name_for_prefixed_asset():
    @dg.asset(key_prefix=["p", "q"])
    def a():
        return 1

    assert a.op.name == "p__q__a"


def test_asset_spec_fields():
    spec = dg.AssetSpec(
        "s",
        deps=["u"],
        description="d",
        metadata={"m": 1},
        group_name="g",
        tags={"t": "v"},
        owners=["team:x"],
        kinds={"python"},
        code_version="1",
    )
    assert spec.key == dg.AssetKey("s")
    assert [d.asset_key for d in spec.deps] == [dg.AssetKey("u")]
    assert spec.description == "d"
    assert spec.metadata == {"m": 1}
    assert spec.group_name == "g"
    assert spec.tags == {"t": "v", "dagster/kind/python": ""}
    assert spec.kinds == {"python"}
    assert list(spec.owners) == ["team:x"]
    assert spec.code_version == "1"


def test_asset_spec_replace_attributes_and_merge():
    spec = dg.AssetSpec("s", tags={"a": "1"}, metadata={"x": 1})
    replaced = spec.replace_attributes(group_name="g2", description="new")
    assert replaced.group_name == "g2"
    assert replaced.description == "new"
    assert replaced.key == spec.key
    merged = spec.merge_attributes(tags={"b": "2"}, metadata={"y": 2})
    assert merged.tags == {"a": "1", "b": "2"}
    assert merged.metadata == {"x": 1, "y": 2}


def test_asset_spec_default_group_none():
    # Surprising: a bare AssetSpec has group_name None, while @asset defaults to "default".
    assert dg.AssetSpec("s").group_name is None


def test_asset_spec_materialize_is_external_and_no_op():
    spec = dg.AssetSpec("ext")

    @dg.asset(deps=[spec])
    def down():
        return 2

    result = dg.materialize([spec, down])
    assert result.success
    keys = [e.asset_key for e in result.get_asset_materialization_events()]
    assert keys == [dg.AssetKey("down")]


def test_decorator_parameters_are_dagsters():
    import inspect

    assert set(inspect.signature(dg.asset).parameters) == {
        "compute_fn", "name", "key_prefix", "ins", "deps", "metadata", "tags", "description",
        "config_schema", "required_resource_keys", "resource_defs", "hooks", "io_manager_def",
        "io_manager_key", "dagster_type", "partitions_def", "op_tags", "group_name",
        "output_required", "automation_condition", "freshness_policy", "backfill_policy",
        "retry_policy", "code_version", "key", "check_specs", "owners", "kinds", "pool",
        "is_virtual", "kwargs"}
    assert set(inspect.signature(dg.multi_asset).parameters) == {
        "outs", "name", "ins", "deps", "description", "config_schema", "required_resource_keys",
        "internal_asset_deps", "partitions_def", "hooks", "backfill_policy", "op_tags",
        "can_subset", "resource_defs", "group_name", "retry_policy", "code_version", "specs",
        "check_specs", "pool", "kwargs"}


def test_older_keywords_still_work_and_unknown_ones_are_refused():
    @dg.asset(non_argument_deps={"upstream_table"})
    def legacy_deps():
        return None

    assert [d.asset_key for d in legacy_deps.specs_by_key[dg.AssetKey("legacy_deps")].deps] == [
        dg.AssetKey("upstream_table")]
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        dg.asset(colour="red")
