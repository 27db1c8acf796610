"""``dagster._core.execution.context.compute`` on Headwater."""

from headwater.execution import (  # noqa: F401
    AssetCheckExecutionContext,
    AssetExecutionContext,
    OpExecutionContext,
)

__all__ = ["AssetExecutionContext", "OpExecutionContext", "AssetCheckExecutionContext"]
