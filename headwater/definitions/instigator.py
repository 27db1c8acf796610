"""What schedules and sensors share (Dagster calls both "instigators"): the job or assets they
target, how their evaluation function receives its context and resources, the contexts'
instance and resources, and validation against the Definitions they are part of."""

from __future__ import annotations

import copy
import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from headwater.definitions._runtime import execution
from headwater.definitions.asset_key import check_valid_name
from headwater.definitions.assets import AssetsDefinition
from headwater.definitions.errors import (
    InvalidDefinitionError,
    InvalidInvocationError,
    InvalidSubsetError,
    InvariantViolationError,
    UserCodeExecutionError,
)
from headwater.definitions.jobs import IMPLICIT_ASSET_JOB_NAME, UnresolvedAssetJobDefinition
from headwater.definitions.op import analyze_params
from headwater.definitions.run_request import RunRequest

ANONYMOUS_ASSET_JOB_PREFIX = "__anonymous_asset_job_"
_NO_DEFAULT = inspect.Parameter.empty


# ------------------------------------------------------------------------------ targets

@dataclass(frozen=True)
class AutomationTarget:
    """The job a schedule or sensor launches: by name only, or with the job object itself
    (given, or built for an asset selection). ``assets_defs`` are assets given directly as
    the target, which the Definitions should include."""

    job_name: str
    job: Any = None
    assets_defs: tuple[AssetsDefinition, ...] = ()


def _is_job(value: Any) -> bool:
    return isinstance(value, UnresolvedAssetJobDefinition) or (
        hasattr(value, "execute_in_process") and isinstance(getattr(value, "name", None), str))


def job_target(job: Any) -> AutomationTarget:
    return AutomationTarget(job.name, job)


def selection_target(selection: Any, owner_name: str) -> AutomationTarget:
    """An implicit asset job for ``target=`` / ``asset_selection=`` given as assets or a selection."""
    if isinstance(selection, AssetsDefinition):
        selection = [selection]
    items = selection if isinstance(selection, (list, tuple, set, frozenset)) else ()
    assets = tuple(a for a in items if isinstance(a, AssetsDefinition))
    name = ANONYMOUS_ASSET_JOB_PREFIX + owner_name
    return AutomationTarget(name, UnresolvedAssetJobDefinition(name, selection=selection), assets)


def coerce_targets(what: str, owner_name: str | None, *, job: Any = None,
                   job_name: str | None = None, jobs: Iterable[Any] | None = None,
                   target: Any = None, asset_selection: Any = None) -> list[AutomationTarget]:
    given = [n for n, v in (("job", job), ("job_name", job_name), ("jobs", jobs),
                            ("target", target), ("asset_selection", asset_selection))
             if v is not None]
    if len(given) > 1:
        raise InvalidDefinitionError(
            f"{what} was given {' and '.join(given)}; pass only one of them")
    if job is not None:
        return [job_target(job)]
    if job_name is not None:
        return [AutomationTarget(job_name)]
    if jobs is not None:
        return [job_target(j) for j in jobs]
    sel = target if target is not None else asset_selection
    if sel is None:
        return []
    if _is_job(sel):
        return [job_target(sel)]
    if owner_name is None:
        raise InvalidDefinitionError(f"{what} targets assets, so it needs a name: pass name=...")
    return [selection_target(sel, owner_name)]


def target_jobs(instigators: Iterable[Any]) -> list[Any]:
    """The job objects that schedules and sensors carry (Definitions includes them)."""
    return [t.job for i in instigators for t in getattr(i, "targets", ()) if t.job is not None]


def target_assets(instigators: Iterable[Any], present: Iterable[Any] = ()) -> list[AssetsDefinition]:
    """The assets given directly as schedule or sensor targets and not already ``present``
    (Definitions includes them, as Dagster does)."""
    seen = {id(a) for a in present}
    out = []
    for a in (a for i in instigators for t in getattr(i, "targets", ()) for a in t.assets_defs):
        if id(a) not in seen:
            seen.add(id(a))
            out.append(a)
    return out


# ------------------------------------------------------------------- evaluation functions

