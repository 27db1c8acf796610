"""``dagster_shared`` on Headwater: the few names projects import from Dagster's shared utilities."""
