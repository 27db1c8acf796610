"""Every asset of every code location, from their snapshots, indexed for the API: by key,
downstream edges, groups. Rebuilt only when a location's snapshot changes (a reload)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from headwater.locations.contracts import LocationLoadError, LocationUnavailableError
from headwater.locations.snapshot import AssetSnap, LocationSnapshot


def key_string(path: Sequence[str]) -> str:
    return "/".join(path)


@dataclass(frozen=True)
class CatalogAsset:
    location: str
    snap: AssetSnap

    @property
    def key(self) -> str:
        return key_string(self.snap.key)


@dataclass
class Catalog:
    assets: dict[str, CatalogAsset] = field(default_factory=dict)  # key string -> asset
    downstream: dict[str, list[str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # key strings, sorted
    _partitions: dict[str, Any] = field(default_factory=dict, repr=False)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # derived data, per catalog

    @staticmethod
    def build(snapshots: Sequence[LocationSnapshot]) -> Catalog:
        catalog = Catalog()
        for snap in snapshots:
            for asset in snap.assets:
                key = key_string(asset.key)
                # an asset defined in two locations: the first (by location name) wins
                catalog.assets.setdefault(key, CatalogAsset(snap.location_name, asset))
        for key, entry in catalog.assets.items():
            for dep in entry.snap.deps:
                catalog.downstream.setdefault(key_string(dep), []).append(key)
        catalog.order = sorted(catalog.assets)
        return catalog

    def partitions_def(self, key: str) -> Any:
        """The asset's partitions definition rebuilt from its snapshot, once per catalog."""
        from headwater.web.partitions import partitions_def_from_snap

        if key not in self._partitions:
            asset = self.assets.get(key)
            self._partitions[key] = None if asset is None else partitions_def_from_snap(
                asset.snap.partitions)
        return self._partitions[key]

    def upstream_of(self, key: str) -> list[str]:
        asset = self.assets.get(key)
        return [] if asset is None else sorted(key_string(d) for d in asset.snap.deps)

    def downstream_of(self, key: str) -> list[str]:
        return sorted(self.downstream.get(key, ()))


class CatalogCache:
    """The catalog of the locations' current snapshots (one per set of snapshots)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: Any = None
        self._catalog = Catalog()

    def get(self, locations: Sequence[Any]) -> Catalog:
        snapshots = []
        for location in locations:
            try:
                snapshots.append(location.snapshot())
            except (LocationLoadError, LocationUnavailableError):
                continue  # its assets are not served while its code does not load
        snapshots.sort(key=lambda s: s.location_name)
        stamp = tuple((s.location_name, s.loaded_at, id(s)) for s in snapshots)
        with self._lock:
            if stamp != self._stamp:
                self._catalog = Catalog.build(snapshots)
                self._stamp = stamp
            return self._catalog
