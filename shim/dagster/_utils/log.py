"""``dagster._utils.log`` on Headwater."""

from headwater.execution import get_dagster_logger

__all__ = ["get_dagster_logger"]
