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
from headwater.definitions.job_pointers import is_pointer
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
    from headwater.execution.launch import LoadedTarget, launch, request_for_job

    if instance is None:
        raise InvalidInvocationError(
            "execute_job needs an instance (its runs are recorded there, and worker processes "
            "open it too): pass instance=Instance.get() or instance_for_test()")
    recon = job if is_pointer(job) else None
    job_def = recon.get_definition() if recon is not None else job
    if reexecution_options is not None:  # re-executions run in this process
        from headwater.execution.reexecute import reexecute_job

        return reexecute_job(job_def, reexecution_options, instance=instance,
                             run_config=run_config, tags=tags, raise_on_error=raise_on_error,
                             result_cls=ExecutionResult)
    if run_config is None:
        run_config = job_def.config
    # the job's own executor (request.executor None), found by name in the registry
    request = request_for_job(job_def, run_config, op_selection, asset_selection,
                           tags=dict(tags or {}), run_id=run_id, executor=None)
    result = launch(request, instance, LoadedTarget.of_job(job_def, reconstructable=recon),
                    raise_on_error=raise_on_error, result_cls=ExecutionResult)
    assert isinstance(result, ExecutionResult)
    return result
