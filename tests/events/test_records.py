"""``encode_entry``/``decode_entry``: every event kind Headwater stores survives the round trip."""

from __future__ import annotations

import logging
import math

import pytest

import headwater as dg
from headwater.definitions.metadata import (
    NotebookMetadataValue,
    PythonArtifactMetadataValue,
    RunMetadataValue,
)
from headwater.events import (
    AssetCheckEvaluation,
    Event,
    EventLogEntry,
    EventType,
    HandledOutputData,
    SerializableErrorInfo,
    StepFailureData,
    StepMaterializationData,
    StepOutputData,
    decode_entry,
    encode_entry,
)
from headwater.events.records import (
    AssetPlannedData,
    HookErroredData,
    LoadedInputData,
    StepInputData,
    StepOutputHandle,
    StepRetryData,
    TypeCheckData,
    UserFailureData,
)

MV = dg.MetadataValue
KEY = dg.AssetKey(["warehouse", "orders"])
SCHEMA = dg.TableSchema([dg.TableColumn("id", "int", "primary key"), dg.TableColumn("name")])

# One value of every MetadataValue kind, and the class it must come back as.
METADATA = {
    "text": (MV.text("hello"), dg.TextMetadataValue),
    "int": (MV.int(42), dg.IntMetadataValue),
    "float": (MV.float(1.5), dg.FloatMetadataValue),
    "bool": (MV.bool(False), dg.BoolMetadataValue),
    "json": (MV.json({"a": [1, 2, {"b": None}]}), dg.JsonMetadataValue),
    "md": (MV.md("# Title"), dg.MarkdownMetadataValue),
    "url": (MV.url("https://example.com/x"), dg.UrlMetadataValue),
    "path": (MV.path("/data/orders.parquet"), dg.PathMetadataValue),
    "notebook": (MV.notebook("/nb/explore.ipynb"), NotebookMetadataValue),
    "python_artifact": (MV.python_artifact(dg.asset), PythonArtifactMetadataValue),
    "timestamp": (MV.timestamp(1_700_000_000.25), dg.TimestampMetadataValue),
    "null": (MV.null(), dg.NullMetadataValue),
    "asset": (MV.asset(dg.AssetKey(["a", "b"])), dg.AssetMetadataValue),
    "table": (MV.table([dg.TableRecord({"id": 1, "name": "x"}),
                        dg.TableRecord({"id": 2, "name": "y"})], SCHEMA), dg.TableMetadataValue),
    "table_schema": (MV.table_schema(SCHEMA), dg.TableSchemaMetadataValue),
    "column_lineage": (MV.column_lineage({"id": [{"asset": "a", "column": "id"}]}),
                       dg.JsonMetadataValue),
    "dagster_run": (MV.dagster_run("run-1"), RunMetadataValue),
}


def round_trip(entry: EventLogEntry) -> EventLogEntry:
    row = encode_entry(entry)
    assert isinstance(row["body"], bytes)
    return decode_entry(row["run_id"], row["event_type"], row["step_key"], row["timestamp"],
                        row["body"])


def event_entry(event_type: EventType, data, *, step: str | None = "orders",
                message: str = "a message", level: int = logging.DEBUG) -> EventLogEntry:
    event = Event(event_type, "my_job", step, step, message, data)
    return EventLogEntry("run-1", 1234.5, level, "", step, "my_job", event)


def materialization(metadata) -> dg.AssetMaterialization:
    return dg.AssetMaterialization(KEY, description="nightly load",
                                   metadata=metadata, partition="2024-01-31",
                                   tags={"team": "data"})


def test_materialization_envelope_round_trips():
    entry = event_entry(EventType.ASSET_MATERIALIZATION,
                        StepMaterializationData(materialization({})))
    row = encode_entry(entry)
    assert row["asset_key"] == KEY.to_string() and row["partition"] == "2024-01-31"
    assert row["event_type"] == "ASSET_MATERIALIZATION" and row["step_key"] == "orders"
    back = round_trip(entry)
    assert (back.run_id, back.timestamp, back.level, back.step_key, back.job_name) == (
        "run-1", 1234.5, logging.DEBUG, "orders", "my_job")
    event = back.dagster_event
    assert event.event_type == EventType.ASSET_MATERIALIZATION
    assert (event.job_name, event.step_key, event.node_name, event.message) == (
        "my_job", "orders", "orders", "a message")
    m = event.materialization
    assert type(m) is dg.AssetMaterialization
    assert (m.asset_key, m.description, m.partition, m.tags) == (
        KEY, "nightly load", "2024-01-31", {"team": "data"})


