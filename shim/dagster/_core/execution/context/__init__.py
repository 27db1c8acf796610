"""``dagster._core.execution.context`` on Headwater: the execution contexts."""
