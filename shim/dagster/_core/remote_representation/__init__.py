"""``dagster._core.remote_representation`` on Headwater (see ``external_data``)."""
