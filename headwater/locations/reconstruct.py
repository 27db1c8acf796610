"""``reconstructable(job)``: a picklable pointer from which another process rebuilds a job.

A pointer names a module (and its file, for ``__main__`` or a module not on ``sys.path``) and
an attribute there: the job itself, a ``Definitions`` holding it (``job_name``), or a
function that returns it (called with ``args``/``kwargs``). A worker process imports the
module once and keeps the job for every step it runs.

It lives with the locations because rebuilding imports user code; the executors see it only as
a ``JobPointer`` (``headwater.definitions.job_pointers``), and importing this module
registers ``reconstructable`` as the pointer factory they use for a job given without one.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.job_pointers import set_pointer_factory
from headwater.locations.loader import import_file

MAIN_ALIAS = "__headwater_main__"  # the name a pointer into __main__ is loaded under elsewhere

_LOADED: dict[ReconstructableJob, tuple[Any, Any]] = {}  # pointer -> (job, executor_def)
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ReconstructableJob:
    """Where a job is defined, so that a worker process can rebuild it."""

    module_name: str
    attribute: str
    file_path: str | None = None
    job_name: str | None = None  # set when the attribute is a Definitions
    call: bool = False  # the attribute is a function returning the job
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    working_directory: str | None = None

    def describe(self) -> str:
        where = f"{self.module_name}.{self.attribute}"
        if self.call:
            where += "()"
        return f"{where}[{self.job_name!r}]" if self.job_name else where

    def get_definition(self) -> Any:
        """The job (loaded once per process)."""
        return self._load()[0]

    def executor_def(self) -> Any:
        """The job's executor, else its Definitions' executor, else None."""
        return self._load()[1]

    @property
    def name(self) -> str:
        return self.get_definition().name

    @property
    def job_def(self) -> Any:
        return self.get_definition()

    def _load(self) -> tuple[Any, Any]:
        with _LOCK:
            found = _LOADED.get(self)
            if found is None:
                found = _LOADED[self] = self._resolve()
            return found

    def _resolve(self) -> tuple[Any, Any]:
        from headwater.definitions.definitions import Definitions

        module = load_module(self.module_name, self.file_path)
        try:
            value = getattr(module, self.attribute)
        except AttributeError:
            raise InvalidDefinitionError(
                f"Cannot rebuild job {self.describe()}: module {self.module_name!r} has no "
                f"attribute {self.attribute!r}") from None
        if self.call:
            value = value(*self.args, **dict(self.kwargs))
        defs_executor = None
        if isinstance(value, Definitions):
            defs_executor = value.executor
            value = value.get_job_def(self.job_name or "")
        if not hasattr(value, "graph_def") or not hasattr(value, "asset_ids"):
            raise InvalidDefinitionError(
                f"{self.describe()} is a {type(value).__name__}, not a job (@job, "
                "define_asset_job resolved by a Definitions, or a function returning a job)")
        return value, value.executor_def or defs_executor


def load_module(module_name: str, file_path: str | None) -> ModuleType:
    """The module a pointer names: imported by name, else loaded from its file."""
    if module_name == "__main__":
        main = sys.modules.get("__main__")
        main_file = getattr(main, "__file__", None)
        if main is not None and (file_path is None or (
                main_file and os.path.abspath(main_file) == file_path)):
            return main  # this process's own script (also: spawn's re-import of it)
        if file_path is None:
            raise InvalidDefinitionError(
                "A job defined in __main__ without a file (an interactive session) cannot be "
                "rebuilt in a worker process: define it in a module, or use the "
                "in_process_executor")
        return _load_file(MAIN_ALIAS, file_path)
    try:
        return importlib.import_module(module_name)
    except ImportError:
        if file_path is None or module_name in sys.modules:
            raise
    return _load_file(module_name, file_path)


def _load_file(name: str, path: str) -> ModuleType:
    return import_file(Path(path), name, reuse=True)


def _pointer(module: ModuleType, attribute: str, **kw: Any) -> ReconstructableJob:
    name = module.__name__
    file = getattr(module, "__file__", None)
    if name == "__mp_main__":  # a worker's view of the parent's script
        name = "__main__"
    return ReconstructableJob(name, attribute, os.path.abspath(file) if file else None,
                              working_directory=os.getcwd(), **kw)


def _op_modules(job: Any) -> Iterable[str]:
    """Modules of the functions a job runs: where it is most likely defined."""
    seen: dict[str, None] = {}

    def walk(graph: Any) -> None:
        for node in graph.nodes:
            d = node.definition
            if hasattr(d, "nodes"):
                walk(d)
            else:
                mod = getattr(getattr(d, "compute_fn", None), "__module__", None)
                if mod:
                    seen.setdefault(mod, None)

    if job.graph_def is not None:
        walk(job.graph_def)
    elif job.asset_graph is not None:
        for ad in job.asset_graph.assets_defs:
            mod = getattr(getattr(ad.op, "compute_fn", None), "__module__", None)
            if mod:
                seen.setdefault(mod, None)
    return seen


def _find(job: Any) -> ReconstructableJob | None:
    """The module attribute that is this job, or a module-level Definitions that holds it."""
    from headwater.definitions.definitions import Definitions

    preferred = [sys.modules[m] for m in _op_modules(job) if m in sys.modules]
    main = sys.modules.get("__main__")
    others = [m for m in list(sys.modules.values()) if isinstance(m, ModuleType)]
    seen: set[int] = set()
    for module in [*preferred, *([main] if main is not None else []), *others]:
        if id(module) in seen:
            continue
        seen.add(id(module))
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for attr, value in items:
            if value is job:
                return _pointer(module, attr)
        for attr, value in items:  # a Definitions that resolves to this very job
            if type(value) is Definitions and (
                    any(j is job for j in value.jobs) or (
                    job.asset_graph is not None
                    and value.__dict__.get("asset_graph") is job.asset_graph)):
                return _pointer(module, attr, job_name=job.name)
    return None


def reconstructable(target: Any) -> ReconstructableJob:
    """A pointer to a job defined at module level (or a module-level function returning one).

    Accepts: a ``@job``; an asset job resolved from a module-level ``Definitions``
    (``defs.get_job_def(name)``); a module-level function that builds and returns a job.
    """
    if isinstance(target, ReconstructableJob):
        return target
    if callable(target) and not hasattr(target, "graph_def") and hasattr(target, "__qualname__"):
        module = sys.modules.get(getattr(target, "__module__", "") or "")
        name = target.__qualname__
        if module is None or "<locals>" in name or getattr(module, name, None) is not target:
            raise InvalidDefinitionError(
                f"reconstructable({name}): the function is not a module-level attribute of "
                f"{target.__module__!r}, so a worker process cannot import it. Define it at "
                "module level (or use the in_process_executor).")
        return _pointer(module, name, call=True)
    if not (hasattr(target, "graph_def") and hasattr(target, "asset_ids")):
        raise InvalidDefinitionError(
            f"reconstructable() takes a job or a module-level function returning one, not "
            f"{type(target).__name__}")
    found = _find(target)
    if found is None:
        raise InvalidDefinitionError(
            f"Job {target.name!r} cannot be rebuilt in a worker process: it is not an attribute "
            "of any imported module (nor in a module-level Definitions), e.g. because it was "
            "defined inside a function. Define the job (or a function returning it) at module "
            "level, or run it with the in_process_executor.")
    return found


def build_reconstructable_job(reconstructor_module_name: str,
                              reconstructor_function_name: str,
                              reconstructable_args: tuple[Any, ...] | None = None,
                              reconstructable_kwargs: Mapping[str, Any] | None = None,
                              reconstructor_working_directory: str | None = None,
                              ) -> ReconstructableJob:
    """A pointer to a function ``module.function(*args, **kwargs)`` that returns the job."""
    module = importlib.import_module(reconstructor_module_name)
    file = getattr(module, "__file__", None)
    return ReconstructableJob(
        reconstructor_module_name, reconstructor_function_name,
        os.path.abspath(file) if file else None, call=True,
        args=tuple(reconstructable_args or ()),
        kwargs=tuple(sorted((reconstructable_kwargs or {}).items())),
        working_directory=reconstructor_working_directory or os.getcwd())


set_pointer_factory(reconstructable)
