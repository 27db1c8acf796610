"""Assets as op inputs inside a graph: an ``AssetSpec`` or ``@asset`` given to an op in a
``@graph``/``@job`` is loaded through the asset's IO manager (as kedro-dagster's job builder
does)."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


class RecordingIO(dg.IOManager):
    """Loads 41 for every input and records what each load was told."""

    def __init__(self):
        self.seen = []

    def handle_output(self, context, obj):
        pass

    def load_input(self, context):
        up = context.upstream_output
        self.seen.append({
            "name": context.name,
            "asset_key": context.asset_key if context.has_asset_key else None,
            "up_name": up.name,
            "up_key": up.asset_key if up.has_asset_key else None,
            "up_metadata": dict(up.definition_metadata),
            "up_spec_key": up.asset_spec.key if up.has_asset_key else None,
        })
        return 41


@dg.op
def add_one(x):
    return x + 1


def _loaded_by(result):
    return [e.message for e in result.all_events if e.event_type_value == "LOADED_INPUT"]


def test_asset_spec_input_uses_the_spec_io_manager():
    spec = dg.AssetSpec(["raw", "numbers"], metadata={"m": 1}).with_io_manager_key("const_io")
    const_io, default_io = RecordingIO(), RecordingIO()

    @dg.graph
    def g():
        add_one(spec)

    result = g.to_job(resource_defs={"const_io": const_io, "io_manager": default_io}) \
        .execute_in_process()
    assert result.success
    assert result.output_for_node("add_one") == 42
    assert _loaded_by(result) == ['Loaded input "x" using input manager "const_io"']
    (seen,) = const_io.seen
    assert seen == {
        "name": "x",
        "asset_key": dg.AssetKey(["raw", "numbers"]),
        "up_name": "numbers",
        "up_key": dg.AssetKey(["raw", "numbers"]),
        "up_metadata": {"m": 1, "dagster/io_manager_key": "const_io"},
        "up_spec_key": dg.AssetKey(["raw", "numbers"]),
    }
    assert default_io.seen == []


def test_asset_spec_without_io_manager_key_uses_the_jobs_io_manager():
    io = RecordingIO()

    @dg.job(resource_defs={"io_manager": io})
    def j():
        add_one(add_one(dg.AssetSpec("plain")))

    result = j.execute_in_process()
    assert result.success
    # the second op reads the first op's output through the same IO manager (which returns 41)
    assert result.output_for_node("add_one_2") == 42
    assert [(s["asset_key"], s["up_name"]) for s in io.seen] == [
        (dg.AssetKey("plain"), "plain"), (None, "result")]


def test_input_manager_key_on_the_op_input_wins():
    @dg.op(ins={"x": dg.In(input_manager_key="other")})
    def takes(x):
        return x

    other = RecordingIO()

    @dg.job(resource_defs={"io_manager": RecordingIO(), "other": other})
    def j():
        takes(dg.AssetSpec("s").with_io_manager_key("io_manager"))

    result = j.execute_in_process()
    assert _loaded_by(result) == ['Loaded input "x" using input manager "other"']
    assert other.seen[0]["asset_key"] == dg.AssetKey("s")


def test_asset_definition_input_reads_the_materialized_value(tmp_path):
    @dg.asset(metadata={"k": 2})
    def upstream():
        return 41

    @dg.graph
    def g():
        add_one(upstream)

    io = dg.FilesystemIOManager(base_dir=str(tmp_path))
    with dg.instance_for_test() as instance:
        assert dg.materialize([upstream], instance=instance,
                              resources={"io_manager": io}).success
        result = g.to_job(resource_defs={"io_manager": io}).execute_in_process(
            instance=instance)
    assert result.success
    assert result.output_for_node("add_one") == 42


def test_asset_definition_input_uses_the_assets_io_manager_key():
    @dg.asset(io_manager_key="const_io", metadata={"k": 2})
    def upstream() -> int:
        return 41

    const_io = RecordingIO()

    @dg.job(resource_defs={"const_io": const_io})
    def j():
        add_one(upstream)

    result = j.execute_in_process()
    assert result.output_for_node("add_one") == 42
    (seen,) = const_io.seen
    assert (seen["asset_key"], seen["up_name"], seen["up_metadata"]) == (
        dg.AssetKey("upstream"), "upstream", {"k": 2})


def test_asset_input_io_manager_must_be_provided():
    @dg.job
    def j():
        add_one(dg.AssetSpec("s").with_io_manager_key("missing"))

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="missing"):
        j.execute_in_process()
