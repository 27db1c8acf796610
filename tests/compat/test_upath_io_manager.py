"""``UPathIOManager``: custom file-per-asset IO managers written on Dagster's base class.

Paths are ``upath.UPath`` where universal-pathlib is installed (always with Dagster), else
``pathlib.Path`` (Headwater without the optional package); the tests compare them as strings.
"""

import importlib
import os
import pathlib
import pickle

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

try:
    from upath import UPath as P
except ImportError:  # Headwater without universal-pathlib: plain paths
    P = pathlib.Path


class PickleIO(dg.UPathIOManager):
    extension = ".pkl"

    def __init__(self, base_path=None):
        super().__init__(base_path=base_path)
        self.dumped = []
        self.loaded = []

    def dump_to_path(self, context, obj, path):
        assert isinstance(path, pathlib.Path)
        assert path.parent.is_dir()  # the folder is made before the dump
        self.dumped.append(str(path))
        with path.open("wb") as f:
            pickle.dump(obj, f)

    def load_from_path(self, context, path):
        self.loaded.append(str(path))
        with path.open("rb") as f:
            return pickle.load(f)


class BareIO(PickleIO):
    extension = None


class MetadataIO(PickleIO):
    def get_metadata(self, context, obj):
        return {"rows": len(obj), "kind": "list"}


def files_under(base):
    return sorted(str(p.relative_to(base)) for p in pathlib.Path(base).rglob("*") if p.is_file())


def mats(result):
    return {e.asset_key: e.step_materialization_data.materialization.metadata
            for e in result.get_asset_materialization_events()}


@dg.asset(key_prefix=["pre"])
def a():
    return 1


@dg.asset(ins={"a": dg.AssetIn(key=["pre", "a"])})
def b(a):
    return a + 1


def test_asset_file_is_base_key_path_and_extension(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    result = dg.materialize([a, b], resources={"io_manager": io})
    assert result.success
    assert files_under(tmp_path) == ["b.pkl", "pre/a.pkl"]
    assert io.loaded == [str(tmp_path / "pre" / "a.pkl")]
    assert result.output_for_node("b") == 2
    assert mats(result)[dg.AssetKey(["pre", "a"])]["path"] == dg.MetadataValue.path(
        str(tmp_path / "pre" / "a.pkl"))


def test_no_extension(tmp_path):
    dg.materialize([a, b], resources={"io_manager": BareIO(base_path=P(tmp_path))})
    assert files_under(tmp_path) == ["b", "pre/a"]


def test_extension_must_have_its_dot():
    class NoDot(PickleIO):
        extension = "pkl"

    with pytest.raises(Exception):  # noqa: B017 - Dagster asserts, Headwater names the fix
        NoDot(base_path=P("."))


def test_get_metadata_is_added_after_path(tmp_path):
    @dg.asset
    def rows():
        return [1, 2, 3]

    result = dg.materialize([rows], resources={"io_manager": MetadataIO(base_path=P(tmp_path))})
    metadata = mats(result)[dg.AssetKey("rows")]
    assert list(metadata) == ["path", "rows", "kind"]
    assert metadata["rows"].value == 3
    assert metadata["kind"].value == "list"
    assert metadata["path"].value == str(tmp_path / "rows.pkl")


def test_default_base_path_is_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    @dg.asset
    def plain():
        return 3

    result = dg.materialize([plain], resources={"io_manager": PickleIO()})
    assert files_under(tmp_path) == ["plain.pkl"]
    assert mats(result)[dg.AssetKey("plain")]["path"].value == "plain.pkl"


def test_asset_returning_none_annotation_writes_nothing(tmp_path):
    @dg.asset
    def side_effect() -> None:
        return None

    io = PickleIO(base_path=P(tmp_path))
    dg.materialize([side_effect], resources={"io_manager": io})
    assert files_under(tmp_path) == []


def test_op_outputs_live_under_run_id_step_and_output_name(tmp_path):
    io = PickleIO(base_path=P(tmp_path))

    @dg.io_manager
    def files(_init_context):
        return io

    @dg.op
    def make():
        return 3

    @dg.op
    def use(x):
        return x * 2

    @dg.job(resource_defs={"io_manager": files})
    def pipeline():
        use(make())

    result = pipeline.execute_in_process()
    assert result.output_for_node("use") == 6
    run = result.run_id
    assert files_under(tmp_path) == [f"{run}/make/result.pkl", f"{run}/use/result.pkl"]
    assert io.loaded == [str(tmp_path / run / "make" / "result.pkl")]


static = dg.StaticPartitionsDefinition(["x", "v1.5", "z/w"])


@dg.asset(partitions_def=static)
def part(context):
    return context.partition_key.upper()


@dg.asset(ins={"part": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())})
def every(part):
    return part


