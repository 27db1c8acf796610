"""``dagster._config.field_utils`` on Headwater: ``Shape``, ``Permissive``, ``Selector``, ``Map``."""

from headwater.definitions.config_types import Map, Permissive, Selector, Shape  # noqa: F401
