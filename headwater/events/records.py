"""Event records: what happened in a run, as plain typed objects, and their compact encoding.

Encoding is a small JSON document per event (orjson), with the columns the instance indexes
(run id, type, step, asset key, partition, time) kept outside the body.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import orjson

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.metadata import MetadataValue, metadata_from_json, metadata_to_json
from headwater.definitions.results import AssetCheckSeverity, AssetMaterialization, AssetObservation
from headwater.events.errors import SerializableErrorInfo


class EventType(str, enum.Enum):
    """Kinds of events; the values are the strings Dagster's event log uses."""

    RUN_ENQUEUED = "PIPELINE_ENQUEUED"
    RUN_STARTING = "PIPELINE_STARTING"
    RUN_START = "PIPELINE_START"
    RUN_SUCCESS = "PIPELINE_SUCCESS"
    RUN_FAILURE = "PIPELINE_FAILURE"
    RUN_CANCELING = "PIPELINE_CANCELING"
    RUN_CANCELED = "PIPELINE_CANCELED"
    STEP_START = "STEP_START"
    STEP_OUTPUT = "STEP_OUTPUT"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_SKIPPED = "STEP_SKIPPED"
    STEP_UP_FOR_RETRY = "STEP_UP_FOR_RETRY"
    STEP_RESTARTED = "STEP_RESTARTED"
    HANDLED_OUTPUT = "HANDLED_OUTPUT"
    LOADED_INPUT = "LOADED_INPUT"
    STEP_INPUT = "STEP_INPUT"
    RESOURCE_INIT_STARTED = "RESOURCE_INIT_STARTED"
    RESOURCE_INIT_SUCCESS = "RESOURCE_INIT_SUCCESS"
    RESOURCE_INIT_FAILURE = "RESOURCE_INIT_FAILURE"
    ASSET_MATERIALIZATION = "ASSET_MATERIALIZATION"
    ASSET_MATERIALIZATION_PLANNED = "ASSET_MATERIALIZATION_PLANNED"
    ASSET_CHECK_EVALUATION_PLANNED = "ASSET_CHECK_EVALUATION_PLANNED"
    ASSET_OBSERVATION = "ASSET_OBSERVATION"
    ASSET_CHECK_EVALUATION = "ASSET_CHECK_EVALUATION"
    ENGINE_EVENT = "ENGINE_EVENT"
    LOGS_CAPTURED = "LOGS_CAPTURED"
    HOOK_COMPLETED = "HOOK_COMPLETED"
    HOOK_ERRORED = "HOOK_ERRORED"
    HOOK_SKIPPED = "HOOK_SKIPPED"

    def __str__(self) -> str:
        return self.value


_STEP_EVENTS = frozenset({EventType.STEP_START, EventType.STEP_OUTPUT, EventType.STEP_SUCCESS,
                          EventType.STEP_FAILURE, EventType.STEP_SKIPPED, EventType.HANDLED_OUTPUT,
                          EventType.LOADED_INPUT, EventType.STEP_INPUT,
                          EventType.ASSET_MATERIALIZATION,
                          EventType.ASSET_CHECK_EVALUATION, EventType.STEP_UP_FOR_RETRY,
                          EventType.STEP_RESTARTED, EventType.ASSET_OBSERVATION})


@dataclass(frozen=True)
class StepMaterializationData:
    materialization: AssetMaterialization


@dataclass(frozen=True)
class StepOutputHandle:
    step_key: str
    output_name: str = "result"
    mapping_key: str | None = None


@dataclass(frozen=True)
class TypeCheckData:
    """The outcome of an input's or output's type check, as recorded on its event."""

    success: bool
    label: str
    description: str | None = None
    metadata: dict[str, MetadataValue] = field(default_factory=dict)


@dataclass(frozen=True)
class StepOutputData:
    step_output_handle: StepOutputHandle
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    type_check_data: TypeCheckData | None = None

    @property
    def output_name(self) -> str:
        return self.step_output_handle.output_name


@dataclass(frozen=True)
class HandledOutputData:
    output_name: str
    manager_key: str
    metadata: dict[str, MetadataValue] = field(default_factory=dict)


@dataclass(frozen=True)
class AssetPlannedData:
    """A run plans to materialize an asset (or evaluate a check on it, when check_name is set)."""

    asset_key: AssetKey
    partition: str | None = None
    check_name: str | None = None


