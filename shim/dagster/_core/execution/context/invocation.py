"""``dagster._core.execution.context.invocation`` on Headwater."""

from headwater.execution import build_asset_context, build_op_context  # noqa: F401

__all__ = ["build_asset_context", "build_op_context"]
