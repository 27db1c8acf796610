"""``dagster._core.execution.context.input`` on Headwater."""

from headwater.execution import InputContext, build_input_context  # noqa: F401

__all__ = ["InputContext", "build_input_context"]