class EvaluationFunction:
    """A schedule or sensor function: which parameters receive the context (and, for an asset
    sensor, the event) and which receive resources, by their type annotation."""

    def __init__(self, fn: Callable[..., Any], what: str, slots: tuple[str, ...] = ("context",)):
        params = analyze_params(fn, what)
        self.fn = fn
        self.resource_params = tuple(p.name for p in params if p.role == "resource")
        positional = [p for p in params if p.role not in ("resource", "var_kwargs")]
        extra = [p.name for p in positional[len(slots):] if p.default is _NO_DEFAULT]
        if extra:
            raise InvalidDefinitionError(
                f"{what} ({_where(fn)}): parameter(s) {extra} are neither the "
                f"{' nor the '.join(slots)} nor a resource. Resources are parameters annotated "
                "with their ConfigurableResource class (or ResourceParam[...]); give other "
                "parameters a default or remove them.")
        self.slot_params = tuple(p.name for p in positional[:len(slots)])

    @property
    def takes_context(self) -> bool:
        return bool(self.slot_params)

    def bind_direct(self, what: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                    context_types: tuple[type, ...], hint: str) -> tuple[Any, dict[str, Any]]:
        """Split a direct call's arguments into the context and resources given by keyword."""
        kwargs = dict(kwargs)
        if len(args) > 1:
            raise InvalidInvocationError(
                f"{what} was called with {len(args)} positional arguments; pass only the "
                f"context ({hint}), and resources by keyword")
        context = args[0] if args else None
        for key in (*self.slot_params[:1], "context"):
            if context is None and key in kwargs:
                context = kwargs.pop(key)
        resources = {n: kwargs.pop(n) for n in self.resource_params if n in kwargs}
        if kwargs:
            raise InvalidInvocationError(
                f"{what} was called with unexpected arguments {sorted(kwargs)}; it takes a "
                f"context and its resources {list(self.resource_params)}")
        if context is not None and not isinstance(context, context_types):
            raise InvalidInvocationError(
                f"{what} expects a {context_types[0].__name__} ({hint}), got "
                f"{type(context).__name__}")
        if context is None and self.takes_context:
            raise InvalidInvocationError(
                f"{what} takes a context argument, and none was given: call it with {hint}")
        return context, resources

    def arguments(self, what: str, context: Any, extra: tuple[Any, ...] = (),
                  resources: Mapping[str, Any] | None = None) -> dict[str, Any]:
        bound = dict(zip(self.slot_params, (context, *extra), strict=False))
        resources = resources or {}
        for name in self.resource_params:
            if name in resources:
                bound[name] = resources[name]
            elif context is not None and name in context.resource_defs:
                bound[name] = getattr(context.resources, name)
            else:
                raise InvalidInvocationError(
                    f"{what} needs the resource {name!r}, which was not provided. Pass it in "
                    f"the context's resources={{{name!r}: ...}} or provide it in "
                    "Definitions(resources=...).")
        return bound

    def __call__(self, what: str, context: Any, extra: tuple[Any, ...] = (),
                 resources: Mapping[str, Any] | None = None) -> Any:
        return self.fn(**self.arguments(what, context, extra, resources))

    def run_for_tick(self, what: str, context: Any, extra: tuple[Any, ...] = ()) -> Any:
        """Call the function for a tick; a generator is drained here. User errors are wrapped
        in ``UserCodeExecutionError`` naming the schedule or sensor."""
        bound = self.arguments(what, context, extra)
        return run_user_code(what, self.fn, lambda: self.fn(**bound))


def run_user_code(what: str, fn: Any, call: Callable[[], Any]) -> Any:
    try:
        result = call()
        return list(result) if inspect.isgenerator(result) else result
    except Exception as e:
        raise UserCodeExecutionError(
            f"{what} raised an error in {_where(fn)}: {type(e).__name__}: {e}",
            user_exception=e) from e


def call_with_optional_context(fn: Callable[..., Any], context: Any) -> Any:
    """Call a helper such as ``run_config_fn`` that may or may not take the context."""
    try:
        takes = len(inspect.signature(fn).parameters) > 0
    except (TypeError, ValueError):
        takes = True
    return fn(context) if takes else fn()


def _where(fn: Any) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


# ------------------------------------------------------------------------------ contexts

class InstigatorContext:
    """The instance, resources and logger a schedule or sensor evaluation sees."""

    _builder = "build_*_context"

    def __init__(self, instance: Any = None, resources: Mapping[str, Any] | None = None,
                 definitions: Any = None, log_name: str = "headwater"):
        self._instance = instance
        self._resource_defs = dict(resources or {})
        self._resources: Any = None
        self._stack: Any = None
        self._definitions = definitions
        self._log = logging.getLogger(log_name)

    @property
    def instance(self) -> Any:
        if self._instance is None:
            raise InvariantViolationError(
                f"This context has no instance: pass {self._builder}(instance=...) "
                "(e.g. headwater.Instance.ephemeral())")
        return self._instance

    @property
    def resource_defs(self) -> dict[str, Any]:
        return dict(self._resource_defs)

    @property
    def resources(self) -> Any:
        """The resources, set up on first use (and torn down when the context is closed)."""
        if self._resources is None:
            import contextlib

            # Resource set-up is the execution layer's, reached lazily like _runtime does.
            init_resources = execution().init_resources
            self._stack = contextlib.ExitStack()
            self._resources = init_resources(self._resource_defs, set(self._resource_defs),
                                             self._stack, instance=self._instance)
        return self._resources

    def merge_resources(self, resources: Mapping[str, Any]) -> InstigatorContext:
        """A copy whose resources are these plus ``resources`` (these win on a clash)."""
        other = copy.copy(self)
        other._resource_defs = {**dict(resources), **self._resource_defs}
        other._resources = other._stack = None
        return other

    @property
    def definitions(self) -> Any:
        return self._definitions

    @property
    def repository_def(self) -> Any:
        return self._definitions

    @property
    def log(self) -> logging.Logger:
        return self._log

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = self._resources = None

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


