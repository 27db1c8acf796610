"""dagster.preview on Headwater."""
