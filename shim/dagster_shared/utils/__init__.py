"""``dagster_shared.utils`` on Headwater (see ``warnings``)."""
