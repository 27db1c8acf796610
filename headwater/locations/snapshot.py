"""What a code location serves: its definitions as plain, serializable data.

The daemon, the webserver and the CLI's long-running commands read a ``LocationSnapshot``
instead of importing user code. Every field is a str, number, bool, tuple or a snapshot
dataclass, so ``to_json``/``from_json`` round-trip it exactly.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

AssetPath = tuple[str, ...]  # an asset key's path: AssetKey(["a", "b"]) -> ("a", "b")


class SensorKind(str, enum.Enum):
    STANDARD = "STANDARD"
    ASSET = "ASSET"
    MULTI_ASSET = "MULTI_ASSET"
    RUN_STATUS = "RUN_STATUS"
    AUTOMATION = "AUTOMATION"


@dataclass(frozen=True)
class PartitionsSnap:
    """A partitions definition, described: ``kind`` is static, dynamic, time_window or multi."""

    kind: str
    name: str | None = None  # a dynamic definition's name
    keys: tuple[str, ...] | None = None  # static keys (None when computed or dynamic)
    cron_schedule: str | None = None  # time windows
    timezone: str | None = None
    fmt: str | None = None
    start: str | None = None
    end: str | None = None  # time windows that stop
    end_offset: int = 0
    dimensions: tuple[tuple[str, PartitionsSnap | None], ...] = ()  # multi


@dataclass(frozen=True)
class AssetSnap:
    key: AssetPath
    group_name: str
    deps: tuple[AssetPath, ...] = ()
    description: str | None = None
    is_executable: bool = True
    partitions: PartitionsSnap | None = None
    kinds: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    job_names: tuple[str, ...] = ()
    check_names: tuple[str, ...] = ()
    pool: str | None = None
    code_version: str | None = None
    # The definition's metadata, JSON-encoded as the event log encodes a materialization's
    # (name -> [kind, value]); None when it has none. A string keeps the snapshot hashable.
    metadata_json: str | None = None
    # (check name, its definition's description) for each check that has one; empty from a
    # location built before descriptions were recorded.
    check_descriptions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class JobSnap:
    name: str
    description: str | None = None
    asset_keys: tuple[AssetPath, ...] = ()  # empty for an op job
    op_names: tuple[str, ...] = ()
    partitions: PartitionsSnap | None = None
    tags: tuple[tuple[str, str], ...] = ()
    # The op graph: each op (an asset job's: its assets' ops) with the ops it depends on.
    op_deps: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The run-config schema as plain JSON (``job_info.py`` describes the format); None from a
    # location built before it was described. Not hashed: a dict.
    config_schema: dict[str, Any] | None = field(default=None, hash=False, compare=False)


@dataclass(frozen=True)
class ScheduleSnap:
    name: str
    cron_schedule: tuple[str, ...]
    job_name: str | None
    execution_timezone: str | None = None
    default_status: str = "STOPPED"  # RUNNING or STOPPED
    description: str | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SensorSnap:
    name: str
    kind: SensorKind
    minimum_interval_seconds: int
    job_names: tuple[str, ...] = ()
    default_status: str = "STOPPED"
    description: str | None = None
    asset_keys: tuple[AssetPath, ...] = ()  # what an asset sensor watches, or the asset target
    monitored_job_names: tuple[str, ...] = ()  # run-status sensors
    run_status: str | None = None  # run-status sensors: the status they handle


@dataclass(frozen=True)
class LocationSnapshot:
    location_name: str
    assets: tuple[AssetSnap, ...] = ()
    jobs: tuple[JobSnap, ...] = ()
    schedules: tuple[ScheduleSnap, ...] = ()
    sensors: tuple[SensorSnap, ...] = ()
    origin: str = ""  # for messages: "module my_project.definitions", "file /x/defs.py"
    loaded_at: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def schedule(self, name: str) -> ScheduleSnap | None:
        return next((s for s in self.schedules if s.name == name), None)

    def sensor(self, name: str) -> SensorSnap | None:
        return next((s for s in self.sensors if s.name == name), None)

    def job(self, name: str) -> JobSnap | None:
        return next((j for j in self.jobs if j.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> LocationSnapshot:
        return LocationSnapshot(
            location_name=data["location_name"],
            assets=tuple(_asset(a) for a in data.get("assets", ())),
            jobs=tuple(_job(j) for j in data.get("jobs", ())),
            schedules=tuple(ScheduleSnap(**{**s, "cron_schedule": tuple(s["cron_schedule"]),
                                            "tags": _pairs(s.get("tags"))})
                            for s in data.get("schedules", ())),
            sensors=tuple(_sensor(s) for s in data.get("sensors", ())),
            origin=data.get("origin", ""), loaded_at=data.get("loaded_at", 0.0),
            extra=dict(data.get("extra") or {}))


def _paths(values: Any) -> tuple[AssetPath, ...]:
    return tuple(tuple(v) for v in values or ())


def _pairs(values: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in values or ())


def _partitions(data: dict[str, Any] | None) -> PartitionsSnap | None:
    if data is None:
        return None
    return PartitionsSnap(**{
        **data, "keys": None if data.get("keys") is None else tuple(data["keys"]),
        "dimensions": tuple((n, _partitions(d)) for n, d in data.get("dimensions") or ())})


def _asset(a: dict[str, Any]) -> AssetSnap:
    return AssetSnap(**{**a, "key": tuple(a["key"]), "deps": _paths(a.get("deps")),
                        "partitions": _partitions(a.get("partitions")),
                        "kinds": tuple(a.get("kinds") or ()), "owners": tuple(a.get("owners") or ()),
                        "tags": _pairs(a.get("tags")), "job_names": tuple(a.get("job_names") or ()),
                        "check_names": tuple(a.get("check_names") or ()),
                        "check_descriptions": _pairs(a.get("check_descriptions"))})


def _job(j: dict[str, Any]) -> JobSnap:
    known = {f for f in JobSnap.__dataclass_fields__}  # a newer server's fields are skipped
    return JobSnap(**{**{k: v for k, v in j.items() if k in known},
                      "asset_keys": _paths(j.get("asset_keys")),
                      "op_names": tuple(j.get("op_names") or ()),
                      "partitions": _partitions(j.get("partitions")), "tags": _pairs(j.get("tags")),
                      "op_deps": tuple((str(name), tuple(up)) for name, up in j.get("op_deps") or ()),
                      "config_schema": j.get("config_schema")})


def _sensor(s: dict[str, Any]) -> SensorSnap:
    return SensorSnap(**{**s, "kind": SensorKind(s["kind"]),
                         "job_names": tuple(s.get("job_names") or ()),
                         "asset_keys": _paths(s.get("asset_keys")),
                         "monitored_job_names": tuple(s.get("monitored_job_names") or ())})
