"""``dagster._core.instance`` on Headwater: the instance is Headwater's ``Instance``."""

from headwater.storage import Instance as DagsterInstance

__all__ = ["DagsterInstance"]
