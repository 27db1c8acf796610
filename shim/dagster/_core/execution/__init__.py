"""``dagster._core.execution`` on Headwater: only the submodules real projects import."""