# ---------------------------------------------------------------------------- the base

class Instigator:
    """Fields and behaviour shared by ``ScheduleDefinition`` and ``SensorDefinition``."""

    kind = "instigator"

    def _init_common(self, name: str, targets: list[AutomationTarget], description: str | None,
                     default_status: Any, required_resource_keys: Iterable[str] | None,
                     tags: Mapping[str, str] | None, metadata: Mapping[str, Any] | None,
                     owners: Iterable[str] | None, evaluation: EvaluationFunction | None) -> None:
        self.name = check_valid_name(name, f"{self.kind.capitalize()} name")
        self.targets = targets
        self.description = description
        self.default_status = default_status
        self.tags = dict(tags or {})
        self.metadata = dict(metadata or {})
        self.owners = list(owners or ())
        self._evaluation = evaluation
        declared = set(evaluation.resource_params) if evaluation else set()
        self.required_resource_keys = frozenset({*(required_resource_keys or ()), *declared})

    @property
    def what(self) -> str:
        return f"{self.kind.capitalize()} {self.name!r}"

    # --- targets ---
    @property
    def has_job(self) -> bool:
        return bool(self.targets)

    @property
    def job_name(self) -> str:
        return self._only_target().job_name

    @property
    def job(self) -> Any:
        target = self._only_target()
        if target.job is None:
            raise InvalidDefinitionError(
                f"{self.what} targets job {target.job_name!r} by name; the job object is found "
                "in the Definitions (Definitions.get_job_def)")
        return target.job

    @property
    def jobs(self) -> list[Any]:
        return [t.job for t in self.targets if t.job is not None]

    @property
    def job_names(self) -> list[str]:
        return [t.job_name for t in self.targets]

    def _only_target(self) -> AutomationTarget:
        if not self.targets:
            raise InvalidDefinitionError(f"No job was provided to {self.what}")
        if len(self.targets) > 1:
            raise InvalidDefinitionError(
                f"{self.what} targets several jobs {self.job_names}; job_name is ambiguous, "
                "use job_names")
        return self.targets[0]

    def job_name_for(self, run_request: RunRequest) -> str:
        """The job a run request launches, checked against the targets."""
        names = self.job_names
        if not names:
            raise InvalidDefinitionError(
                f"{self.what} returned a RunRequest but targets no job: pass job=, jobs=, "
                f"job_name= or target= to the {self.kind}")
        if run_request.job_name is None:
            if len(names) > 1:
                raise InvalidDefinitionError(
                    f"{self.what} targets several jobs {names}, so each RunRequest must name "
                    "one: RunRequest(job_name=...)")
            return names[0]
        if run_request.job_name not in names:
            raise InvalidDefinitionError(
                f"{self.what} returned a RunRequest for job {run_request.job_name!r}, which it "
                f"does not target; its jobs are {names}")
        return run_request.job_name

    def _tagged(self, requests: list[RunRequest], tag: str) -> list[RunRequest]:
        out = []
        for rr in requests:
            self.job_name_for(rr)
            out.append(rr.with_tags({tag: self.name}))
        return out

    # --- validation ---
    def validate_against(self, defs: Any) -> None:
        """Check this schedule or sensor against the Definitions it belongs to: each job it
        names exists, no other job shares a carried job's name, and asset targets resolve.
        ``Definitions.validate`` calls it."""
        defined = {getattr(j, "name", None): j for j in defs.jobs}
        carried = {j.name: j for j in target_jobs([*defs.schedules, *defs.sensors])}
        known = {**carried, **defined}
        for t in self.targets:
            if t.job is None:
                if t.job_name not in known and t.job_name != IMPLICIT_ASSET_JOB_NAME:
                    raise InvalidDefinitionError(
                        f"{self.what} targets job {t.job_name!r}, which is not defined in these "
                        f"Definitions (jobs: {sorted(n for n in known if n)}). Add the job to "
                        f"Definitions(jobs=[...]) or pass job=<the job> to the {self.kind}.")
                continue
            if t.job_name in defined and defined[t.job_name] is not t.job:
                raise InvalidDefinitionError(
                    f"{self.what} targets a job named {t.job_name!r}, and Definitions(jobs=...) "
                    "holds a different job with that name; pass the same job object, or "
                    "rename one of them")
            if isinstance(t.job, UnresolvedAssetJobDefinition) and t.job_name not in defined:
                self._check_asset_target(defs, t)

    def _check_asset_target(self, defs: Any, target: AutomationTarget) -> None:
        graph = defs.asset_graph
        missing = sorted(k.to_user_string() for a in target.assets_defs for k in a.keys
                         if k not in graph)
        if missing:
            raise InvalidDefinitionError(
                f"{self.what} targets assets {missing}, which are not in these Definitions; "
                "add them to Definitions(assets=[...])")
        try:
            target.job.resolve(graph, defs.resources)
        except InvalidSubsetError as e:
            raise InvalidDefinitionError(f"{self.what}: its target cannot be resolved: {e}") from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