@dataclass(frozen=True)
class LoadedInputData:
    input_name: str
    manager_key: str


@dataclass(frozen=True)
class StepInputData:
    input_name: str
    type_check_data: TypeCheckData | None = None


@dataclass(frozen=True)
class UserFailureData:
    """What a ``Failure`` raised by user code said: its description and metadata."""

    label: str
    description: str | None = None
    metadata: dict[str, MetadataValue] = field(default_factory=dict)


@dataclass(frozen=True)
class StepFailureData:
    error: SerializableErrorInfo | None
    user_failure_data: UserFailureData | None = None
    error_source: str = "USER_CODE_ERROR"


@dataclass(frozen=True)
class StepRetryData:
    """A failed attempt that will be retried: its error, and the wait before the retry."""

    error: SerializableErrorInfo | None
    seconds_to_wait: float | None = None


@dataclass(frozen=True)
class HookErroredData:
    """A hook raised: its error (the step's outcome stands)."""

    error: SerializableErrorInfo | None


@dataclass(frozen=True)
class EngineEventData:
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    error: SerializableErrorInfo | None = None


@dataclass(frozen=True)
class AssetCheckEvaluation:
    asset_key: AssetKey
    check_name: str
    passed: bool
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
    description: str | None = None
    target_materialization_data: Any = None
    blocking: bool = False
    partition: str | None = None  # the partition its run materialized, if one

    @property
    def asset_check_key(self):
        from headwater.definitions.results import AssetCheckKey

        return AssetCheckKey(self.asset_key, self.check_name)


class Event:
    """A structured event of a run (Dagster: ``DagsterEvent``)."""

    __slots__ = ("event_type_value", "job_name", "step_key", "node_name", "message",
                 "event_specific_data")

    def __init__(self, event_type: EventType | str, job_name: str, step_key: str | None = None,
                 node_name: str | None = None, message: str | None = None,
                 event_specific_data: Any = None):
        self.event_type_value = event_type.value if isinstance(event_type, EventType) else event_type
        self.job_name = job_name
        self.step_key = step_key
        self.node_name = node_name
        self.message = message
        self.event_specific_data = event_specific_data

    @property
    def event_type(self) -> EventType:
        return EventType(self.event_type_value)

    @property
    def pipeline_name(self) -> str:
        return self.job_name

    @property
    def solid_handle(self) -> str | None:
        return self.node_name

    @property
    def is_step_event(self) -> bool:
        return self.event_type in _STEP_EVENTS

    is_step_start = property(lambda self: self.event_type_value == "STEP_START")
    is_step_success = property(lambda self: self.event_type_value == "STEP_SUCCESS")
    is_step_failure = property(lambda self: self.event_type_value == "STEP_FAILURE")
    is_step_skipped = property(lambda self: self.event_type_value == "STEP_SKIPPED")
    is_successful_output = property(lambda self: self.event_type_value == "STEP_OUTPUT")
    is_handled_output = property(lambda self: self.event_type_value == "HANDLED_OUTPUT")
    is_step_materialization = property(
        lambda self: self.event_type_value == "ASSET_MATERIALIZATION")
    is_asset_materialization = is_step_materialization
    is_asset_observation = property(lambda self: self.event_type_value == "ASSET_OBSERVATION")
    is_run_success = property(lambda self: self.event_type_value == "PIPELINE_SUCCESS")
    is_run_failure = property(lambda self: self.event_type_value == "PIPELINE_FAILURE")
    is_failure = property(lambda self: self.event_type_value in ("STEP_FAILURE", "PIPELINE_FAILURE"))
    is_engine_event = property(lambda self: self.event_type_value == "ENGINE_EVENT")

    @property
    def step_materialization_data(self) -> StepMaterializationData:
        return self.event_specific_data

    @property
    def materialization(self) -> AssetMaterialization | None:
        data = self.event_specific_data
        return data.materialization if isinstance(data, StepMaterializationData) else None

    @property
    def asset_materialization(self) -> AssetMaterialization | None:
        return self.materialization

    @property
    def asset_observation_data(self) -> StepMaterializationData | None:
        return self.event_specific_data if self.is_asset_observation else None

    @property
    def asset_check_evaluation_data(self) -> AssetCheckEvaluation:
        return self.event_specific_data

    @property
    def step_failure_data(self) -> StepFailureData:
        return self.event_specific_data

    @property
    def step_output_data(self) -> StepOutputData:
        """A STEP_OUTPUT event's data (its output name, metadata, type check), as Dagster's."""
        return self.event_specific_data

    @property
    def step_input_data(self) -> StepInputData:
        return self.event_specific_data

    @property
    def asset_key(self) -> AssetKey | None:
        data = self.event_specific_data
        if isinstance(data, StepMaterializationData):
            return data.materialization.asset_key
        if isinstance(data, (AssetCheckEvaluation, AssetPlannedData)):
            return data.asset_key
        return None

    @property
    def partition(self) -> str | None:
        data = self.event_specific_data
        if isinstance(data, AssetPlannedData):
            return data.partition
        m = self.materialization
        return m.partition if m is not None else None

    def __repr__(self) -> str:
        return f"Event({self.event_type_value}, step={self.step_key!r}, message={self.message!r})"


