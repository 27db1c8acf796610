"""Jobs: the list of every location's jobs, one job's op graph (laid out on the server) with
its run-config schema and a starting config, its partition keys, and run-config validation
for the launchpad.

Validation asks the job's code location (``CodeLocation.validate_run_config``: the engine's own
checks, so the problems are those a run would fail with, and nothing is launched); it writes
nothing, so it is allowed on a read-only server. Messages never carry a value read from an
environment variable: the location masks them, and the run config is not echoed.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from headwater.locations.contracts import (
    CodeLocation,
    InvalidRequestError,
    LocationLoadError,
    LocationUnavailableError,
)
from headwater.locations.snapshot import JobSnap
from headwater.web.api import API
from headwater.web.api.graph import GraphLayoutOut
from headwater.web.api.launches import CONFIG_SECTIONS, loaded_location
from headwater.web.context import WebContext
from headwater.web.errors import ApiError, FieldProblem, not_found
from headwater.web.routing import Call

LAYOUT_MAX_OPS = 2000  # past this a job's op graph comes without a layout (too large to draw)


class JobPartitionsOut(BaseModel):
    kind: str
    name: str | None = None
    cron_schedule: str | None = None
    timezone: str | None = None
    start: str | None = None
    end: str | None = None
    count: int | None = Field(None, description="how many partitions (None: not computable "
                                                "here)")


class JobOut(BaseModel):
    name: str
    location: str
    description: str | None
    kind: Literal["asset", "op"]
    partitioned: bool
    partitions_kind: str | None


class JobsPage(BaseModel):
    items: list[JobOut]
    unloaded_locations: list[str] = Field(description="locations whose jobs are not listed "
                                                      "(their code is not loaded)")


class OpOut(BaseModel):
    name: str
    upstream: list[str]
    config: dict[str, Any] | None = Field(description="the op's config schema (see "
                                                      "config_schema), if it takes config")


class JobDetail(JobOut):
    tags: dict[str, str]
    asset_keys: list[list[str]]
    ops: list[OpOut]
    layout: GraphLayoutOut | None = Field(description=f"the op graph laid out (None past "
                                                      f"{LAYOUT_MAX_OPS} ops)")
    config_schema: dict[str, Any] | None = Field(
        description="the run-config schema: nodes {kind: int|float|string|bool|any|list|map|"
                    "optional|enum|shape, of, values, fields: {name: {type, required, "
                    "default, description}}}")
    default_config: dict[str, Any] = Field(description="a starting run config: the required "
                                                       "fields with placeholder values")
    partitions: JobPartitionsOut | None


class PartitionKeysQuery(BaseModel):
    search: str | None = Field(None, description="a part of the key (case-insensitive)")
    limit: int = Field(100, ge=1, le=5000)


class PartitionKeysOut(BaseModel):
    keys: list[str] = Field(description="newest first (the last in definition order first)")
    total: int = Field(description="partitions matching the search")


class ValidateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: str = Field(min_length=1)
    job_name: str = Field(min_length=1)
    run_config: dict[str, Any] | None = None


class ConfigProblemOut(BaseModel):
    path: str = Field(description="where in the run config (e.g. ops.my_op.config.n); empty "
                                  "when the problem names no path")
    message: str


class ValidationOut(BaseModel):
    valid: bool
    problems: list[ConfigProblemOut]


def _visible(job: JobSnap) -> bool:
    return not job.name.startswith("__")  # the implicit asset job is launched by selection


def _job_out(location: str, job: JobSnap) -> dict[str, Any]:
    return {"name": job.name, "location": location, "description": job.description,
            "kind": "op" if job.op_names and not job.asset_keys else "asset",
            "partitioned": job.partitions is not None,
            "partitions_kind": None if job.partitions is None else job.partitions.kind}


@API.get("/jobs", tag="jobs", response=JobsPage)
def list_jobs(ctx: WebContext, call: Call[None, None]) -> dict[str, Any]:
    """Every job of every loaded code location."""
    items: list[dict[str, Any]] = []
    unloaded: list[str] = []
    for location in ctx.locations():
        try:
            snapshot = location.snapshot()
        except (LocationLoadError, LocationUnavailableError):
            unloaded.append(location.name)
            continue
        items += [_job_out(location.name, j) for j in snapshot.jobs if _visible(j)]
    items.sort(key=lambda j: (j["name"], j["location"]))
    return {"items": items, "unloaded_locations": unloaded}


def _find_job(ctx: WebContext, call: Call[Any, Any]) -> tuple[CodeLocation, JobSnap]:
    location, snapshot = loaded_location(ctx, call.path["location"], "path.location")
    job = snapshot.job(call.path["name"])
    if job is None:
        raise not_found(f"job {call.path['name']!r} in code location {location.name!r}")
    return location, job


_layouts_lock = threading.Lock()
_layouts: Any = None


def _layout(job: JobSnap) -> dict[str, Any] | None:
    global _layouts
    from headwater.web.layout import LayoutCache, LayoutOptions

    names = [name for name, _ in job.op_deps]
    if not names or len(names) > LAYOUT_MAX_OPS:
        return None
    index = {name: i for i, name in enumerate(names)}
    edges = [(index[up], index[name]) for name, ups in job.op_deps for up in ups if up in index]
    with _layouts_lock:
        if _layouts is None:
            _layouts = LayoutCache(maxsize=64)
        cache = _layouts
    options = LayoutOptions(node_width=180.0, node_height=40.0, layer_gap=64.0, node_gap=16.0)
    _, layout = cache.layout(names, edges, None, options)
    return layout.as_dict()


def _op_config(schema: dict[str, Any] | None, op: str) -> dict[str, Any] | None:
    if schema is None:
        return None
    try:
        entry = schema["fields"]["ops"]["type"]["fields"][op]["type"]
        return entry["fields"]["config"]["type"]
    except (KeyError, TypeError):
        return None


def _partitions_out(ctx: WebContext, job: JobSnap) -> dict[str, Any] | None:
    p = job.partitions
    if p is None:
        return None
    count = None if p.keys is None else len(p.keys)
    if count is None:
        keys = _partition_keys(ctx, job)
        count = None if keys is None else len(keys)
    return {"kind": p.kind, "name": p.name, "cron_schedule": p.cron_schedule,
            "timezone": p.timezone, "start": p.start, "end": p.end, "count": count}


def _partition_keys(ctx: WebContext, job: JobSnap) -> list[str] | None:
    from headwater.web.partitions import partitions_def_from_snap

    if job.partitions is not None and job.partitions.keys is not None:
        return list(job.partitions.keys)
    pdef = partitions_def_from_snap(job.partitions)
    if pdef is None:
        return None
    return list(pdef.get_partition_keys(dynamic_partitions_store=ctx.instance))


@API.get("/jobs/{location}/{name}", tag="jobs", response=JobDetail)
def get_job(ctx: WebContext, call: Call[None, None]) -> dict[str, Any]:
    """One job: its ops and their dependencies laid out, its config schema and a starting
    config, its partitions."""
    from headwater.locations.job_info import scaffold

    location, job = _find_job(ctx, call)
    schema = job.config_schema
    return {**_job_out(location.name, job), "tags": dict(job.tags),
            "asset_keys": [list(k) for k in job.asset_keys],
            "ops": [{"name": name, "upstream": list(ups), "config": _op_config(schema, name)}
                    for name, ups in job.op_deps],
            "layout": _layout(job), "config_schema": schema,
            "default_config": scaffold(schema), "partitions": _partitions_out(ctx, job)}


@API.get("/jobs/{location}/{name}/partition_keys", tag="jobs", query=PartitionKeysQuery,
         response=PartitionKeysOut)
def list_job_partition_keys(ctx: WebContext,
                            call: Call[PartitionKeysQuery, None]) -> dict[str, Any]:
    """A partitioned job's partition keys, newest first, filtered by a search."""
    _, job = _find_job(ctx, call)
    if job.partitions is None:
        raise ApiError(422, f"job {job.name!r} is not partitioned")
    keys = _partition_keys(ctx, job)
    if keys is None:
        raise ApiError(422, f"the partitions of job {job.name!r} cannot be listed here")
    search = (call.query.search or "").lower()
    matching = [k for k in reversed(keys) if search in k.lower()] if search else keys[::-1]
    return {"keys": matching[:call.query.limit], "total": len(matching)}


