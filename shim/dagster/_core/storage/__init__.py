"""``dagster._core.storage`` on Headwater: only the submodules real projects import."""
