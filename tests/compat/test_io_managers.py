import importlib
import os
import pickle

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


class RecordingIOManager(dg.IOManager):
    def __init__(self):
        self.store = {}
        self.log = []

    def handle_output(self, context, obj):
        self.log.append(
            {
                "kind": "out",
                "asset_key": context.asset_key,
                "name": context.name,
                "step_key": context.step_key,
                "has_asset_key": context.has_asset_key,
                "metadata": dict(context.definition_metadata or {}),
                "run_id": context.run_id,
            }
        )
        self.store[tuple(context.asset_key.path)] = obj

    def load_input(self, context):
        self.log.append(
            {
                "kind": "in",
                "asset_key": context.asset_key,
                "name": context.name,
                "upstream_key": context.upstream_output.asset_key,
                "upstream_name": context.upstream_output.name,
                "metadata": dict(context.definition_metadata or {}),
                "upstream_metadata": dict(context.upstream_output.definition_metadata or {}),
            }
        )
        return self.store[tuple(context.asset_key.path)]


@dg.asset(metadata={"m": 1})
def up():
    return 1


@dg.asset(ins={"up": dg.AssetIn(metadata={"im": 2})})
def down(up):
    return up + 1


def test_custom_io_manager_stores_and_loads():
    io = RecordingIOManager()
    result = dg.materialize([up, down], resources={"io_manager": io})
    assert result.output_for_node("down") == 2
    assert io.store == {("up",): 1, ("down",): 2}
    assert [e["kind"] for e in io.log] == ["out", "in", "out"]


def test_output_context_fields():
    io = RecordingIOManager()
    result = dg.materialize([up, down], resources={"io_manager": io})
    out = io.log[0]
    assert out["asset_key"] == dg.AssetKey("up")
    assert out["name"] == "result"
    assert out["step_key"] == "up"
    assert out["has_asset_key"] is True
    assert out["metadata"] == {"m": 1}
    assert out["run_id"] == result.run_id


def test_input_context_fields():
    io = RecordingIOManager()
    dg.materialize([up, down], resources={"io_manager": io})
    inp = io.log[1]
    assert inp["asset_key"] == dg.AssetKey("up")
    assert inp["name"] == "up"
    assert inp["upstream_key"] == dg.AssetKey("up")
    assert inp["upstream_name"] == "result"
    # InputContext metadata is the AssetIn metadata; upstream_output carries the asset's.
    assert inp["metadata"] == {"im": 2}
    assert inp["upstream_metadata"] == {"m": 1}


def test_custom_io_manager_adds_no_path_metadata():
    io = RecordingIOManager()
    result = dg.materialize([up], resources={"io_manager": io})
    assert result.asset_materializations_for_node("up")[0].metadata == {}


def test_io_manager_add_output_metadata():
    class MetaIO(dg.IOManager):
        def handle_output(self, context, obj):
            context.add_output_metadata({"io_added": 1})

        def load_input(self, context):
            return None

    result = dg.materialize([up], resources={"io_manager": MetaIO()})
    md = result.asset_materializations_for_node("up")[0].metadata
    assert md == {"io_added": dg.MetadataValue.int(1)}


def test_dagster_type_on_contexts():
    seen = []

    class TypeIO(dg.IOManager):
        def handle_output(self, context, obj):
            seen.append(("out", context.dagster_type.display_name))

        def load_input(self, context):
            seen.append(("in", context.dagster_type.display_name))
            return 1

    @dg.asset
    def t1() -> int:
        return 1

    @dg.asset
    def t2(t1: int) -> int:
        return t1

    dg.materialize([t1, t2], resources={"io_manager": TypeIO()})
    assert seen == [("out", "Int"), ("in", "Int"), ("out", "Int")]


def test_configurable_io_manager():
    seen = []

    class PrefixIO(dg.ConfigurableIOManager):
        prefix: str

        def handle_output(self, context, obj):
            seen.append((self.prefix, context.asset_key))

        def load_input(self, context):
            return 10

    result = dg.materialize([up, down], resources={"io_manager": PrefixIO(prefix="p")})
    assert result.output_for_node("down") == 11
    assert seen == [("p", dg.AssetKey("up")), ("p", dg.AssetKey("down"))]


def test_io_manager_decorator():
    @dg.io_manager
    def my_io(init_context):
        return RecordingIOManager()

    result = dg.materialize([up, down], resources={"io_manager": my_io})
    assert result.output_for_node("down") == 2


def test_filesystem_io_manager_base_dir(tmp_path):
    result = dg.materialize(
        [up, down], resources={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))}
    )
    assert result.success
    assert sorted(os.listdir(tmp_path)) == ["down", "up"]
    with open(tmp_path / "up", "rb") as f:
        assert pickle.load(f) == 1
    md = result.asset_materializations_for_node("up")[0].metadata
    assert md["path"] == dg.MetadataValue.path(str(tmp_path / "up"))


