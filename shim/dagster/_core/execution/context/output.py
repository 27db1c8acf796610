"""``dagster._core.execution.context.output`` on Headwater."""

from headwater.execution import OutputContext, build_output_context  # noqa: F401

__all__ = ["OutputContext", "build_output_context"]
