"""Factories for event log entries, built directly from headwater.events records."""

from __future__ import annotations

import logging
import time

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.metadata import MetadataValue, TableColumn, TableSchema
from headwater.definitions.results import AssetMaterialization, AssetObservation
from headwater.events import (
    AssetCheckEvaluation,
    Event,
    EventLogEntry,
    EventType,
    SerializableErrorInfo,
    StepFailureData,
    StepMaterializationData,
)

JOB = "__ASSET_JOB"


def entry(run_id: str, event_type: EventType, step_key: str | None = None, data: object = None,
          message: str | None = None, ts: float | None = None) -> EventLogEntry:
    event = Event(event_type, JOB, step_key, step_key, message, data)
    return EventLogEntry(run_id, time.time() if ts is None else ts, logging.DEBUG, "", step_key,
                         JOB, event)


def run_event(run_id: str, event_type: EventType) -> EventLogEntry:
    return entry(run_id, event_type, message=f"{event_type.value} for {run_id}")


def step_start(run_id: str, step: str) -> EventLogEntry:
    return entry(run_id, EventType.STEP_START, step, message=f"Started {step}")


def materialization(run_id: str, key: AssetKey | str, partition: str | None = None,
                    metadata: dict | None = None, ts: float | None = None) -> EventLogEntry:
    key = key if isinstance(key, AssetKey) else AssetKey(key)
    mat = AssetMaterialization(key, metadata=metadata or {}, partition=partition)
    return entry(run_id, EventType.ASSET_MATERIALIZATION, key.to_python_identifier(),
                 StepMaterializationData(mat), ts=ts)


def observation(run_id: str, key: AssetKey) -> EventLogEntry:
    return entry(run_id, EventType.ASSET_OBSERVATION, None,
                 StepMaterializationData(AssetObservation(key, metadata={"n": 1})))


def check_evaluation(run_id: str, key: AssetKey, name: str, passed: bool) -> EventLogEntry:
    return entry(run_id, EventType.ASSET_CHECK_EVALUATION, key.to_python_identifier(),
                 AssetCheckEvaluation(key, name, passed, {"rows": MetadataValue.int(3)}))


def step_failure(run_id: str, step: str) -> EventLogEntry:
    error = SerializableErrorInfo("ValueError: boom\n", ['  File "x.py", line 1, in f\n'],
                                  "ValueError",
                                  cause=SerializableErrorInfo("KeyError: 'k'\n", [], "KeyError"))
    return entry(run_id, EventType.STEP_FAILURE, step, StepFailureData(error))


def user_log(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(run_id, time.time(), logging.INFO, message, "my_step", JOB, None)


RICH_METADATA = {
    "text": MetadataValue.text("hello"),
    "int": MetadataValue.int(42),
    "float": MetadataValue.float(1.5),
    "bool": MetadataValue.bool(True),
    "json": MetadataValue.json({"a": [1, 2, {"b": None}]}),
    "md": MetadataValue.md("# Title"),
    "url": MetadataValue.url("https://example.com"),
    "path": MetadataValue.path("/tmp/x.csv"),
    "null": MetadataValue.null(),
    "asset": MetadataValue.asset(AssetKey(["raw", "orders"])),
    "schema": MetadataValue.table_schema(TableSchema([TableColumn("id", "int")])),
    "raw_int": 7,
}
