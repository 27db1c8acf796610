"""``dagster._core`` on Headwater: only the submodules real projects import."""