@pytest.mark.parametrize("name", sorted(METADATA))
def test_every_metadata_kind_round_trips(name):
    value, cls = METADATA[name]
    entry = event_entry(EventType.ASSET_MATERIALIZATION,
                        StepMaterializationData(materialization({name: value})))
    back = round_trip(entry).dagster_event.materialization.metadata[name]
    assert type(back) is cls
    assert back == value
    if isinstance(value, dg.TableMetadataValue):
        assert back.schema == value.schema and back.records == value.records


def test_all_metadata_kinds_together_round_trip():
    metadata = {name: value for name, (value, _) in METADATA.items()}
    entry = event_entry(EventType.ASSET_MATERIALIZATION,
                        StepMaterializationData(materialization(metadata)))
    assert round_trip(entry).dagster_event.materialization.metadata == metadata


def test_raw_metadata_values_are_normalized_and_round_trip():
    raw = {"rows": 10, "ratio": 0.5, "ok": True, "note": "fine", "cols": ["a", "b"],
           "up": dg.AssetKey("up"), "none": None}
    entry = event_entry(EventType.ASSET_MATERIALIZATION,
                        StepMaterializationData(materialization(raw)))
    back = round_trip(entry).dagster_event.materialization.metadata
    assert {k: v.value for k, v in back.items()} == {**raw, "up": dg.AssetKey("up")}


def test_table_column_tags_round_trip():
    schema = dg.TableSchema([dg.TableColumn("id", "int", "pk", tags={"pii": "false"})])
    entry = event_entry(EventType.ASSET_MATERIALIZATION,
                        StepMaterializationData(materialization({"s": MV.table_schema(schema)})))
    back = round_trip(entry).dagster_event.materialization.metadata["s"]
    assert back.schema.columns[0].tags == {"pii": "false"}


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan], ids=["inf", "-inf", "nan"])
def test_non_finite_float_metadata_round_trips(value):
    entry = event_entry(EventType.ASSET_MATERIALIZATION,
                        StepMaterializationData(materialization({"f": MV.float(value)})))
    back = round_trip(entry).dagster_event.materialization.metadata["f"].value
    assert back is not None
    assert (math.isnan(back) and math.isnan(value)) or back == value


def test_observation_round_trips_as_an_observation():
    obs = dg.AssetObservation(KEY, metadata={"rows": 3}, partition="p1")
    back = round_trip(event_entry(EventType.ASSET_OBSERVATION, StepMaterializationData(obs)))
    event = back.dagster_event
    assert event.is_asset_observation and type(event.materialization) is dg.AssetObservation
    assert event.materialization.asset_key == KEY and event.partition == "p1"
    assert event.materialization.metadata == {"rows": dg.IntMetadataValue(3)}


@pytest.mark.parametrize("severity", list(dg.AssetCheckSeverity))
@pytest.mark.parametrize("passed", [True, False])
def test_check_evaluation_round_trips(severity, passed):
    evaluation = AssetCheckEvaluation(KEY, "no_nulls", passed,
                                      {"nulls": MV.int(0), "sample": MV.json([1, 2])},
                                      severity, "checked every row", None, True)
    back = round_trip(event_entry(EventType.ASSET_CHECK_EVALUATION, evaluation))
    assert back.dagster_event.event_specific_data == evaluation
    assert back.asset_check_evaluation == evaluation
    assert back.dagster_event.asset_key == KEY
    assert encode_entry(event_entry(EventType.ASSET_CHECK_EVALUATION, evaluation))[
        "asset_key"] == KEY.to_string()


def error_chain() -> SerializableErrorInfo:
    root = SerializableErrorInfo("KeyError: 'id'\n", ['  File "etl.py", line 3, in read\n'],
                                 "KeyError")
    middle = SerializableErrorInfo("ValueError: bad row\n", ['  File "etl.py", line 9, in load\n'],
                                   "ValueError", root)
    return SerializableErrorInfo('DagsterExecutionStepExecutionError: Error occurred while '
                                 'executing step "orders":\n', [],
                                 "DagsterExecutionStepExecutionError", middle)


def test_step_failure_with_cause_chain_round_trips():
    failure = StepFailureData(error_chain(), None, "USER_CODE_ERROR")
    back = round_trip(event_entry(EventType.STEP_FAILURE, failure, level=logging.ERROR))
    data = back.dagster_event.event_specific_data
    assert data == failure
    assert data.error.cause.cause.cls_name == "KeyError"
    assert data.error.to_string() == failure.error.to_string()
    assert back.dagster_event.is_step_failure and back.level == logging.ERROR


