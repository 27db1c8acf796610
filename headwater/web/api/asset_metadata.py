"""Numeric metadata over time: one compact answer for an asset page's plots.

The latest ``limit`` materializations (one indexed query, however long the history: 10,000
materializations cost what ``limit`` cost), oldest first, as columns: time, run, partition,
and one column of values per numeric (int/float) metadata entry, null where a
materialization did not record it. Paging ``/materializations`` would ship every entry's
markdown and tables to draw a line.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, Field

from headwater.definitions.asset_key import AssetKey
from headwater.web.api import API
from headwater.web.context import WebContext
from headwater.web.errors import not_found
from headwater.web.routing import Call

NUMERIC_KINDS = ("int", "float")


class MetadataSeriesOut(BaseModel):
    key: str = Field(description="the metadata entry's name")
    kind: str = Field(description="int or float (float if it was ever a float)")
    values: list[float | None] = Field(description="aligned with `timestamps`; null where "
                                                   "absent or not finite")


class MetadataSeriesPage(BaseModel):
    timestamps: list[float] = Field(description="of the materializations, oldest first")
    run_ids: list[str]
    partitions: list[str | None]
    series: list[MetadataSeriesOut] = Field(description="by key")
    total_shown: int = Field(description="materializations in this answer")
    truncated: bool = Field(description="older materializations exist beyond `limit`")


class MetadataSeriesQuery(BaseModel):
    limit: int = Field(200, ge=1, le=2000, description="the latest this many materializations")
    partition: str | None = Field(None, description="only this partition's materializations")


def _number(kind: str, raw: Any) -> float | None:
    if kind not in NUMERIC_KINDS or isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return None
    value = float(raw)
    return value if math.isfinite(value) else None


def series(records: list[Any]) -> dict[str, Any]:
    """Columns from materialization records given newest first (as storage pages them)."""
    ordered = list(reversed(records))
    columns: dict[str, list[float | None]] = {}
    kinds: dict[str, str] = {}
    for i, record in enumerate(ordered):
        mat = record.asset_materialization
        for name, value in ((mat.metadata or {}) if mat is not None else {}).items():
            kind = getattr(value, "kind", None)
            number = _number(kind or "", getattr(value, "value", None))
            if number is None:
                continue
            column = columns.setdefault(name, [None] * len(ordered))
            column[i] = number
            kinds[name] = "float" if kind == "float" or kinds.get(name) == "float" else "int"
    return {"timestamps": [r.timestamp for r in ordered],
            "run_ids": [r.run_id for r in ordered],
            "partitions": [r.partition_key for r in ordered],
            "series": [{"key": k, "kind": kinds[k], "values": columns[k]}
                       for k in sorted(columns)],
            "total_shown": len(ordered)}


@API.get("/assets/{key:path}/metadata_series", tag="assets", query=MetadataSeriesQuery,
         response=MetadataSeriesPage)
def get_metadata_series(ctx: WebContext, call: Call[MetadataSeriesQuery, None]) -> Any:
    """Each numeric metadata entry across the asset's latest materializations, for plots."""
    from headwater.storage.asset_records import AssetRecordsFilter

    catalog = ctx.catalog()
    asset = catalog.assets.get(call.path["key"].strip("/"))
    if asset is None:
        raise not_found(f"asset {call.path['key']!r}")
    q = call.query
    records_filter = AssetRecordsFilter(
        asset_key=AssetKey(list(asset.snap.key)),
        asset_partitions=None if q.partition is None else [q.partition])
    result = ctx.instance.fetch_materializations(records_filter, limit=q.limit)
    return MetadataSeriesPage.model_validate({**series(result.records),
                                              "truncated": result.has_more})
