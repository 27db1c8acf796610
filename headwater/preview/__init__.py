"""``dg.preview``: APIs Dagster marks as preview, under the same module paths."""
