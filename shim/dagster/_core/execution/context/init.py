"""``dagster._core.execution.context.init`` on Headwater."""

from headwater.execution import InitResourceContext, build_init_resource_context  # noqa: F401

__all__ = ["InitResourceContext", "build_init_resource_context"]
