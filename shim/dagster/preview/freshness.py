"""dagster.preview.freshness on Headwater."""

from headwater.preview.freshness import FreshnessPolicy

__all__ = ["FreshnessPolicy"]
