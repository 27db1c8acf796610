"""``build_output_context`` / ``build_input_context`` keep every argument an IO manager's unit
test passes: the op, config, version, resources (read as attributes), partitions, metadata."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.op(name="dummy", tags={"k": "v"})
def dummy():
    return None


class Greeting(dg.ConfigurableResource):
    word: str = "hi"


PARTS = dg.StaticPartitionsDefinition(["a", "b", "c"])


def test_output_context_keeps_op_def_and_arguments():
    context = dg.build_output_context(
        op_def=dummy, name="result", config={"x": 1}, version="v1", resource_config={"r": 2},
        mapping_key="m", run_id="rid", step_key="s", definition_metadata={"m": 2},
        output_metadata={"o": 1})
    assert (context.op_def.name, context.op_def.tags) == ("dummy", {"k": "v"})
    assert context.config == {"x": 1}
    assert context.version == "v1"
    assert context.resource_config == {"r": 2}
    assert context.mapping_key == "m"
    assert (context.run_id, context.step_key, context.name) == ("rid", "s", "result")
    assert context.definition_metadata == {"m": 2}
    assert context.output_metadata == {"o": 1}
    assert context.get_logged_metadata() == {}
    context.add_output_metadata({"added": 1})
    assert list(context.get_logged_metadata()) == ["added"]


def test_input_context_keeps_op_def_and_arguments():
    context = dg.build_input_context(op_def=dummy, name="x", config={"c": 1},
                                     resource_config={"r": 1}, definition_metadata={"m": 1})
    assert (context.op_def.name, context.op_def.tags) == ("dummy", {"k": "v"})
    assert context.config == {"c": 1}
    assert context.resource_config == {"r": 1}
    assert context.definition_metadata == {"m": 1}
    assert context.name == "x"


def test_defaults_when_not_given():
    output = dg.build_output_context()
    assert (output.config, output.version, output.mapping_key) == (None, None, None)
    assert output.resource_config == {}
    assert dg.build_input_context().resource_config == {}
    assert dg.build_input_context().config is None


@pytest.mark.parametrize("build", [dg.build_output_context, dg.build_input_context])
def test_resources_read_as_attributes_and_definitions_built(build):
    context = build(resources={"plain": "bar", "greeting": Greeting(word="hello")})
    assert context.resources.plain == "bar"
    assert context.resources.greeting.word == "hello"


def test_input_context_instance():
    with pytest.raises(dg.DagsterInvariantViolationError):
        _ = dg.build_input_context().instance
    with dg.instance_for_test() as instance:
        assert dg.build_input_context(instance=instance).instance is instance


def test_output_context_partitions():
    context = dg.build_output_context(asset_key="k", asset_partitions_def=PARTS, partition_key="b")
    assert context.asset_partitions_def == PARTS
    assert context.has_asset_partitions
    assert (context.asset_partition_key, context.asset_partition_keys) == ("b", ["b"])
    ranged = dg.build_output_context(asset_key="k", asset_partitions_def=PARTS,
                                     asset_partition_key_range=dg.PartitionKeyRange("a", "b"))
    assert sorted(ranged.asset_partition_keys) == ["a", "b"]  # Dagster: order varies
    assert ranged.asset_partition_key_range == dg.PartitionKeyRange("a", "b")
    assert not ranged.has_partition_key


def test_output_context_asset_spec():
    spec = dg.AssetSpec("sp", group_name="g")
    assert dg.build_output_context(asset_spec=spec).asset_spec.group_name == "g"


def test_output_metadata_in_a_run_is_the_step_s_and_logged_metadata_is_the_manager_s():
    seen = {}

    class Manager(dg.IOManager):
        def handle_output(self, context, obj):
            seen["given"] = sorted(context.output_metadata)
            context.add_output_metadata({"added": 1})
            seen["after"] = sorted(context.output_metadata)
            seen["logged"] = sorted(context.get_logged_metadata())

        def load_input(self, context):
            return 1

    @dg.asset(io_manager_key="m")
    def a():
        return dg.Output(1, metadata={"yielded": 2})

    result = dg.materialize([a], resources={"m": Manager()})
    assert seen == {"given": ["yielded"], "after": ["yielded"], "logged": ["added"]}
    assert sorted(result.asset_materializations_for_node("a")[0].metadata) == ["added", "yielded"]
