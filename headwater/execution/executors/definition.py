"""Executor definitions: ``in_process_executor``, ``multiprocess_executor`` and the default.

As in Dagster, a job names its executor (``@job(executor_def=...)``,
``define_asset_job(executor_def=...)``, ``Definitions(executor=...)``), configured in code
(``multiprocess_executor.configured({"max_concurrent": 4})`` or, Headwater's shorthand,
``multiprocess_executor(max_concurrency=4)``) or per run (``{"execution": {"config": {...}}}``).

``multiprocess`` config: ``max_concurrent`` (0 or absent: ``os.cpu_count()``),
``tag_concurrency_limits`` (see ``limits.py``), ``start_method`` (``spawn``, the default, or
``forkserver`` with ``preload_modules``; Headwater adds ``fork``: workers forked from the
launching process, which has the job imported already — much faster to start, for launchers
that run no other threads), ``retries`` (accepted; step retries follow each
op's RetryPolicy). Without a ``start_method`` in config the default is ``spawn``, except in a run
worker forked from a code location's template (``set_default_start_method("fork")``): that
process is single-threaded and has the code imported, so its step workers are forked warm too.
The default executor, ``multi_or_in_process_executor``, takes
``{"multiprocess": {...}}`` (the default) or ``{"in_process": {}}``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from headwater.definitions.errors import InvalidConfigError
from headwater.execution.executors.limits import TagConcurrencyLimits
from headwater.execution.executors.registry import (
    ExecutorBuild,
    ExecutorConfig,
    ExecutorKind,
    executor_kind,
    is_registered,
    register,
    registered_executors,
)

_MULTIPROCESS_FIELDS = {"max_concurrent", "max_concurrency", "tag_concurrency_limits",
                        "start_method", "retries"}
_IN_PROCESS_FIELDS = {"retries", "marker_to_close", "tag_concurrency_limits"}
START_METHODS = ("spawn", "forkserver", "fork")
_default_start_method = "spawn"


def set_default_start_method(method: str) -> None:
    """The start method of multiprocess runs whose config names none, in this process (a run
    worker forked from a warm template sets ``fork``)."""
    global _default_start_method
    if method not in START_METHODS:
        raise ValueError(f"start method {method!r}: expected one of {list(START_METHODS)}")
    _default_start_method = method


def default_start_method() -> str:
    return _default_start_method


class ExecutorDefinition:
    """Which executor a job runs with, and its configuration."""

    def __init__(self, name: str, config: Mapping[str, Any] | None = None,
                 description: str | None = None):
        self.name = name
        self.config = dict(config or {})
        self.description = description

    def configured(self, config: Mapping[str, Any], name: str | None = None,
                   **_: Any) -> ExecutorDefinition:
        """This executor with (more) config set in code; run config may still override it."""
        return ExecutorDefinition(name or self.name, {**self.config, **dict(config)},
                                  self.description)

    def __call__(self, **config: Any) -> ExecutorDefinition:
        """``multiprocess_executor(max_concurrency=4)``: shorthand for ``configured``."""
        return self.configured(config)

    def resolve(self, run_execution_config: Any = None) -> ExecutorConfig:
        """Code config merged with the run's ``execution`` config, validated by the executor
        registered under this name (``registry.py``)."""
        kind = executor_kind(self.name, f"executor_def {self.name!r}")
        run_cfg = _run_executor_config(run_execution_config)
        return kind.validate(kind.merge(self.config, run_cfg), "execution.config")

    def __repr__(self) -> str:
        return f"ExecutorDefinition({self.name!r}, config={self.config!r})"


def _run_executor_config(raw: Any) -> dict[str, Any]:
    """The executor part of run config: ``{"config": {...}}``, or the legacy per-name form."""
    if not raw:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidConfigError("Invalid executor config",
                                 [f"execution: expected {{'config': {{...}}}}, got {raw!r}"])
    if "config" in raw:
        return dict(raw["config"] or {})
    if len(raw) == 1:  # {"multiprocess": {"config": {...}}} (Dagster's older form)
        (name, body), = raw.items()
        if isinstance(body, Mapping) and is_registered(name):
            return {name: dict(body.get("config", body) or {})}
        if isinstance(body, Mapping) and name != "config":
            executor_kind(name, "execution")  # names the registered executors
    raise InvalidConfigError("Invalid executor config",
                             [f"execution: expected {{'config': {{...}}}}, got keys {sorted(raw)}"])


def _unknown(cfg: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(cfg) - allowed)
    if unknown:
        raise InvalidConfigError("Invalid executor config", [
            f"{where}.{k}: unknown field (fields: {', '.join(sorted(allowed))})" for k in unknown])


def _in_process(cfg: Mapping[str, Any], where: str) -> ExecutorConfig:
    _unknown(cfg, _IN_PROCESS_FIELDS, where)
    return ExecutorConfig("in_process", 1, TagConcurrencyLimits.from_config(
        cfg.get("tag_concurrency_limits"), f"{where}.tag_concurrency_limits"))


def _multiprocess(cfg: Mapping[str, Any], where: str) -> ExecutorConfig:
    _unknown(cfg, _MULTIPROCESS_FIELDS, where)
    raw = cfg.get("max_concurrent", cfg.get("max_concurrency"))
    if raw is not None and (not isinstance(raw, int) or isinstance(raw, bool) or raw < 0):
        raise InvalidConfigError("Invalid executor config", [
            f"{where}.max_concurrent: expected an integer >= 0 (0: one per CPU), got {raw!r}"])
    max_concurrent = raw or os.cpu_count() or 1
    start = cfg.get("start_method") or _default_start_method
    preload: tuple[str, ...] = ()
    if isinstance(start, Mapping):
        if len(start) != 1:
            raise InvalidConfigError("Invalid executor config", [
                f"{where}.start_method: expected one of {list(START_METHODS)}, got {dict(start)}"])
        (start, options), = start.items()
        preload = tuple((options or {}).get("preload_modules") or ())
    if start not in START_METHODS:
        raise InvalidConfigError("Invalid executor config", [
            f"{where}.start_method: expected one of {list(START_METHODS)}, got {start!r}"])
    limits = TagConcurrencyLimits.from_config(cfg.get("tag_concurrency_limits"),
                                              f"{where}.tag_concurrency_limits")
    return ExecutorConfig("multiprocess", max_concurrent, limits, start, preload)


def _selectable() -> list[str]:
    """The executors the default one may select: every registered one but the selectors."""
    return [n for n in registered_executors() if executor_kind(n).build is not None]


def _selection_merge(code: Mapping[str, Any], run: Mapping[str, Any]) -> dict[str, Any]:
    """The run's choice replaces the code's (``{"in_process": {}}`` drops a coded
    ``{"multiprocess": {...}}``)."""
    if not run:
        return dict(code)
    chosen = set(run) & set(_selectable())
    return {**{k: v for k, v in code.items() if not chosen or k in chosen}, **run}


def _multi_or_in_process(cfg: Mapping[str, Any], where: str) -> ExecutorConfig:
    """``{"multiprocess": {...}}`` (the default), ``{"in_process": {...}}``, or another
    registered executor's name and config."""
    names = _selectable()
    ordered = ["multiprocess", "in_process"] + [n for n in names
                                                if n not in ("multiprocess", "in_process")]
    if set(cfg) - set(names) or len(cfg) > 1:
        quoted = [repr(n) for n in ordered]
        choices = (" or ".join(quoted) if len(quoted) <= 2
                   else f"{', '.join(quoted[:-1])} or {quoted[-1]}")
        raise InvalidConfigError("Invalid executor config", [
            f"{where}: expected one of {choices}, got {sorted(cfg)}"])
    (name, body), = (cfg or {"multiprocess": {}}).items()
    return executor_kind(name, where).validate(body or {}, f"{where}.{name}")


