"""What the web app serves from: the instance, the code locations, and whether it may write."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from headwater.locations.contracts import CodeLocation


@dataclass
class WebContext:
    instance: Any  # a headwater.storage.Instance (thread-safe)
    # The current code locations (the web server's are code servers, so user code is never
    # imported here); called per request, so a reload or a restarted server is seen at once.
    locations: Callable[[], Sequence[CodeLocation]]
    read_only: bool = False
    # Reload a location by name (the LocationManager's); None when not supported.
    reload_location: Callable[[str], Any] | None = None
    _catalogs: Any = field(default=None, repr=False)

    def catalog(self) -> Any:
        """Every asset of the current snapshots (``headwater.web.catalog.Catalog``)."""
        from headwater.web.catalog import CatalogCache

        if self._catalogs is None:
            self._catalogs = CatalogCache()
        return self._catalogs.get(self.locations())

    def location(self, name: str) -> CodeLocation | None:
        return next((loc for loc in self.locations() if loc.name == name), None)
