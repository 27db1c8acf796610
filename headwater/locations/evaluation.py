"""A schedule's or sensor's evaluation, as plain data a code location sends to the daemon.

The daemon records it in a tick, then turns each ``RunRequestData`` into a queued run. No user
object crosses: keys are paths, run config and tags are plain dicts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from headwater.events.errors import SerializableErrorInfo
from headwater.locations.snapshot import AssetPath


@dataclass(frozen=True)
class RunRequestData:
    """One run a tick asks for (a ``RunRequest`` with its job resolved)."""

    job_name: str
    run_key: str | None = None
    run_config: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    partition_key: str | None = None
    asset_selection: tuple[AssetPath, ...] | None = None
    asset_check_keys: tuple[tuple[AssetPath, str], ...] | None = None
    stale_assets_only: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"job_name": self.job_name, "run_key": self.run_key,
                "run_config": self.run_config, "tags": self.tags,
                "partition_key": self.partition_key,
                "asset_selection": None if self.asset_selection is None
                else [list(p) for p in self.asset_selection],
                "asset_check_keys": None if self.asset_check_keys is None
                else [[list(p), n] for p, n in self.asset_check_keys],
                "stale_assets_only": self.stale_assets_only}

    @staticmethod
    def from_json(d: dict[str, Any]) -> RunRequestData:
        sel = d.get("asset_selection")
        checks = d.get("asset_check_keys")
        return RunRequestData(
            d["job_name"], d.get("run_key"), dict(d.get("run_config") or {}),
            dict(d.get("tags") or {}), d.get("partition_key"),
            None if sel is None else tuple(tuple(p) for p in sel),
            None if checks is None else tuple((tuple(p), str(n)) for p, n in checks),
            bool(d.get("stale_assets_only")))


class PartitionsChangeKind(str, enum.Enum):
    ADD = "ADD"
    DELETE = "DELETE"


@dataclass(frozen=True)
class DynamicPartitionsChange:
    kind: PartitionsChangeKind
    partitions_def_name: str
    partition_keys: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation produced: runs to request or why none, the sensor's new cursor,
    dynamic partition changes, or the error the user's code raised (user frames only)."""

    run_requests: tuple[RunRequestData, ...] = ()
    skip_message: str | None = None
    cursor: str | None = None
    dynamic_partitions_changes: tuple[DynamicPartitionsChange, ...] = ()
    error: SerializableErrorInfo | None = None
    log_lines: tuple[str, ...] = ()  # what the function logged through context.log
    # SensorResult.asset_events, each as ``headwater.events.records.asset_event_to_json`` gives
    # it: recorded in the instance as events without a run.
    asset_events: tuple[dict[str, Any], ...] = ()

    @property
    def failed(self) -> bool:
        return self.error is not None

    def to_json(self) -> dict[str, Any]:
        return {"run_requests": [r.to_json() for r in self.run_requests],
                "skip_message": self.skip_message, "cursor": self.cursor,
                "dynamic_partitions_changes": [
                    [c.kind.value, c.partitions_def_name, list(c.partition_keys)]
                    for c in self.dynamic_partitions_changes],
                "error": self.error.to_json() if self.error else None,
                "log_lines": list(self.log_lines), "asset_events": list(self.asset_events)}

    @staticmethod
    def from_json(d: dict[str, Any]) -> Evaluation:
        return Evaluation(
            tuple(RunRequestData.from_json(r) for r in d.get("run_requests") or ()),
            d.get("skip_message"), d.get("cursor"),
            tuple(DynamicPartitionsChange(PartitionsChangeKind(k), n, tuple(keys))
                  for k, n, keys in d.get("dynamic_partitions_changes") or ()),
            SerializableErrorInfo.from_json(d.get("error")), tuple(d.get("log_lines") or ()),
            tuple(dict(e) for e in d.get("asset_events") or ()))