def section_problems(config: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Run config's top level: Dagster's sections only, each an object."""
    if not config:
        return []
    problems = [(str(name), f"unknown run config section; run config has "
                            f"{sorted(CONFIG_SECTIONS - {'solids'})}")
                for name in sorted(set(config) - CONFIG_SECTIONS)]
    problems += [(section, f"run config's {section!r} must be an object")
                 for section in ("ops", "solids", "resources", "execution", "loggers")
                 if section in config and not isinstance(config[section], dict)]
    return problems


def config_problems(location: CodeLocation, job_name: str, run_config: dict[str, Any] | None,
                    asset_selection: tuple[tuple[str, ...], ...] | None = None,
                    field: str = "body.job_name", unsupported_ok: bool = False,
                    ) -> list[tuple[str, str]]:
    """The problems the run would fail with (asked of the location); ApiError when the location
    cannot say (``unsupported_ok``: a location that does not validate config is taken as no
    problem, as before validation existed: the run checks it)."""
    problems = section_problems(run_config)
    if problems:
        return problems
    try:
        found = location.validate_run_config(job_name, run_config, asset_selection)
    except InvalidRequestError as e:
        raise ApiError(422, str(e), (FieldProblem(field, str(e)),)) from None
    except (LocationLoadError, LocationUnavailableError) as e:
        raise ApiError(409, f"code location {location.name!r} cannot check the run config: "
                            f"{str(e).splitlines()[0]}") from None
    except NotImplementedError as e:
        if unsupported_ok:
            return []
        raise ApiError(409, str(e)) from None
    return [(p.path, p.message) for p in found]


@API.post("/run_config/validate", tag="jobs", body=ValidateBody, response=ValidationOut,
          safe=True)
def validate_run_config(ctx: WebContext, call: Call[None, ValidateBody]) -> dict[str, Any]:
    """Check a run config against a job, as a run would, without launching it."""
    body = call.body
    location, snapshot = loaded_location(ctx, body.location, "body.location")
    if snapshot.job(body.job_name) is None:
        names = sorted(j.name for j in snapshot.jobs if _visible(j))
        message = (f"no job {body.job_name!r} in code location {location.name!r}; its jobs are "
                   f"{names}")
        raise ApiError(422, message, (FieldProblem("body.job_name", message),))
    problems = config_problems(location, body.job_name, body.run_config)
    return {"valid": not problems,
            "problems": [{"path": path, "message": message} for path, message in problems]}