@dg.asset(ins={"part": dg.AssetIn(partition_mapping=dg.AllPartitionMapping(),
                                  metadata={"allow_missing_partitions": True})})
def every_present(part):
    return part


@dg.asset(partitions_def=static, ins={"part": dg.AssetIn(metadata={"allow_missing_partitions": True})})
def same(part):
    return part


def materialize_parts(io, keys=("x", "v1.5", "z/w")):
    for key in keys:
        dg.materialize([part], resources={"io_manager": io}, partition_key=key)


def test_one_file_per_partition_under_the_asset_folder(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    materialize_parts(io)
    # the extension is appended (a key's own dot stays); a "/" in a key nests a folder
    assert files_under(tmp_path) == ["part/v1.5.pkl", "part/x.pkl", "part/z/w.pkl"]


def test_partition_metadata_path(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    result = dg.materialize([part], resources={"io_manager": io}, partition_key="x")
    assert mats(result)[dg.AssetKey("part")]["path"].value == str(tmp_path / "part" / "x.pkl")


def test_loading_several_partitions_gives_a_dict(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    materialize_parts(io)
    result = dg.materialize([part, every], resources={"io_manager": io}, selection=[every])
    assert result.output_for_node("every") == {"x": "X", "v1.5": "V1.5", "z/w": "Z/W"}


def test_missing_partition_fails_the_load(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    materialize_parts(io, keys=("x", "z/w"))
    result = dg.materialize([part, every], resources={"io_manager": io}, selection=[every],
                            raise_on_error=False)
    assert not result.success


def test_missing_partitions_skipped_when_the_input_allows_it(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    materialize_parts(io, keys=("x", "z/w"))
    result = dg.materialize([part, every_present], resources={"io_manager": io},
                            selection=[every_present])
    assert result.output_for_node("every_present") == {"x": "X", "z/w": "Z/W"}
    assert io.loaded == [str(tmp_path / "part" / k) for k in ("x.pkl", "v1.5.pkl", "z/w.pkl")]


def test_same_partition_downstream_reads_one_value(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    materialize_parts(io, keys=("x",))
    result = dg.materialize([part, same], resources={"io_manager": io}, selection=[same],
                            partition_key="x")
    assert result.output_for_node("same") == "X"
    assert files_under(tmp_path) == ["part/x.pkl", "same/x.pkl"]


def test_one_missing_partition_allowed_loads_none(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    result = dg.materialize([part, same], resources={"io_manager": io}, selection=[same],
                            partition_key="v1.5")
    assert result.output_for_node("same") is None


multi = dg.MultiPartitionsDefinition({
    "date": dg.StaticPartitionsDefinition(["2024-01-01", "2024-01-02"]),
    "color": dg.StaticPartitionsDefinition(["red", "blue"]),
})


@dg.asset(partitions_def=multi)
def painted(context):
    return str(context.partition_key)


@dg.asset(ins={"painted": dg.AssetIn(partition_mapping=dg.AllPartitionMapping(),
                                     metadata={"allow_missing_partitions": True})})
def palette(painted):
    return painted


def test_multi_partitions_nest_dimension_values_in_name_order(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    for key in ("red|2024-01-01", "blue|2024-01-02"):
        dg.materialize([painted], resources={"io_manager": io}, partition_key=key)
    assert files_under(tmp_path) == ["painted/blue/2024-01-02.pkl", "painted/red/2024-01-01.pkl"]
    result = dg.materialize([painted, palette], resources={"io_manager": io}, selection=[palette])
    got = result.output_for_node("palette")
    assert {str(k): v for k, v in got.items()} == {
        "red|2024-01-01": "red|2024-01-01", "blue|2024-01-02": "blue|2024-01-02"}


def test_daily_partition_files(tmp_path):
    daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05")

    @dg.asset(partitions_def=daily)
    def events(context):
        return context.partition_key

    @dg.asset(partitions_def=daily)
    def events_copy(events):
        return events

    io = PickleIO(base_path=P(tmp_path))
    result = dg.materialize([events, events_copy], resources={"io_manager": io},
                            partition_key="2024-01-02")
    assert result.output_for_node("events_copy") == "2024-01-02"
    assert files_under(tmp_path) == ["events/2024-01-02.pkl", "events_copy/2024-01-02.pkl"]


def test_overridden_path_hooks_are_used(tmp_path):
    made = []

    class Hive(PickleIO):
        def get_path_for_partition(self, context, path, partition):
            return path / f"key={partition}"

        def make_directory(self, path):
            made.append(str(path))
            super().make_directory(path)

    io = Hive(base_path=P(tmp_path))
    materialize_parts(io, keys=("x",))
    assert files_under(tmp_path) == ["part/key=x.pkl"]
    assert made == [str(tmp_path / "part")]


def test_configurable_factory_builds_the_manager(tmp_path):
    class PickleFiles(dg.ConfigurableIOManagerFactory):
        base_dir: str

        def create_io_manager(self, context) -> PickleIO:
            return PickleIO(base_path=P(self.base_dir))

    class TypedPickleFiles(dg.ConfigurableIOManagerFactory[PickleIO]):
        base_dir: str

        def create_io_manager(self, context) -> PickleIO:
            return PickleIO(base_path=P(self.base_dir))

    for factory, folder in ((PickleFiles, "one"), (TypedPickleFiles, "two")):
        defs = dg.Definitions(assets=[a, b],
                              resources={"io_manager": factory(base_dir=str(tmp_path / folder))})
        assert defs.get_implicit_global_asset_job_def().execute_in_process().success
    assert files_under(tmp_path) == ["one/b.pkl", "one/pre/a.pkl", "two/b.pkl", "two/pre/a.pkl"]


def test_direct_calls_with_built_contexts(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    out = dg.build_output_context(asset_key=dg.AssetKey(["x", "y"]))
    assert str(io.get_asset_relative_path(out)) == "x/y"
    assert str(io.get_path_for_partition(out, P("/b/x/y"), "k")) == "/b/x/y/k"
    io.handle_output(out, 42)
    assert files_under(tmp_path) == ["x/y.pkl"]
    assert io.load_input(dg.build_input_context(asset_key=dg.AssetKey(["x", "y"]))) == 42
    assert io.load_input(dg.build_input_context(asset_key=dg.AssetKey(["x", "y"]),
                                                upstream_output=out)) == 42
    op_out = dg.build_output_context(step_key="s", name="out", run_id="r")
    assert str(io.get_op_output_relative_path(op_out)) == "r/s/out"


def test_storage_hooks_and_log_messages(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    folder = P(tmp_path) / "d" / "e"
    io.make_directory(folder)
    assert io.path_exists(folder)
    (pathlib.Path(tmp_path) / "f").write_text("x")
    assert io.path_exists(P(tmp_path) / "f")
    io.unlink(P(tmp_path) / "f")
    assert not io.path_exists(P(tmp_path) / "f")
    path = P(tmp_path) / "g.pkl"
    assert io.get_writing_output_log_message(path) == f"Writing file at: {path} using PickleIO..."
    assert io.get_loading_input_log_message(path) == f"Loading file from: {path} using PickleIO..."


def test_get_metadata_default_is_empty(tmp_path):
    io = PickleIO(base_path=P(tmp_path))
    assert io.get_metadata(dg.build_output_context(asset_key=dg.AssetKey("x")), 1) == {}


def test_input_dagster_type_keeps_the_annotation_arguments(tmp_path):
    """IO managers pick how to read from the input's annotation, container arguments included
    (``dict[str, LazyFrame]`` for a fan-in of scans)."""
    import typing

    seen = {}

    class Recording(PickleIO):
        def load_from_path(self, context, path):
            seen[context.name] = typing.get_args(context.dagster_type.typing_type)
            return super().load_from_path(context, path)

    @dg.asset(ins={"part": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())})
    def typed(part: dict[str, str]) -> int:
        return len(part)

    io = Recording(base_path=P(tmp_path))
    materialize_parts(io)
    dg.materialize([part, typed], resources={"io_manager": io}, selection=[typed])
    assert seen == {"part": (str, str)}
