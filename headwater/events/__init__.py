"""Typed event records and their serialization. The event log is the system of record."""

from headwater.events.errors import SerializableErrorInfo, error_info_from_exc
from headwater.events.records import (
    AssetCheckEvaluation,
    Event,
    EventLogEntry,
    EventLogRecord,
    EventRecordsResult,
    EventType,
    HandledOutputData,
    StepFailureData,
    StepMaterializationData,
    StepOutputData,
    decode_entry,
    encode_entry,
)

__all__ = [
    "AssetCheckEvaluation", "Event", "EventLogEntry", "EventLogRecord", "EventRecordsResult",
    "EventType", "HandledOutputData", "SerializableErrorInfo", "StepFailureData",
    "StepMaterializationData", "StepOutputData", "decode_entry", "encode_entry",
    "error_info_from_exc",
]