class EventLogEntry:
    """One row of the event log: a structured event or a user log message."""

    __slots__ = ("run_id", "timestamp", "level", "user_message", "step_key", "job_name",
                 "dagster_event", "error_info")

    def __init__(self, run_id: str, timestamp: float, level: int | str, user_message: str,
                 step_key: str | None, job_name: str | None, dagster_event: Event | None = None,
                 error_info: SerializableErrorInfo | None = None):
        self.run_id = run_id
        self.timestamp = timestamp
        self.level = level
        self.user_message = user_message
        self.step_key = step_key
        self.job_name = job_name
        self.dagster_event = dagster_event
        self.error_info = error_info

    @property
    def is_dagster_event(self) -> bool:
        return self.dagster_event is not None

    @property
    def event(self) -> Event | None:
        return self.dagster_event

    def get_dagster_event(self) -> Event:
        assert self.dagster_event is not None, "not a structured event"
        return self.dagster_event

    @property
    def dagster_event_type(self) -> EventType | None:
        return self.dagster_event.event_type if self.dagster_event else None

    @property
    def message(self) -> str:
        if self.dagster_event is not None and self.dagster_event.message:
            return self.dagster_event.message
        return self.user_message

    @property
    def asset_materialization(self) -> AssetMaterialization | None:
        """The materialization this entry records (None for an observation, as Dagster's)."""
        e = self.dagster_event
        return e.materialization if e is not None and not e.is_asset_observation else None

    @property
    def asset_observation(self) -> AssetObservation | None:
        e = self.dagster_event
        if e is None or not e.is_asset_observation:
            return None
        found = e.materialization
        return found if isinstance(found, AssetObservation) else None

    @property
    def asset_check_evaluation(self) -> AssetCheckEvaluation | None:
        data = self.dagster_event.event_specific_data if self.dagster_event else None
        return data if isinstance(data, AssetCheckEvaluation) else None

    @property
    def pipeline_name(self) -> str | None:
        return self.job_name

    def __repr__(self) -> str:
        kind = self.dagster_event.event_type_value if self.dagster_event else "LOG"
        return f"EventLogEntry({kind}, run_id={self.run_id!r}, step={self.step_key!r})"


@dataclass(frozen=True)
class EventLogRecord:
    """An event log entry with its storage id (Dagster: ``EventLogRecord``)."""

    storage_id: int
    event_log_entry: EventLogEntry

    @property
    def run_id(self) -> str:
        return self.event_log_entry.run_id

    @property
    def timestamp(self) -> float:
        return self.event_log_entry.timestamp

    @property
    def asset_key(self) -> AssetKey | None:
        e = self.event_log_entry.dagster_event
        return e.asset_key if e else None

    @property
    def partition_key(self) -> str | None:
        e = self.event_log_entry.dagster_event
        return e.partition if e else None

    @property
    def asset_materialization(self) -> AssetMaterialization | None:
        return self.event_log_entry.asset_materialization

    @property
    def asset_observation(self) -> AssetObservation | None:
        return self.event_log_entry.asset_observation

    @property
    def asset_check_evaluation(self) -> AssetCheckEvaluation | None:
        return self.event_log_entry.asset_check_evaluation


@dataclass(frozen=True)
class EventRecordsResult:
    records: list[EventLogRecord]
    cursor: str | None = None
    has_more: bool = False


# ---------------------------------------------------------------- encoding

