"""Values move between steps through IO managers; storing failures name the asset and manager."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import headwater as dg


class RecordingIOManager(dg.IOManager):
    """Stores values in a dict and records every call; loads return value * 10."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.stored: dict[dg.AssetKey, object] = {}

    def handle_output(self, context, obj):
        self.calls.append(("handle_output", context.asset_key.to_user_string(), obj))
        self.stored[context.asset_key] = obj

    def load_input(self, context):
        upstream = context.upstream_output.asset_key
        self.calls.append(("load_input", context.asset_key.to_user_string(),
                           upstream.to_user_string()))
        return self.stored[context.asset_key] * 10


@dg.asset
def source():
    return 2


@dg.asset
def doubled(source):
    return source * 2


def test_upstream_value_is_loaded_through_the_io_manager():
    io = RecordingIOManager()
    result = dg.materialize([source, doubled], resources={"io_manager": io})
    assert result.success
    assert io.calls == [("handle_output", "source", 2), ("load_input", "source", "source"),
                        ("handle_output", "doubled", 40)]
    # the downstream got what load_input returned, not the in-process value
    assert result.output_for_node("doubled") == 40


def test_per_asset_io_manager_key_is_used_for_both_ends():
    lake, default = RecordingIOManager(), RecordingIOManager()

    @dg.asset(io_manager_key="lake")
    def raw():
        return 1

    @dg.asset
    def refined(raw):
        return raw + 1

    dg.materialize([raw, refined], resources={"lake": lake, "io_manager": default})
    assert [c[0] for c in lake.calls] == ["handle_output", "load_input"]
    assert default.calls == [("handle_output", "refined", 11)]


@pytest.mark.parametrize("make_value", [threading.Lock, lambda: (lambda: 1)],
                         ids=["lock", "lambda"])
def test_unpicklable_value_fails_the_step_naming_asset_and_io_manager(home, make_value):
    @dg.asset
    def fine():
        return 1

    @dg.asset
    def unpicklable(fine):
        return make_value()

    with dg.Instance.get() as instance:
        result = dg.materialize([fine, unpicklable], instance=instance, raise_on_error=False)
        assert not result.success
        assert result.is_node_success("fine") and result.is_node_failed("unpicklable")
        failure = result.failure_data_for_node("unpicklable")
        text = failure.error.to_string()
        assert "'unpicklable'" in text and "'io_manager'" in text
        assert instance.get_run_by_id(result.run_id).status == dg.RunStatus.FAILURE

        stored = instance.all_logs(result.run_id)
        stored_events = [(e.dagster_event_type.value, e.step_key, e.message)
                         for e in stored if e.dagster_event is not None
                         and not e.dagster_event_type.value.endswith("_PLANNED")]
        result_events = [(e.event_type_value, e.step_key, e.message) for e in result.all_events]
        assert stored_events == result_events
        assert stored_events[-2][0] == "STEP_FAILURE" and stored_events[-1][0] == "PIPELINE_FAILURE"
        stored_failure = next(e for e in stored if e.dagster_event_type == dg.EventType.STEP_FAILURE)
        assert "'io_manager'" in stored_failure.dagster_event.event_specific_data.error.to_string()
        # the upstream value was stored before the failure and is still there
        assert dg.Definitions(assets=[fine]).load_asset_value("fine", instance=instance) == 1


def test_materialize_to_memory_writes_no_files(tmp_path, monkeypatch):
    import tempfile

    home, tmp, cwd = tmp_path / "home", tmp_path / "tmp", tmp_path / "cwd"
    tmp.mkdir()
    cwd.mkdir()
    monkeypatch.setenv("HEADWATER_HOME", str(home))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.chdir(cwd)

    result = dg.materialize_to_memory([source, doubled])
    assert result.success and result.output_for_node("doubled") == 4
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []

    with dg.Instance.get() as instance:
        result = dg.materialize_to_memory([source, doubled], instance=instance)
        assert result.success
        storage = Path(instance.storage_directory())
        assert not storage.exists() or [p for p in storage.rglob("*")] == []
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all(p.parent == home / "history" for p in written)  # only the database


def test_materialize_stores_values_under_the_instance_storage_folder(home):
    with dg.Instance.get() as instance:
        dg.materialize([source, doubled], instance=instance)
        storage = Path(instance.storage_directory())
        assert sorted(p.name for p in storage.iterdir()) == ["doubled", "source"]
