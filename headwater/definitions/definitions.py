"""``Definitions``: everything a code location offers, validated once into an AssetGraph."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

from headwater.definitions._runtime import execution
from headwater.definitions.asset_graph import AssetGraph, _describe, gc_paused
from headwater.definitions.asset_key import AssetKey, coerce_key
from headwater.definitions.asset_spec import DEFAULT_IO_MANAGER_KEY, AssetSpec
from headwater.definitions.assets import AssetsDefinition, external_asset_from_spec
from headwater.definitions.checks import AssetChecksDefinition
from headwater.definitions.errors import InvalidDefinitionError, InvariantViolationError
from headwater.definitions.instigator import target_assets, target_jobs
from headwater.definitions.jobs import (
    IMPLICIT_ASSET_JOB_NAME,
    JobDefinition,
    UnresolvedAssetJobDefinition,
)


def split_assets(items: Iterable[Any]) -> tuple[list[AssetsDefinition], list[AssetChecksDefinition]]:
    """Sort user-given objects into asset definitions (specs become external) and checks.

    The same object given twice counts once."""
    assets: list[AssetsDefinition] = []
    checks: list[AssetChecksDefinition] = []
    seen: set[int] = set()
    for item in items or ():
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, AssetChecksDefinition):
            checks.append(item)
        elif isinstance(item, AssetsDefinition):
            assets.append(item)
        elif isinstance(item, AssetSpec):
            assets.append(external_asset_from_spec(item))
        else:
            raise InvalidDefinitionError(
                f"Expected an asset (@asset, @multi_asset, AssetSpec) or an asset check, got "
                f"{item!r} of type {type(item).__name__}")
    return assets, checks


class Definitions:
    """The assets, checks, jobs, schedules, sensors and resources of one code location."""

    def __init__(self, assets: Iterable[Any] | None = None, schedules: Iterable[Any] | None = None,
                 sensors: Iterable[Any] | None = None, jobs: Iterable[Any] | None = None,
                 resources: Mapping[str, Any] | None = None, executor: Any = None,
                 loggers: Mapping[str, Any] | None = None,
                 asset_checks: Iterable[Any] | None = None,
                 metadata: Mapping[str, Any] | None = None, component_tree: Any = None):
        self.assets = list(assets or ())
        self.schedules = list(schedules or ())
        self.sensors = list(sensors or ())
        self.jobs = list(jobs or ())
        self.resources = dict(resources or {})
        self.executor = executor
        self.loggers = dict(loggers or {})
        self.asset_checks = list(asset_checks or ())
        self.metadata = dict(metadata or {})

    # --- resolution (once, cached) ---
    @cached_property
    def asset_graph(self) -> AssetGraph:
        # assets targeted by a schedule or sensor belong to the Definitions too, as in Dagster
        targeted = target_assets([*self.schedules, *self.sensors], self.assets)
        assets, checks = split_assets([*self.assets, *targeted, *self.asset_checks])
        return AssetGraph(assets, checks, resource_keys=self.resources)

    def resolve_asset_graph(self) -> AssetGraph:
        return self.asset_graph

    def get_asset_graph(self) -> AssetGraph:
        return self.asset_graph

    def get_repository_def(self) -> Definitions:
        """Dagster wraps a RepositoryDefinition here; Headwater's Definitions is the repository
        itself (its asset graph, jobs, schedules and sensors), so it returns itself."""
        return self

    def validate(self) -> None:
        """Build the asset graph and check every required resource is provided."""
        with gc_paused():
            self._validate()

    def _validate(self) -> None:
        for kind, items in (("schedule", self.schedules), ("sensor", self.sensors),
                            ("job", self.jobs)):
            seen: set[str] = set()
            for item in items:
                name = str(getattr(item, "name", ""))
                if name in seen:
                    raise InvalidDefinitionError(
                        f"Duplicate {kind} name {name!r} in Definitions; names must be unique")
                seen.add(name)
        graph = self.asset_graph
        provided = set(self.resources) | {DEFAULT_IO_MANAGER_KEY}
        for ad in graph.assets_defs:
            if ad.op is None:
                continue
            required = ad.required_resource_keys
            if required <= provided:
                continue
            missing = sorted(required - provided - set(ad.resource_defs))
            if missing:
                raise InvalidDefinitionError(
                    f"Asset {_describe(ad)} requires resource(s) {missing}, which Definitions does not "
                    f"provide (provided: {sorted(self.resources)}). Add them to "
                    "Definitions(resources={...}).")
        for cd in graph.checks_defs:
            missing = sorted(cd.required_resource_keys - provided - set(cd.resource_defs))
            if missing:
                raise InvalidDefinitionError(
                    f"Asset check {cd.name!r} requires resource(s) {missing}, which Definitions "
                    f"does not provide (provided: {sorted(self.resources)}).")
        for job in self.jobs:
            if isinstance(job, UnresolvedAssetJobDefinition):
                job.resolve(graph, self.resources)
        for item in [*self.schedules, *self.sensors]:
            item.validate_against(self)

    @staticmethod
    def validate_loadable(defs: Definitions) -> None:
        defs.validate()

    # --- lookups ---
    def get_assets_def(self, key: Any) -> AssetsDefinition:
        """The definition of ``key``. Looked up among the given assets first, without
        resolving the asset graph, so it works even when an asset reads an upstream asset
        these Definitions lack (Dagster does the same; the graph refuses that later)."""
        key = coerce_key(key)
        for item in self.assets:
            if isinstance(item, AssetsDefinition) and key in item.keys:
                return item
            if isinstance(item, AssetSpec) and item.key == key:
                return external_asset_from_spec(item)
        if key not in self.asset_graph:
            raise InvariantViolationError(
                f"No asset with key {key.to_user_string()!r} in these Definitions")
        return self.asset_graph.definition_for(key)

    resolve_assets_def = get_assets_def

    def resolve_all_asset_keys(self) -> list[AssetKey]:
        return list(self.asset_graph.keys)

    def get_all_asset_specs(self) -> list[AssetSpec]:
        return list(self.asset_graph.specs)

    resolve_all_asset_specs = get_all_asset_specs

    def get_asset_checks_def(self, key: Any) -> AssetChecksDefinition:
        """The checks definition computing ``key``, found among the given checks (no graph
        resolution, as ``get_assets_def``)."""
        for cd in [*self.asset_checks, *self.assets]:
            if isinstance(cd, AssetChecksDefinition) and key in cd.check_keys:
                return cd
        for cd in self.asset_graph.checks_defs:
            if key in cd.check_keys:
                return cd
        raise InvariantViolationError(f"No asset check {key!r} in these Definitions")

    def get_job_def(self, name: str) -> JobDefinition:
        if name == IMPLICIT_ASSET_JOB_NAME:
            return self.get_implicit_global_asset_job_def()
        for job in [*self.jobs, *target_jobs([*self.schedules, *self.sensors])]:
            if getattr(job, "name", None) == name:
                if isinstance(job, UnresolvedAssetJobDefinition):
                    return job.resolve(self.asset_graph, self.resources, self.loggers)
                # a job without logger_defs takes these Definitions' loggers, as in Dagster
                with_loggers = getattr(job, "with_default_loggers", None)
                return with_loggers(self.loggers) if with_loggers is not None else job
        raise InvariantViolationError(
            f"No job named {name!r}; jobs are {sorted(j.name for j in self.jobs)}")

    resolve_job_def = get_job_def

    def get_all_job_defs(self) -> list[JobDefinition]:
        """Every job: those given, those only a schedule or sensor names (as Dagster counts
        them), and the implicit asset job when there are assets to run."""
        names: list[str] = []
        for job in [*self.jobs, *target_jobs([*self.schedules, *self.sensors])]:
            name = getattr(job, "name", None)
            if name and name not in names and name != IMPLICIT_ASSET_JOB_NAME:
                names.append(name)
        jobs = [self.get_job_def(name) for name in names]
        if any(ad.op is not None for ad in self.asset_graph.assets_defs):
            jobs.append(self.get_implicit_global_asset_job_def())
        return jobs

    resolve_all_job_defs = get_all_job_defs

    def get_implicit_global_asset_job_def(self) -> JobDefinition:
        return UnresolvedAssetJobDefinition(IMPLICIT_ASSET_JOB_NAME).resolve(
            self.asset_graph, self.resources, self.loggers)

    resolve_implicit_global_asset_job_def = get_implicit_global_asset_job_def

    def resolve_implicit_job_def_def_for_assets(self, asset_keys: Any) -> JobDefinition | None:
        """The implicit asset job that can run ``asset_keys`` (Dagster's name, typo included):
        the one implicit job, when every key is an asset of these definitions."""
        keys = [coerce_key(k) for k in asset_keys]
        if any(k not in self.asset_graph.ids for k in keys):
            return None
        return self.get_implicit_global_asset_job_def()

    def get_schedule_def(self, name: str) -> Any:
        schedule = self._named(self.schedules, name, "schedule")
        bind = getattr(schedule, "_bind_from", None)  # a partitioned job's schedule: its cron
        if bind is not None:                          # comes from the job's resolved partitions
            bind(self)
        return schedule

    def get_sensor_def(self, name: str) -> Any:
        return self._named(self.sensors, name, "sensor")

    resolve_schedule_def = get_schedule_def
    resolve_sensor_def = get_sensor_def

    @staticmethod
    def _named(items: list[Any], name: str, kind: str) -> Any:
        for item in items:
            if getattr(item, "name", None) == name:
                return item
        raise InvalidDefinitionError(
            f"No {kind} named {name!r}; {kind}s are {sorted(getattr(i, 'name', '?') for i in items)}")

    def load_asset_value(self, asset_key: Any, *, python_type: Any = None, instance: Any = None,
                         partition_key: str | None = None, metadata: Mapping[str, Any] | None = None) -> Any:
        return execution().load_asset_value(self, coerce_key(asset_key), instance=instance,
                                            partition_key=partition_key, python_type=python_type)

    # --- combining ---
    @staticmethod
    def merge(*def_sets: Definitions) -> Definitions:
        resources: dict[str, Any] = {}
        for d in def_sets:
            for k, v in d.resources.items():
                if k in resources and resources[k] is not v:
                    raise InvariantViolationError(
                        f"Definitions.merge: resource key {k!r} is defined differently in two "
                        "Definitions; give one of them another key")
                resources[k] = v
        executors = {id(d.executor): d.executor for d in def_sets if d.executor is not None}
        if len(executors) > 1:
            raise InvalidDefinitionError("Definitions.merge: more than one executor is defined")
        return Definitions(
            assets=[a for d in def_sets for a in d.assets],
            schedules=[s for d in def_sets for s in d.schedules],
            sensors=[s for d in def_sets for s in d.sensors],
            jobs=[j for d in def_sets for j in d.jobs],
            resources=resources,
            executor=next(iter(executors.values()), None),
            loggers={k: v for d in def_sets for k, v in d.loggers.items()},
            asset_checks=[c for d in def_sets for c in d.asset_checks],
            metadata={k: v for d in def_sets for k, v in d.metadata.items()},
        )

    def with_resources(self, resources: Mapping[str, Any]) -> Definitions:
        return Definitions.merge(self, Definitions(resources=resources))

    def __repr__(self) -> str:
        return (f"Definitions(assets={len(self.assets)}, asset_checks={len(self.asset_checks)}, "
                f"jobs={len(self.jobs)}, resources={sorted(self.resources)})")