def _encode_data(data: Any) -> Any:
    if data is None:
        return None
    if isinstance(data, StepMaterializationData):
        m = data.materialization
        out: dict[str, Any] = {"k": m.asset_key.path, "md": metadata_to_json(m.metadata)}
        if m.partition is not None:
            out["p"] = m.partition
        if m.description:
            out["desc"] = m.description
        if m.tags:
            out["tags"] = m.tags
        return out
    if isinstance(data, StepOutputData):
        h = data.step_output_handle
        out = {"o": h.output_name, "mk": h.mapping_key, "md": metadata_to_json(data.metadata)}
        if _notable(data.type_check_data):
            out["tc"] = _encode_type_check(data.type_check_data)
        return out
    if isinstance(data, HandledOutputData):
        return {"o": data.output_name, "mgr": data.manager_key, "md": metadata_to_json(data.metadata)}
    if isinstance(data, LoadedInputData):
        return {"i": data.input_name, "mgr": data.manager_key}
    if isinstance(data, AssetPlannedData):
        return {"k": data.asset_key.path, "p": data.partition, "c": data.check_name}
    if isinstance(data, StepInputData):
        if not _notable(data.type_check_data):
            return {"i": data.input_name}
        return {"i": data.input_name, "tc": _encode_type_check(data.type_check_data)}
    if isinstance(data, StepFailureData):
        ufd = data.user_failure_data
        return {"err": data.error.to_json() if data.error else None,
                "src": data.error_source,
                "ufd": None if ufd is None else {"l": ufd.label, "desc": ufd.description,
                                                 "md": metadata_to_json(ufd.metadata)}}
    if isinstance(data, StepRetryData):
        return {"err": data.error.to_json() if data.error else None, "wait": data.seconds_to_wait}
    if isinstance(data, HookErroredData):
        return {"err": data.error.to_json() if data.error else None}
    if isinstance(data, EngineEventData):
        return {"md": metadata_to_json(data.metadata),
                "err": data.error.to_json() if data.error else None}
    if isinstance(data, AssetCheckEvaluation):
        return {"k": data.asset_key.path, "c": data.check_name, "ok": data.passed,
                "md": metadata_to_json(data.metadata), "sev": data.severity.value,
                "desc": data.description, "b": data.blocking,
                **({"p": data.partition} if data.partition is not None else {})}
    return data


def _notable(tc: TypeCheckData | None) -> TypeGuard[TypeCheckData]:
    """A type check worth storing: a passed check without details is implied (and is most)."""
    return tc is not None and not (tc.success and tc.description is None and not tc.metadata)


def _encode_type_check(tc: TypeCheckData) -> dict[str, Any]:
    return {"ok": tc.success, "l": tc.label, "desc": tc.description,
            "md": metadata_to_json(tc.metadata)}


def _decode_type_check(data: Any, label: str) -> TypeCheckData:
    if not data:
        return TypeCheckData(True, label)
    return TypeCheckData(data["ok"], data["l"], data.get("desc"), metadata_from_json(data.get("md")))


