"""``dagster.preview.freshness``: the freshness policy of an asset."""

from headwater.definitions.automation import FreshnessPolicy

__all__ = ["FreshnessPolicy"]
