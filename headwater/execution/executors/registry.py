"""Executors by name: each kind registers its config validation and a factory, once.

``ExecutorDefinition.resolve`` and every launch look an executor up here by its name; nothing
else chooses between executors. Built in: ``in_process``, ``multiprocess`` and the default
``multi_or_in_process`` (a *selector*: its run config names one of the other executors). An
executor from elsewhere (a later Dask executor, a test's) plugs in with one call::

    register(ExecutorKind("dask", validate=_dask_config, build=_dask_executor))

and is then usable as ``ExecutorDefinition("dask")`` or, under the default executor, from run
config (``{"execution": {"config": {"dask": {...}}}}``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from headwater.definitions.errors import InvalidConfigError, InvalidDefinitionError
from headwater.execution.executors.limits import TagConcurrencyLimits

if TYPE_CHECKING:
    from headwater.execution.executors.base import Executor


@dataclass(frozen=True)
class ExecutorConfig:
    """An executor, resolved for one run: its registered name and validated config."""

    kind: str  # a registered executor name
    max_concurrent: int = 1
    tag_limits: TagConcurrencyLimits | None = None
    start_method: str = "spawn"
    preload_modules: tuple[str, ...] = field(default=())
    # a plug-in's own validated settings (the built-in executors use the fields above)
    options: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ExecutorBuild:
    """What a factory may use to build an executor for one run."""

    job_def: Any  # the job being run
    instance: Any
    run_config: Mapping[str, Any]  # normalized
    reconstructable: Any = None  # a JobPointer (reconstructable(job)), when the caller gave one
    op_selection: Any = None
    asset_selection: Any = None


def _shallow_merge(code: Mapping[str, Any], run: Mapping[str, Any]) -> dict[str, Any]:
    return {**code, **run}


@dataclass(frozen=True)
class ExecutorKind:
    """One executor: its name, config validation and factory.

    ``validate(config, where)`` checks the merged config (``where`` is its path in run config,
    for error messages) and returns an ``ExecutorConfig``; ``build(config, target)`` returns a
    fresh ``Executor`` for one run. ``merge(code_config, run_config)`` combines the config set
    in code with the run's (default: the run's fields override)."""

    name: str
    validate: Callable[[Mapping[str, Any], str], ExecutorConfig]
    build: Callable[[ExecutorConfig, ExecutorBuild], Executor] | None
    description: str = ""
    merge: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]] = _shallow_merge


_KINDS: dict[str, ExecutorKind] = {}


def register(kind: ExecutorKind, *, replace: bool = False) -> ExecutorKind:
    """Make ``kind`` available by its name; re-registering a name needs ``replace=True``."""
    if kind.name in _KINDS and not replace and _KINDS[kind.name] is not kind:
        raise InvalidDefinitionError(
            f"An executor named {kind.name!r} is already registered; pick another name or pass "
            "replace=True")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget the executor ``name`` (tests that register their own)."""
    _KINDS.pop(name, None)


def registered_executors() -> list[str]:
    """The registered executor names, in registration order."""
    return list(_KINDS)


def is_registered(name: str) -> bool:
    return name in _KINDS


def executor_kind(name: str, where: str = "executor_def") -> ExecutorKind:
    """The executor registered as ``name``; a clear error naming the registered ones if none."""
    kind = _KINDS.get(name)
    if kind is None:
        raise InvalidConfigError("Unknown executor", [
            f"{where}: no executor named {name!r} is registered (registered executors: "
            f"{', '.join(repr(n) for n in _KINDS)}); register one with "
            "headwater.execution.executors.registry.register(ExecutorKind(...))"])
    return kind


def build_executor(config: ExecutorConfig, target: ExecutorBuild) -> Executor:
    """A fresh executor of ``config.kind`` for one run."""
    kind = executor_kind(config.kind)
    if kind.build is None:  # a selector resolves to another executor; never built itself
        raise InvalidDefinitionError(
            f"Executor {config.kind!r} selects another executor and cannot run steps itself")
    return kind.build(config, target)