@pytest.mark.parametrize("event_type", [EventType.RUN_FAILURE, EventType.RESOURCE_INIT_FAILURE])
def test_run_level_failures_round_trip(event_type):
    failure = StepFailureData(error_chain(), None, "FRAMEWORK_ERROR")
    back = round_trip(event_entry(event_type, failure, step=None))
    assert back.dagster_event.event_specific_data == failure and back.step_key is None


def test_step_failure_with_context_chain_round_trips():
    context = SerializableErrorInfo("OSError: disk full\n", [], "OSError")
    error = SerializableErrorInfo("ValueError: v\n", [], "ValueError", None, context)
    failure = StepFailureData(error, None, "USER_CODE_ERROR")
    back = round_trip(event_entry(EventType.STEP_FAILURE, failure))
    assert back.dagster_event.event_specific_data.error.context == context


def test_log_entry_round_trips():
    error = SerializableErrorInfo("RuntimeError: x\n", ["  File a.py\n"], "RuntimeError")
    entry = EventLogEntry("run-1", 99.0, logging.WARNING, "disk almost full", "orders", "my_job",
                          None, error)
    row = encode_entry(entry)
    assert row["event_type"] == "LOG" and row["asset_key"] is None
    back = round_trip(entry)
    assert back.dagster_event is None and not back.is_dagster_event
    assert (back.run_id, back.timestamp, back.level, back.user_message, back.message,
            back.step_key, back.job_name) == (
        "run-1", 99.0, logging.WARNING, "disk almost full", "disk almost full", "orders", "my_job")
    assert back.error_info == error


@pytest.mark.parametrize(("event_type", "data"), [
    (EventType.STEP_OUTPUT, StepOutputData(StepOutputHandle("orders", "result"),
                                           {"rows": MV.int(1)}, TypeCheckData(True, "result"))),
    (EventType.HANDLED_OUTPUT, HandledOutputData("result", "io_manager", {"p": MV.path("/x")})),
    (EventType.LOADED_INPUT, LoadedInputData("upstream", "io_manager")),
    (EventType.STEP_INPUT, StepInputData("upstream", TypeCheckData(True, "upstream"))),
    (EventType.ASSET_MATERIALIZATION_PLANNED, AssetPlannedData(KEY, "2024-01-31")),
    (EventType.ASSET_CHECK_EVALUATION_PLANNED, AssetPlannedData(KEY, None, "no_nulls")),
    (EventType.STEP_START, None),
    (EventType.STEP_SUCCESS, None),
    (EventType.RUN_START, None),
    (EventType.RUN_SUCCESS, None),
])
def test_run_and_step_events_round_trip(event_type, data):
    step = None if event_type.value.startswith(("PIPELINE", "ASSET_")) else "orders"
    back = round_trip(event_entry(event_type, data, step=step))
    event = back.dagster_event
    assert event.event_type == event_type and event.step_key == step
    assert event.event_specific_data == data
    assert back.message == "a message"


def test_user_failure_data_round_trips():
    ufd = UserFailureData("intentional-failure", "bad thing", {"rows": MV.int(3)})
    failure = StepFailureData(error_chain(), ufd, "FRAMEWORK_ERROR")
    back = round_trip(event_entry(EventType.STEP_FAILURE, failure, level=logging.ERROR))
    assert back.dagster_event.event_specific_data == failure


def test_type_check_data_round_trips():
    check = TypeCheckData(False, "x", "rows checked", {"rows": MV.int(3)})
    output = StepOutputData(StepOutputHandle("orders", "result", "k"), {}, check)
    back = round_trip(event_entry(EventType.STEP_OUTPUT, output))
    assert back.dagster_event.event_specific_data == output
    step_input = StepInputData("x", check)
    back = round_trip(event_entry(EventType.STEP_INPUT, step_input))
    assert back.dagster_event.event_specific_data == step_input


def test_passed_type_check_without_details_is_not_stored():
    output = StepOutputData(StepOutputHandle("orders", "result"), {}, TypeCheckData(True, "result"))
    entry = event_entry(EventType.STEP_OUTPUT, output)
    assert b'"tc"' not in encode_entry(entry)["body"]
    assert round_trip(entry).dagster_event.event_specific_data == output


def test_step_retry_data_round_trips():
    retry = StepRetryData(error_chain(), 0.5)
    back = round_trip(event_entry(EventType.STEP_UP_FOR_RETRY, retry))
    assert back.dagster_event.event_specific_data == retry


def test_hook_errored_data_round_trips():
    errored = HookErroredData(error_chain())
    back = round_trip(event_entry(EventType.HOOK_ERRORED, errored))
    assert back.dagster_event.event_specific_data == errored
