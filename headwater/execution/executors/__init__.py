"""Executors: where a run's steps run. The run loop itself is ``headwater/execution/run.py``.

* ``base.py`` -- the contract (``Executor``) and the in-process executor;
* ``registry.py`` -- executors by name: each kind's config validation and factory;
* ``definition.py`` -- ``in_process_executor``, ``multiprocess_executor``, and their config;
* ``multiprocess.py`` / ``worker.py`` -- the pool of long-lived worker processes;
* ``pointer.py`` -- ``JobPointer``: how a worker finds the job (``reconstructable(job)``, in
  ``headwater.locations``, makes one);
* ``execute_job.py`` -- ``execute_job``: run a job with its executor.
"""

from headwater.definitions.job_pointers import JobPointer, pointer_for, set_pointer_factory
from headwater.execution.executors.base import Executor, InProcessExecutor, StepOutcome
from headwater.execution.executors.definition import (
    ExecutorDefinition,
    in_process_executor,
    multi_or_in_process_executor,
    multiprocess_executor,
)
from headwater.execution.executors.execute_job import ExecutionResult, execute_job
from headwater.execution.executors.registry import (
    ExecutorBuild,
    ExecutorConfig,
    ExecutorKind,
    register,
    registered_executors,
)

__all__ = [
    "ExecutionResult", "Executor", "ExecutorBuild", "ExecutorConfig", "ExecutorDefinition",
    "ExecutorKind", "InProcessExecutor", "JobPointer",
    "StepOutcome", "execute_job", "in_process_executor",
    "multi_or_in_process_executor", "multiprocess_executor", "pointer_for",
    "register", "registered_executors", "set_pointer_factory",
]
