"""A loaded ``Definitions`` described as a ``LocationSnapshot`` (plain data).

Built once per load in the process that imported the code; cheap enough at 100k assets (one
pass over the resolved asset graph, no per-asset lookups by key).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from headwater.locations.snapshot import (
    AssetPath,
    AssetSnap,
    JobSnap,
    LocationSnapshot,
    PartitionsSnap,
    ScheduleSnap,
    SensorKind,
    SensorSnap,
)


def build_snapshot(defs: Any, location_name: str, origin: str = "") -> LocationSnapshot:
    """Describe ``defs`` (a ``Definitions``): assets, jobs, schedules and sensors."""
    graph = defs.get_asset_graph()
    jobs = [_job(j) for j in _jobs(defs)]
    job_names_by_key: dict[AssetPath, list[str]] = {}
    for job in jobs:
        for key in job.asset_keys:
            job_names_by_key.setdefault(key, []).append(job.name)
    checks_by_key: dict[AssetPath, list[str]] = {}
    check_descriptions: dict[AssetPath, dict[str, str]] = {}
    for spec in _check_specs(graph):
        path = tuple(spec.asset_key.path)
        checks_by_key.setdefault(path, []).append(spec.name)
        if spec.description:
            check_descriptions.setdefault(path, {})[spec.name] = spec.description
    assets = []
    keys = graph.keys
    for i, key in enumerate(keys):
        spec = graph.specs[i]
        ad = graph.assets_defs[graph.owner[i]]
        path = tuple(key.path)
        op = getattr(ad, "op", None)
        assets.append(AssetSnap(
            key=path, group_name=graph.group(i),
            deps=tuple(tuple(keys[p].path) for p in graph.parents[i]),
            description=spec.description, is_executable=graph.is_executable(i),
            partitions=partitions_snap(graph.partitions_def_of(i)),
            kinds=tuple(sorted(spec.kinds or ())), owners=tuple(spec.owners or ()),
            tags=tuple(sorted((str(k), str(v)) for k, v in (spec.tags or {}).items())),
            job_names=tuple(job_names_by_key.get(path, ())),
            check_names=tuple(sorted(checks_by_key.get(path, ()))),
            pool=getattr(op, "pool", None), code_version=spec.code_version,
            metadata_json=_metadata_json(spec.metadata),
            check_descriptions=tuple(sorted(check_descriptions.get(path, {}).items()))))
    return LocationSnapshot(
        location_name=location_name, assets=tuple(assets), jobs=tuple(jobs),
        schedules=tuple(_schedule(defs, s) for s in defs.schedules),
        sensors=tuple(_sensor(s, defs) for s in defs.sensors), origin=origin, loaded_at=time.time())


def _check_specs(graph: Any) -> Iterable[Any]:
    """Every check spec (separate checks and assets' own) on an asset defined here: the specs
    behind ``graph.check_keys_for``, whose descriptions the snapshot keeps."""
    keys = set(graph.keys)
    for cd in graph.checks_defs:
        yield from (s for s in cd.specs if s.asset_key in keys)
    for ad in graph.assets_defs:
        yield from (s for s in ad.check_specs_by_output.values() if s.asset_key in keys)


def _metadata_json(metadata: Any) -> str | None:
    """A definition's metadata as the event log encodes it; an entry that is not a metadata
    value Headwater knows shows as its text (a snapshot never fails over metadata)."""
    if not metadata:
        return None
    import json

    from headwater.definitions.metadata import (
        TextMetadataValue,
        metadata_to_json,
        normalize_value,
    )

    values = {}
    for name, value in metadata.items():
        try:
            values[str(name)] = normalize_value(value)
        except TypeError:
            values[str(name)] = TextMetadataValue(repr(value))
    try:
        return json.dumps(metadata_to_json(values), default=str)
    except (TypeError, ValueError):
        return json.dumps({k: ["text", repr(v)] for k, v in metadata.items()})


def _jobs(defs: Any) -> Iterable[Any]:
    seen: set[str] = set()
    for job in defs.get_all_job_defs():
        if job.name not in seen:
            seen.add(job.name)
            yield job
    for instigator in (*defs.schedules, *defs.sensors):  # jobs only named by a schedule/sensor
        for target in getattr(instigator, "targets", ()):
            name = getattr(target, "job_name", None)
            if name and name not in seen:
                seen.add(name)
                yield defs.get_job_def(name)


def _job(job: Any) -> JobSnap:
    from headwater.locations.job_info import job_config_schema, op_deps

    if job.graph_def is not None:
        ops = tuple(job.graph_def.node_names())
        asset_keys: tuple[AssetPath, ...] = ()
    else:
        ops = ()
        asset_keys = tuple(sorted(tuple(k.path) for k in job.asset_keys))
    return JobSnap(name=job.name, description=job.description, asset_keys=asset_keys,
                   op_names=ops, partitions=partitions_snap(job.partitions_def),
                   tags=tuple(sorted((str(k), str(v)) for k, v in job.tags.items())),
                   op_deps=op_deps(job), config_schema=job_config_schema(job))


def _status(value: Any) -> str:
    return str(getattr(value, "value", value) or "STOPPED")


def _schedule(defs: Any, schedule: Any) -> ScheduleSnap:
    schedule = defs.get_schedule_def(schedule.name)  # binds a partitioned job's cron
    cron = schedule.cron_schedule
    return ScheduleSnap(
        name=schedule.name, cron_schedule=(cron,) if isinstance(cron, str) else tuple(cron),
        job_name=_target_job(schedule), execution_timezone=schedule.execution_timezone,
        default_status=_status(schedule.default_status), description=schedule.description,
        tags=tuple(sorted((str(k), str(v)) for k, v in (getattr(schedule, "tags", None)
                                                          or {}).items())))


def _target_job(instigator: Any) -> str | None:
    names = [t.job_name for t in getattr(instigator, "targets", ()) if getattr(t, "job_name", None)]
    return names[0] if names else None


def _sensor(sensor: Any, defs: Any) -> SensorSnap:
    kind = _sensor_kind(sensor)
    watched: tuple[AssetPath, ...] = ()
    if hasattr(sensor, "monitored_keys"):  # a multi-asset sensor: a selection resolves here
        watched = tuple(tuple(k.path) for k in sensor.monitored_keys(defs))
    elif getattr(sensor, "asset_key", None) is not None:
        watched = (tuple(sensor.asset_key.path),)
    elif getattr(sensor, "asset_keys", None):
        watched = tuple(tuple(k.path) for k in sensor.asset_keys)
    monitored = tuple(getattr(j, "name", str(j)) for j in getattr(sensor, "monitored_jobs", ()))
    status = getattr(sensor, "run_status", None)
    return SensorSnap(
        name=sensor.name, kind=kind, minimum_interval_seconds=int(sensor.minimum_interval_seconds),
        job_names=tuple(t.job_name for t in getattr(sensor, "targets", ())
                        if getattr(t, "job_name", None)),
        default_status=_status(sensor.default_status), description=sensor.description,
        asset_keys=watched, monitored_job_names=monitored,
        run_status=None if status is None else str(getattr(status, "value", status)))


def _sensor_kind(sensor: Any) -> SensorKind:
    names = {c.__name__ for c in type(sensor).__mro__}
    if "RunStatusSensorDefinition" in names:
        return SensorKind.RUN_STATUS
    if "MultiAssetSensorDefinition" in names:
        return SensorKind.MULTI_ASSET
    if "AssetSensorDefinition" in names:
        return SensorKind.ASSET
    if "AutomationConditionSensorDefinition" in names:
        return SensorKind.AUTOMATION
    return SensorKind.STANDARD


def partitions_snap(pdef: Any) -> PartitionsSnap | None:
    """A partitions definition described (None for an unpartitioned asset or job)."""
    if pdef is None:
        return None
    cls = {c.__name__ for c in type(pdef).__mro__}
    if "MultiPartitionsDefinition" in cls:
        return PartitionsSnap(kind="multi", dimensions=tuple(
            (d.name, partitions_snap(d.partitions_def)) for d in pdef.partitions_defs))
    if "DynamicPartitionsDefinition" in cls:
        return PartitionsSnap(kind="dynamic", name=pdef.name)
    if "TimeWindowPartitionsDefinition" in cls:
        return PartitionsSnap(kind="time_window", cron_schedule=pdef.cron_schedule,
                              timezone=pdef.timezone, fmt=pdef.fmt, start=pdef.start.isoformat(),
                              end=None if pdef.end is None else pdef.end.isoformat(),
                              end_offset=pdef.end_offset)
    if "StaticPartitionsDefinition" in cls:
        return PartitionsSnap(kind="static", keys=tuple(pdef.get_partition_keys()))
    return PartitionsSnap(kind=type(pdef).__name__)
