"""What ``headwater daemon``, ``headwater schedule`` and ``headwater sensor`` share: the code
location they work on (``-m/-f/-d/-a``, or ``pyproject.toml``) and its name.

The location's name is part of every schedule's and sensor's stored id (``<location>:<name>``),
so the commands and the daemon must derive it the same way: the module name for ``-m``, the
file's stem for ``-f``, else the module ``pyproject.toml`` names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from headwater.cli.loading import CodeLocation as LoadedCode
from headwater.cli.loading import LocationArgs


def location_name(loaded: LoadedCode) -> str:
    origin = loaded.origin
    for prefix in ("module ", "the defs folder of "):
        if origin.startswith(prefix):
            return origin[len(prefix):].split(" ")[0]
    if origin.startswith("file "):
        return Path(origin[len("file "):]).stem
    return "default"


def open_location(args: LocationArgs, instance: Any) -> Any:
    """Load the code and serve it as an in-process ``CodeLocation``."""
    from headwater.locations.in_process import InProcessLocation

    loaded = args.load()
    name = location_name(loaded)
    return InProcessLocation.from_definitions(name, loaded.defs, instance, loaded.origin)
