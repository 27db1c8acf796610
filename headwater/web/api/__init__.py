"""The ``/api/v1`` endpoints, one module per resource, all registered on ``API``."""

from headwater.web.routing import Api

API = Api()


def load_endpoints() -> Api:
    """Import every resource module (each registers its endpoints on ``API``) and return it."""
    # asset_checks and asset_metadata register before assets: its `/assets/{key:path}`
    # would otherwise take their longer paths.
    from headwater.web.api import (  # noqa: F401
        asset_checks,
        asset_metadata,
        assets,
        backfills,
        compute_logs,
        concurrency,
        events,
        graph,
        instigators,
        jobs,
        launches,
        locations,
        runs,
        server_info,
    )

    return API