def _build_in_process(config: ExecutorConfig, target: ExecutorBuild) -> Any:
    from headwater.execution.executors.base import InProcessExecutor

    return InProcessExecutor(config.tag_limits)


def _build_multiprocess(config: ExecutorConfig, target: ExecutorBuild) -> Any:
    from headwater.definitions.job_pointers import pointer_for
    from headwater.execution.executors.multiprocess import MultiprocessExecutor

    return MultiprocessExecutor(
        target.reconstructable or pointer_for(target.job_def), config,
        instance=target.instance, run_config=target.run_config,
        op_selection=target.op_selection, asset_selection=target.asset_selection)


register(ExecutorKind("in_process", _in_process, _build_in_process,
                      "Every step in the launching process, one at a time."))
register(ExecutorKind("multiprocess", _multiprocess, _build_multiprocess,
                      "Steps in a pool of long-lived worker processes."))
register(ExecutorKind("multi_or_in_process", _multi_or_in_process, None,
                      "The default: multiprocess, or another executor named in run config.",
                      merge=_selection_merge))

in_process_executor = ExecutorDefinition(
    "in_process", description="Every step in the launching process, one at a time.")
multiprocess_executor = ExecutorDefinition(
    "multiprocess", description="Steps in a pool of long-lived worker processes.")
multi_or_in_process_executor = ExecutorDefinition(
    "multi_or_in_process",
    description="The default: multiprocess, or in-process when run config says in_process.")
