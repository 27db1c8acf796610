"""``dagster._core.execution.context.op_execution_context`` on Headwater."""

from headwater.execution import OpExecutionContext  # noqa: F401

__all__ = ["OpExecutionContext"]
