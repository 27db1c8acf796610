"""``dagster._core.execution.context.asset_execution_context`` on Headwater."""

from headwater.execution import AssetExecutionContext  # noqa: F401

__all__ = ["AssetExecutionContext"]
