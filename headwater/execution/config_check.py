"""Checking a launch's run config without running it: the very checks a run makes before its
first step (``run.execute_plan`` and ``launch._executor``), so a launchpad or the web's launch
endpoint reports the same problems, with the same messages, that the run would fail with.

What is checked: the plan (an op job's inputs from config), every op's or asset's config
(``config.resolve_op_configs``), the required resources' config and environment variables
(``resources.check_resource_config``) and the executor's config (run config's ``execution``
section). Partitions and selections are not config and are checked elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from headwater.definitions.asset_spec import DEFAULT_IO_MANAGER_KEY
from headwater.definitions.errors import HeadwaterError, InvalidConfigError

SECTIONS = ("ops", "solids", "resources", "execution", "loggers")


def launch_config_problems(request: Any, target: Any) -> list[tuple[str, str]]:
    """Every problem with ``request.run_config`` for ``target`` (a ``LoadedTarget``), as
    (path, message) pairs; empty when a run would start. Values that resources read from
    environment variables are masked in the messages."""
    from headwater.definitions.run_config import normalize_run_config
    from headwater.execution.config import resolve_op_configs
    from headwater.execution.launch import job_plan
    from headwater.execution.plan import build_plan
    from headwater.execution.resources import check_resource_config, run_masker
    from headwater.execution.run import required_resource_keys

    lines: list[str] = []
    try:
        cfg = normalize_run_config(request.run_config)
    except HeadwaterError as e:
        return [("", str(e))]
    job = target.job
    try:
        if job is None:
            graph = target.graph
            ids = (graph.executable_ids() if request.asset_selection is None
                   else {graph.ids[k] for k in request.asset_selection})
            plan = build_plan(graph, ids, None)
            resources: Mapping[str, Any] = target.resources
        else:
            plan = job_plan(job, request, None)
            resources = {**job.resource_defs, **target.resources}
    except InvalidConfigError as e:
        return _split(e.errors or [str(e)])
    except HeadwaterError as e:
        return [("", str(e))]
    try:
        resolve_op_configs(plan, cfg)
    except InvalidConfigError as e:
        lines += e.errors or [str(e)]
    resource_defs = dict(resources)
    for step in plan.steps:
        for key, value in step.definition.resource_defs.items():
            resource_defs.setdefault(key, value)
    needed = required_resource_keys(plan)
    missing = sorted(needed - set(resource_defs) - {DEFAULT_IO_MANAGER_KEY})
    if missing:
        lines.append(f"Resource(s) {missing} are required but not provided: add them to the "
                     "Definitions' resources")
    lines += check_resource_config(resource_defs, needed, cfg)
    if job is not None and request.executor is None:
        lines += _executor_problems(job, cfg)
    masker = run_masker(resource_defs, needed, cfg) if lines else None
    if masker is not None:
        lines = [masker.text(line) for line in lines]
    return _split(lines)


def _executor_problems(job: Any, cfg: Mapping[str, Any]) -> list[str]:
    from headwater.execution.executors.definition import multi_or_in_process_executor

    executor_def = job.executor_def or multi_or_in_process_executor
    try:
        executor_def.resolve(cfg.get("execution"))
    except InvalidConfigError as e:
        return e.errors or [str(e)]
    return []


def _split(lines: list[str]) -> list[tuple[str, str]]:
    """'ops.a.config.n: message' -> ('ops.a.config.n', 'message'); a line that names no
    config path (a resource that is not provided) has the path ''."""
    out = []
    for line in lines:
        head, sep, rest = line.partition(": ")
        path = head.split(" (", 1)[0]  # "resources.r.config.f (from environment variable ...)"
        if sep and path.split(".", 1)[0].split("[", 1)[0] in SECTIONS and " " not in path:
            out.append((path, rest if head == path else f"{head[len(path):].strip()}: {rest}"))
        else:
            out.append(("", line))
    return out
