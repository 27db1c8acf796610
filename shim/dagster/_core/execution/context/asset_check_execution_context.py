"""``dagster._core.execution.context.asset_check_execution_context`` on Headwater."""

from headwater.execution import AssetCheckExecutionContext  # noqa: F401

__all__ = ["AssetCheckExecutionContext"]
