"""What the executors ask of a job pointer, and who makes one.

It sits with the definitions (no I/O, nothing imported) so that registering the factory costs
the locations layer no import of the execution machinery: every CLI command that loads code
registers it, most never run anything.

A pointer (``reconstructable(job)``) lets a worker process rebuild the job by importing the
user's code. Importing user code is the locations layer's business, so the pointer class lives
in ``headwater.locations.reconstruct``; the executors only see this protocol. When a run uses a
multi-process executor without a pointer, ``pointer_for`` asks the factory that the locations
layer registered when it was imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from headwater.definitions.errors import InvalidDefinitionError


@runtime_checkable
class JobPointer(Protocol):
    """A picklable address of a job: another process calls ``get_definition()`` to rebuild it."""

    def get_definition(self) -> Any:
        """The job (imported once per process)."""

    def executor_def(self) -> Any:
        """The job's executor, else its Definitions' executor, else None."""

    def describe(self) -> str:
        """Where the job is defined, for messages: ``my_module.my_job``."""


_factory: Callable[[Any], JobPointer] | None = None


def set_pointer_factory(factory: Callable[[Any], JobPointer]) -> None:
    """Register how to make a pointer from a job (``headwater.locations`` does, on import)."""
    global _factory
    _factory = factory


def is_pointer(value: Any) -> bool:
    return isinstance(value, JobPointer) and not hasattr(value, "graph_def")


def pointer_for(job: Any) -> JobPointer:
    """A pointer to ``job`` so that worker processes can rebuild it."""
    if _factory is None:
        raise InvalidDefinitionError(
            f"Job {getattr(job, 'name', job)!r} runs with a multi-process executor, whose workers "
            "rebuild the job from a pointer: pass reconstructable(job) (e.g. "
            "execute_job(reconstructable(my_job), instance)), or use the in_process_executor.")
    return _factory(job)
