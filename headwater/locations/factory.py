"""``load_location(origin, instance)``: the one way services get a ``CodeLocation``.

Remote by default (a code server process, so that user code never runs in the caller: the
daemon, the webserver, ``headwater dev``); in process when asked (tests, short CLI commands).
"""

from __future__ import annotations

from typing import Any

from headwater.locations.contracts import CodeLocation
from headwater.locations.origins import LocationOrigin


def load_location(origin: LocationOrigin, instance: Any, *, in_process: bool = False,
                  start_timeout: float | None = None) -> CodeLocation:
    """A loaded location for ``origin``. A location whose code fails to load is still
    returned: its ``load_error`` says why. A code server that does not start raises
    ``LocationUnavailableError``."""
    if in_process:
        from headwater.locations.in_process import InProcessLocation
        from headwater.locations.loader import load_definitions

        return InProcessLocation(origin.name, lambda: load_definitions(origin).defs, instance,
                                 origin.describe())
    from headwater.locations.client import RemoteLocation
    from headwater.locations.process import DEFAULT_START_TIMEOUT, start_code_server

    home = getattr(instance, "home", None) if instance is not None else None
    process = start_code_server(origin, home=home,
                                timeout=start_timeout or DEFAULT_START_TIMEOUT)
    return RemoteLocation(origin.name, process.host, process.port, process=process)