def _decode_data(event_type: str, step_key: str | None, data: Any) -> Any:
    if data is None:
        return None
    if event_type in ("ASSET_MATERIALIZATION", "ASSET_OBSERVATION"):
        cls = AssetMaterialization if event_type == "ASSET_MATERIALIZATION" else AssetObservation
        m = cls(AssetKey(data["k"]), data.get("desc"), None, data.get("p"), data.get("tags"))
        m.metadata = metadata_from_json(data.get("md"))
        return StepMaterializationData(m)
    if event_type == "STEP_OUTPUT":
        return StepOutputData(StepOutputHandle(step_key or "", data["o"], data.get("mk")),
                              metadata_from_json(data.get("md")),
                              _decode_type_check(data.get("tc"), data["o"]))
    if event_type == "HANDLED_OUTPUT":
        return HandledOutputData(data["o"], data["mgr"], metadata_from_json(data.get("md")))
    if event_type in ("ASSET_MATERIALIZATION_PLANNED", "ASSET_CHECK_EVALUATION_PLANNED"):
        return AssetPlannedData(AssetKey(data["k"]), data.get("p"), data.get("c"))
    if event_type == "LOADED_INPUT":
        return LoadedInputData(data["i"], data["mgr"])
    if event_type == "STEP_INPUT":
        return StepInputData(data["i"], _decode_type_check(data.get("tc"), data["i"]))
    if event_type in ("STEP_FAILURE", "PIPELINE_FAILURE", "RESOURCE_INIT_FAILURE"):
        ufd = data.get("ufd")
        return StepFailureData(SerializableErrorInfo.from_json(data.get("err")),
                               None if not isinstance(ufd, dict) else UserFailureData(
                                   ufd["l"], ufd.get("desc"), metadata_from_json(ufd.get("md"))),
                               data.get("src", "USER_CODE_ERROR"))
    if event_type == "STEP_UP_FOR_RETRY":
        return StepRetryData(SerializableErrorInfo.from_json(data.get("err")), data.get("wait"))
    if event_type == "HOOK_ERRORED":
        return HookErroredData(SerializableErrorInfo.from_json(data.get("err")))
    if event_type == "ASSET_CHECK_EVALUATION":
        return AssetCheckEvaluation(AssetKey(data["k"]), data["c"], data["ok"],
                                    metadata_from_json(data.get("md")),
                                    AssetCheckSeverity(data.get("sev", "ERROR")), data.get("desc"),
                                    None, data.get("b", False), data.get("p"))
    if isinstance(data, dict) and "md" in data and "err" in data:
        return EngineEventData(metadata_from_json(data["md"]),
                               SerializableErrorInfo.from_json(data["err"]))
    return data


def asset_event_to_json(event: Any) -> dict[str, Any]:
    """A materialization, observation or check evaluation reported without a run (a sensor's
    ``SensorResult.asset_events``) as plain JSON data; ``TypeError`` for anything else."""
    if isinstance(event, AssetCheckEvaluation):
        return {"type": EventType.ASSET_CHECK_EVALUATION.value, "data": _encode_data(event)}
    if isinstance(event, AssetObservation):
        return {"type": EventType.ASSET_OBSERVATION.value,
                "data": _encode_data(StepMaterializationData(event))}
    if isinstance(event, AssetMaterialization):
        return {"type": EventType.ASSET_MATERIALIZATION.value,
                "data": _encode_data(StepMaterializationData(event))}
    raise TypeError(f"not an asset event: {event!r}")


def asset_event_from_json(data: dict[str, Any]) -> Any:
    """The event ``asset_event_to_json`` described."""
    decoded = _decode_data(data["type"], None, data["data"])
    return decoded.materialization if isinstance(decoded, StepMaterializationData) else decoded


LOG_EVENT_TYPE = "LOG"


def encode_entry(entry: EventLogEntry) -> dict[str, Any]:
    """One event as a storage row: indexed columns plus a compact JSON body."""
    ev = entry.dagster_event
    body: dict[str, Any] = {"l": entry.level}
    if entry.job_name:
        body["j"] = entry.job_name
    if entry.user_message:
        body["u"] = entry.user_message
    asset_key = partition = None
    if ev is not None:
        if ev.message:
            body["m"] = ev.message
        if ev.node_name:
            body["n"] = ev.node_name
        data = ev.event_specific_data
        if data is not None:
            body["d"] = _encode_data(data)
        ak = ev.asset_key
        if ak is not None:
            asset_key = ak.to_string()
            partition = ev.partition
    if entry.error_info is not None:
        body["e"] = entry.error_info.to_json()
    return {
        "run_id": entry.run_id,
        "event_type": ev.event_type_value if ev is not None else LOG_EVENT_TYPE,
        "step_key": entry.step_key,
        "asset_key": asset_key,
        "partition": partition,
        "timestamp": entry.timestamp,
        "body": orjson.dumps(body, default=_json_default),
    }


def _json_default(obj: Any) -> Any:
    if isinstance(obj, AssetKey):
        return obj.path
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    return repr(obj)


def decode_entry(run_id: str, event_type: str, step_key: str | None, timestamp: float,
                 body: bytes | str) -> EventLogEntry:
    data = orjson.loads(body)
    ev = None
    if event_type != LOG_EVENT_TYPE:
        ev = Event(event_type, data.get("j", ""), step_key, data.get("n"), data.get("m"),
                   _decode_data(event_type, step_key, data.get("d")))
    return EventLogEntry(run_id, timestamp, data.get("l", logging.DEBUG), data.get("u", ""),
                         step_key, data.get("j"), ev, SerializableErrorInfo.from_json(data.get("e")))
