"""``execute_job``: run a job with its executor (Dagster's ``execute_job``).

``job.execute_in_process()`` always runs in this process. ``execute_job`` runs with the job's
executor (else its Definitions' executor, else ``multi_or_in_process_executor``: multiprocess
unless the run config says ``in_process``), so it takes a ``reconstructable(job)`` pointer and
a persistent instance. Its result loads outputs through their IO managers; use it as a
context manager (``with execute_job(...) as result:``) to release them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from headwater.definitions.errors import InvalidInvocationError
from headwater.definitions.run_config import normalize_run_config
from headwater.execution.executors.definition import multi_or_in_process_executor
from headwater.execution.executors.reconstruct import ReconstructableJob
from headwater.execution.executors.registry import ExecutorBuild, build_executor
from headwater.execution.result import ExecuteInProcessResult


class ExecutionResult(ExecuteInProcessResult):
    """The result of ``execute_job``: outputs are read through IO managers when asked for."""

    def close(self) -> None:
        close = getattr(self._outputs, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> ExecutionResult:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ExecutionResult(run_id={self.run_id!r}, success={self.success})"


def execute_job(job: Any, instance: Any, run_config: Any = None,
                tags: Mapping[str, str] | None = None, raise_on_error: bool = False,
                op_selection: Any = None, asset_selection: Any = None,
                run_id: str | None = None, reexecution_options: Any = None,
                **_: Any) -> ExecutionResult:
    """Run ``job`` (a ``reconstructable(job)``, or a module-level job) with its executor."""
    from headwater.execution.api import build_job_plan
    from headwater.execution.run import execute_plan

    if instance is None:
        raise InvalidInvocationError(
            "execute_job needs an instance (its runs are recorded there, and worker processes "
            "open it too): pass instance=Instance.get() or instance_for_test()")
    recon = job if isinstance(job, ReconstructableJob) else None
    job_def = recon.get_definition() if recon is not None else job
    if reexecution_options is not None:  # re-executions run in this process
        from headwater.execution.reexecute import reexecute_job

        return reexecute_job(job_def, reexecution_options, instance=instance,
                             run_config=run_config, tags=tags, raise_on_error=raise_on_error,
                             result_cls=ExecutionResult)
    executor_def = ((recon.executor_def() if recon is not None else job_def.executor_def)
                    or multi_or_in_process_executor)
    if run_config is None:
        run_config = job_def.config
    cfg = normalize_run_config(run_config)
    config = executor_def.resolve(cfg.get("execution"))
    executor = build_executor(config, ExecutorBuild(
        job_def, instance, cfg, recon, op_selection, asset_selection))
    all_tags = {**job_def.tags, **(tags or {})}
    plan = build_job_plan(job_def, run_config=cfg, op_selection=op_selection,
                          asset_selection=asset_selection)
    result = execute_plan(plan, instance=instance, resources=job_def.resource_defs,
                          run_config=cfg, tags=all_tags, job_name=job_def.name,
                          raise_on_error=raise_on_error,
                          run_id=run_id, job_def=job_def, executor=executor,
                          result_cls=ExecutionResult)
    assert isinstance(result, ExecutionResult)
    return result