def test_filesystem_io_manager_prefixed_key_nested_dirs(tmp_path):
    @dg.asset(key_prefix=["x", "y"])
    def pre():
        return 2

    dg.materialize([pre], resources={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))})
    with open(tmp_path / "x" / "y" / "pre", "rb") as f:
        assert pickle.load(f) == 2


def test_filesystem_io_manager_reload_across_runs(tmp_path):
    io = dg.FilesystemIOManager(base_dir=str(tmp_path))
    dg.materialize([up], resources={"io_manager": io})
    # Second run only materializes `down`; `up` is loaded from the files of the first run.
    result = dg.materialize([up, down], selection=[down], resources={"io_manager": io})
    assert result.output_for_node("down") == 2


def test_in_memory_io_manager():
    result = dg.materialize([up, down], resources={"io_manager": dg.InMemoryIOManager()})
    assert result.output_for_node("down") == 2
    assert result.asset_materializations_for_node("up")[0].metadata == {}


def test_mem_io_manager():
    result = dg.materialize([up, down], resources={"io_manager": dg.mem_io_manager})
    assert result.output_for_node("down") == 2


def test_io_manager_key_per_asset():
    special = RecordingIOManager()

    @dg.asset(io_manager_key="special")
    def sp():
        return 5

    @dg.asset
    def after_sp(sp):
        return sp

    result = dg.materialize([sp, after_sp], resources={"special": special})
    assert result.output_for_node("after_sp") == 5
    # `sp` was stored and loaded by "special"; `after_sp` used the default io_manager.
    assert special.store == {("sp",): 5}
    assert [e["kind"] for e in special.log] == ["out", "in"]


def test_missing_io_manager_key_is_definition_error():
    @dg.asset(io_manager_key="special_missing")
    def sp():
        return 5

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="special_missing"):
        dg.materialize([sp])


def test_load_input_failure_reraises_user_error():
    class FailLoad(dg.IOManager):
        def handle_output(self, context, obj):
            pass

        def load_input(self, context):
            raise KeyError("nope-load")

    with pytest.raises(KeyError):
        dg.materialize([up, down], resources={"io_manager": FailLoad()})


def test_load_input_failure_fails_downstream_step():
    class FailLoad(dg.IOManager):
        def handle_output(self, context, obj):
            pass

        def load_input(self, context):
            raise KeyError("nope-load")

    result = dg.materialize([up, down], resources={"io_manager": FailLoad()}, raise_on_error=False)
    assert result.get_failed_step_keys() == {"down"}
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("up")]


def test_handle_output_failure_means_no_materialization():
    class FailOut(dg.IOManager):
        def handle_output(self, context, obj):
            raise KeyError("nope-out")

        def load_input(self, context):
            return 1

    result = dg.materialize([up], resources={"io_manager": FailOut()}, raise_on_error=False)
    assert result.success is False
    types = [e.event_type_value for e in result.all_events]
    assert "ASSET_MATERIALIZATION" not in types
    assert "HANDLED_OUTPUT" not in types
    assert "STEP_FAILURE" in types


def test_materialization_emitted_after_handle_output():
    order = []

    class OrderIO(dg.IOManager):
        def handle_output(self, context, obj):
            order.append("handle_output")

        def load_input(self, context):
            return 1

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([up], resources={"io_manager": OrderIO()}, instance=instance)
    assert order == ["handle_output"]
    types = [e.event_type_value for e in result.all_events]
    assert (
        types.index("STEP_OUTPUT")
        < types.index("ASSET_MATERIALIZATION")
        < types.index("HANDLED_OUTPUT")
    )


def test_build_output_and_input_context():
    out_ctx = dg.build_output_context(asset_key=dg.AssetKey("z"))
    assert out_ctx.asset_key == dg.AssetKey("z")
    in_ctx = dg.build_input_context(asset_key=dg.AssetKey("z"), upstream_output=out_ctx)
    assert in_ctx.asset_key == dg.AssetKey("z")
    assert in_ctx.upstream_output.asset_key == dg.AssetKey("z")


def test_built_output_context_missing_name_raises():
    with pytest.raises(dg.DagsterInvariantViolationError):
        _ = dg.build_output_context(asset_key=dg.AssetKey("z")).name


def test_io_manager_unit_test_with_built_contexts():
    class KeyIO(dg.IOManager):
        def __init__(self):
            self.store = {}

        def handle_output(self, context, obj):
            self.store[tuple(context.asset_key.path)] = obj

        def load_input(self, context):
            return self.store[tuple(context.asset_key.path)]

    io = KeyIO()
    io.handle_output(dg.build_output_context(asset_key=dg.AssetKey(["p", "k"])), 42)
    assert io.load_input(dg.build_input_context(asset_key=dg.AssetKey(["p", "k"]))) == 42


def test_default_io_manager_pickles_outputs():
    # Surprising: the default IO manager pickles every output, so unpicklable values fail the step.
    import threading

    @dg.asset
    def unpicklable():
        return threading.Lock()

    result = dg.materialize([unpicklable], raise_on_error=False)
    assert result.success is False
    ok = dg.materialize([unpicklable], resources={"io_manager": dg.InMemoryIOManager()})
    assert ok.success
