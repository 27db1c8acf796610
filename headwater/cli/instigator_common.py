"""What ``headwater daemon``, ``headwater schedule`` and ``headwater sensor`` share: the code
location they work on (``-m/-f/-d/-a``, or ``pyproject.toml``) and its name.

The location's name is part of every schedule's and sensor's stored id (``<location>:<name>``),
so the commands and the daemon derive it the same way, from the ``LocationOrigin`` (Dagster's
default: the module name for ``-m``, the file's name for ``-f``).
"""

from __future__ import annotations

from typing import Any

from headwater.cli.loading import LocationArgs


def location_name(args: LocationArgs) -> str:
    """The location's name, as the daemon and the workspace name it (``LocationOrigin.name``)."""
    return args.origin().name


def open_location(args: LocationArgs, instance: Any) -> Any:
    """Load the code and serve it as an in-process ``CodeLocation``."""
    from headwater.locations.in_process import InProcessLocation

    loaded = args.load()
    return InProcessLocation.from_definitions(location_name(args), loaded.defs, instance,
                                              loaded.origin)
