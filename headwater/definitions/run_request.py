"""What schedules and sensors return: run requests, skip reasons, sensor results, and the
normalized ``TickResult`` the daemon records for one tick."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from headwater.definitions.asset_key import AssetKey, coerce_key
from headwater.definitions.errors import InvariantViolationError

# The run tags a tick adds (the same strings as headwater.storage.runs, which this layer
# must not import).
SCHEDULE_NAME_TAG = "dagster/schedule_name"
SENSOR_NAME_TAG = "dagster/sensor_name"


def _tag_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def coerce_run_config(run_config: Any) -> dict[str, Any]:
    """A run config dict from a dict, a ``RunConfig`` or None."""
    if run_config is None:
        return {}
    to_dict = getattr(run_config, "to_config_dict", None)
    return to_dict() if to_dict is not None else dict(run_config)


@dataclass(frozen=True)
class RunRequest:
    """A request to launch one run; ``run_key`` makes the request idempotent per schedule or
    sensor (a key already used is not launched again)."""

    run_key: str | None = None
    run_config: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    job_name: str | None = None
    asset_selection: Sequence[AssetKey] | None = None
    stale_assets_only: bool = False
    partition_key: str | None = None
    asset_check_keys: Sequence[Any] | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "run_config", coerce_run_config(self.run_config))
        set_(self, "tags", {str(k): _tag_value(v) for k, v in (self.tags or {}).items()})
        if self.asset_selection is not None:
            set_(self, "asset_selection", [AssetKey.from_user_string(k) if isinstance(k, str)
                                           else coerce_key(k) for k in self.asset_selection])
        if self.asset_check_keys is not None:
            set_(self, "asset_check_keys", list(self.asset_check_keys))

    def with_replaced_attributes(self, **changes: Any) -> RunRequest:
        return dataclasses.replace(self, **changes)

    def with_tags(self, tags: Mapping[str, Any]) -> RunRequest:
        """A copy with ``tags`` added (they win over existing tags of the same key)."""
        return dataclasses.replace(self, tags={**self.tags, **tags})


@dataclass(frozen=True)
class SkipReason:
    """Returned instead of run requests to say why a tick launched nothing."""

    skip_message: str | None = None


@dataclass(frozen=True)
class AddDynamicPartitionsRequest:
    """Asks the instance to add partition keys to a ``DynamicPartitionsDefinition``."""

    partitions_def_name: str
    partition_keys: Sequence[str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "partition_keys", list(self.partition_keys))


@dataclass(frozen=True)
class DeleteDynamicPartitionsRequest:
    """Asks the instance to delete partition keys from a ``DynamicPartitionsDefinition``."""

    partitions_def_name: str
    partition_keys: Sequence[str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "partition_keys", list(self.partition_keys))


@dataclass(frozen=True)
class SensorResult:
    """Everything one sensor evaluation produced: run requests or a skip reason, the new
    cursor, dynamic partition changes and asset events to record."""

    run_requests: Sequence[RunRequest] | None = None
    skip_reason: SkipReason | str | None = None
    cursor: str | None = None
    dynamic_partitions_requests: Sequence[Any] | None = None
    asset_events: Sequence[Any] | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.run_requests and self.skip_reason is not None:
            raise InvariantViolationError(
                "SensorResult: pass run_requests or skip_reason, not both")
        if isinstance(self.skip_reason, str):
            set_(self, "skip_reason", SkipReason(self.skip_reason))
        set_(self, "run_requests", list(self.run_requests or ()))
        set_(self, "dynamic_partitions_requests", list(self.dynamic_partitions_requests or ()))
        set_(self, "asset_events", list(self.asset_events or ()))


@dataclass(frozen=True)
class TickResult:
    """One evaluated tick, normalized: the run requests to launch (tagged with the schedule or
    sensor name) or why none, plus the sensor's cursor and side requests. The daemon records
    this before launching anything."""

    run_requests: list[RunRequest] = field(default_factory=list)
    skip_message: str | None = None
    cursor: str | None = None
    dynamic_partitions_requests: list[Any] = field(default_factory=list)
    asset_events: list[Any] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return not self.run_requests
