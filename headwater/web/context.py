"""What the web app serves from: the instance, the code locations, and whether it may write."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from headwater.locations.contracts import CodeLocation
from headwater.web.catalog import Catalog, CatalogCache


@dataclass
class WebContext:
    instance: Any  # a headwater.storage.Instance (thread-safe)
    # The current code locations (the web server's are code servers, so user code is never
    # imported here); called per request, so a reload or a restarted server is seen at once.
    locations: Callable[[], Sequence[CodeLocation]]
    read_only: bool = False
    # Reload a location by name (the LocationManager's); None when not supported.
    reload_location: Callable[[str], Any] | None = None
    _catalogs: CatalogCache = field(default_factory=CatalogCache, repr=False)

    def catalog(self) -> Catalog:
        """Every asset of the current snapshots."""
        return self._catalogs.get(self.locations())

    def location(self, name: str) -> CodeLocation | None:
        return next((loc for loc in self.locations() if loc.name == name), None)
