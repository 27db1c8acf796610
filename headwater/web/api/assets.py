"""Assets: the catalog (search, filters, cursor pages), one asset's definition and lineage
neighbourhood, its materialization history with metadata, its partition status as ranges."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.metadata import metadata_to_json
from headwater.web.api import API
from headwater.web.catalog import Catalog, CatalogAsset
from headwater.web.context import WebContext
from headwater.web.errors import ApiError, not_found
from headwater.web.partitions import (
    status_counts,
    status_ranges,
    status_string,
)
from headwater.web.routing import Call


class PartitionsOut(BaseModel):
    kind: str
    name: str | None = None
    cron_schedule: str | None = None
    timezone: str | None = None
    start: str | None = None
    end: str | None = None
    count: int | None = Field(None, description="static keys only (others are computed)")


class MaterializationOut(BaseModel):
    storage_id: int
    run_id: str
    timestamp: float
    partition: str | None
    metadata: dict[str, Any] = Field(description="name -> [kind, value]")


class AssetOut(BaseModel):
    key: list[str]
    key_string: str
    location: str
    group: str
    description: str | None
    kinds: list[str]
    owners: list[str]
    tags: dict[str, str]
    is_executable: bool
    partitions: PartitionsOut | None
    job_names: list[str]
    check_names: list[str]
    latest_materialization: MaterializationOut | None


class AssetDetail(AssetOut):
    upstream: list[str]
    downstream: list[str]
    code_version: str | None = Field(description="the definition's code version, if it sets one")
    metadata: dict[str, Any] = Field(description="the definition's metadata: name -> [kind, "
                                                 "value], as a materialization's")


class AssetsPage(BaseModel):
    items: list[AssetOut]
    next_cursor: str | None
    total: int = Field(description="assets matching the filters")


class AssetsQuery(BaseModel):
    search: str | None = Field(None, description="a part of the key (case-insensitive)")
    group: str | None = None
    location: str | None = None
    kind: str | None = None
    cursor: str | None = Field(None, description="the key string the previous page ended with")
    limit: int = Field(200, ge=1, le=5000)


class MaterializationsPage(BaseModel):
    items: list[MaterializationOut]
    next_cursor: str | None
    has_more: bool


class MaterializationsQuery(BaseModel):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=1000)
    partition: str | None = None


class StatusRangeOut(BaseModel):
    start_index: int
    end_index: int
    start: str
    end: str
    status: str


class PartitionStatusOut(BaseModel):
    total: int
    counts: dict[str, int]
    statuses: str = Field(description="one character per partition in definition order: "
                                      "M materialized, F failed, R in progress, - missing")
    ranges: list[StatusRangeOut] = Field(description="runs of consecutive partitions with "
                                                     "one status (the first max_ranges)")
    ranges_truncated: bool = Field(description="there are more ranges than max_ranges: "
                                               "`statuses` has them all")


class PartitionStatusQuery(BaseModel):
    max_ranges: int = Field(1000, ge=0, le=100_000)


class PartitionKeysQuery(BaseModel):
    search: str | None = Field(None, description="a part of the key (case-insensitive)")
    newest_first: bool = Field(True, description="the last keys of the definition first "
                                                 "(the latest time windows)")
    cursor: int | None = Field(None, ge=0, description="the `next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=10_000)


class PartitionKeyOut(BaseModel):
    key: str
    index: int = Field(description="its place in the definition's order")
    status: str = Field(description="M materialized, F failed, R in progress, - missing")


class PartitionKeysPage(BaseModel):
    items: list[PartitionKeyOut]
    next_cursor: int | None
    total: int = Field(description="keys matching the search")


def _partitions(asset: CatalogAsset) -> dict[str, Any] | None:
    p = asset.snap.partitions
    if p is None:
        return None
    return {"kind": p.kind, "name": p.name, "cron_schedule": p.cron_schedule,
            "timezone": p.timezone, "start": p.start, "end": p.end,
            "count": None if p.keys is None else len(p.keys)}


def _materialization(record: Any) -> dict[str, Any] | None:
    if record is None:
        return None
    mat = record.asset_materialization
    return {"storage_id": record.storage_id, "run_id": record.run_id,
            "timestamp": record.timestamp, "partition": record.partition_key,
            "metadata": {} if mat is None else metadata_to_json(mat.metadata or {})}


def asset_out(asset: CatalogAsset, latest: Any) -> dict[str, Any]:
    s = asset.snap
    return {"key": list(s.key), "key_string": asset.key, "location": asset.location,
            "group": s.group_name, "description": s.description, "kinds": list(s.kinds),
            "owners": list(s.owners), "tags": dict(s.tags), "is_executable": s.is_executable,
            "partitions": _partitions(asset), "job_names": list(s.job_names),
            "check_names": list(s.check_names), "latest_materialization": _materialization(latest)}


def _find(catalog: Catalog, key: str) -> CatalogAsset:
    asset = catalog.assets.get(key.strip("/"))
    if asset is None:
        raise not_found(f"asset {key!r}")
    return asset


def _asset_key(asset: CatalogAsset) -> AssetKey:
    return AssetKey(list(asset.snap.key))


@API.get("/assets", tag="assets", query=AssetsQuery, response=AssetsPage)
def list_assets(ctx: WebContext, call: Call[AssetsQuery, None]) -> AssetsPage:
    """Every asset of every code location, by key, filtered; a page at a time."""
    q = call.query
    catalog = ctx.catalog()
    needle = (q.search or "").lower()
    keys = [k for k in catalog.order
            if (not needle or needle in k.lower())
            and (q.group is None or catalog.assets[k].snap.group_name == q.group)
            and (q.location is None or catalog.assets[k].location == q.location)
            and (q.kind is None or q.kind in catalog.assets[k].snap.kinds)]
    start = 0
    if q.cursor is not None:
        import bisect

        start = bisect.bisect_right(keys, q.cursor)
    page = keys[start:start + q.limit]
    assets = [catalog.assets[k] for k in page]
    latest = ctx.instance.get_latest_materialization_records([_asset_key(a) for a in assets])
    return AssetsPage.model_validate({
        "items": [asset_out(a, latest.get(_asset_key(a))) for a in assets],
        "next_cursor": page[-1] if start + q.limit < len(keys) and page else None,
        "total": len(keys)})


@API.get("/assets/{key:path}/materializations", tag="assets", query=MaterializationsQuery,
         response=MaterializationsPage)
def list_asset_materializations(ctx: WebContext,
                                call: Call[MaterializationsQuery, None]) -> MaterializationsPage:
    """An asset's materializations, newest first, with their metadata."""
    from headwater.storage.asset_records import AssetRecordsFilter

    asset = _find(ctx.catalog(), call.path["key"])
    q = call.query
    records_filter = AssetRecordsFilter(
        asset_key=_asset_key(asset),
        asset_partitions=None if q.partition is None else [q.partition])
    try:
        result = ctx.instance.fetch_materializations(records_filter, limit=q.limit,
                                                     cursor=q.cursor)
    except ValueError as e:
        raise ApiError(422, f"query.cursor: {e}") from None
    return MaterializationsPage.model_validate({
        "items": [_materialization(r) for r in result.records],
        "next_cursor": result.cursor if result.has_more else None,
        "has_more": result.has_more})


@API.get("/assets/{key:path}/partitions", tag="assets", query=PartitionStatusQuery,
         response=PartitionStatusOut)
def get_asset_partition_status(ctx: WebContext,
                               call: Call[PartitionStatusQuery, None]) -> dict[str, Any]:
    """A partitioned asset's partition status as ranges of consecutive keys."""
    catalog = ctx.catalog()
    asset = _find(catalog, call.path["key"])
    pdef = catalog.partitions_def(asset.key)
    if pdef is None:
        raise ApiError(422, f"asset {asset.key!r} is not partitioned (or its partitions "
                            "cannot be listed here)")
    keys = list(pdef.get_partition_keys(dynamic_partitions_store=ctx.instance))
    summary = ctx.instance.get_partition_status(_asset_key(asset))
    statuses = status_string(keys, summary.materialized, summary.failed, summary.in_progress)
    ranges, truncated = status_ranges(keys, statuses, call.query.max_ranges)
    # built as plain data (a response of 100,000 partitions is not re-validated)
    return {"total": len(keys), "counts": status_counts(statuses), "statuses": statuses,
            "ranges": ranges, "ranges_truncated": truncated}


@API.get("/assets/{key:path}/partition_keys", tag="assets", query=PartitionKeysQuery,
         response=PartitionKeysPage)
def list_asset_partition_keys(ctx: WebContext,
                              call: Call[PartitionKeysQuery, None]) -> dict[str, Any]:
    """A partitioned asset's keys with their status, searched, a page at a time: what a
    partition picker lists (the status endpoint sends statuses and ranges, not every key)."""
    catalog = ctx.catalog()
    asset = _find(catalog, call.path["key"])
    pdef = catalog.partitions_def(asset.key)
    if pdef is None:
        raise ApiError(422, f"asset {asset.key!r} is not partitioned (or its partitions "
                            "cannot be listed here)")
    q = call.query
    keys = list(pdef.get_partition_keys(dynamic_partitions_store=ctx.instance))
    needle = (q.search or "").lower()
    order = range(len(keys) - 1, -1, -1) if q.newest_first else range(len(keys))
    matches = [i for i in order if needle in keys[i].lower()] if needle else list(order)
    start = q.cursor or 0
    page = matches[start:start + q.limit]
    summary = ctx.instance.get_partition_status(_asset_key(asset))
    statuses = status_string([keys[i] for i in page], summary.materialized, summary.failed,
                             summary.in_progress)
    return {"items": [{"key": keys[i], "index": i, "status": code}
                      for i, code in zip(page, statuses, strict=True)],
            "next_cursor": start + q.limit if start + q.limit < len(matches) else None,
            "total": len(matches)}


@API.get("/assets/{key:path}", tag="assets", response=AssetDetail)
def get_asset(ctx: WebContext, call: Call[None, None]) -> AssetDetail:
    """One asset: its definition, latest materialization, upstream and downstream keys."""
    catalog = ctx.catalog()
    asset = _find(catalog, call.path["key"])
    latest = ctx.instance.get_latest_materialization_records([_asset_key(asset)])
    return AssetDetail.model_validate({
        **asset_out(asset, latest.get(_asset_key(asset))),
        "upstream": catalog.upstream_of(asset.key),
        "downstream": catalog.downstream_of(asset.key),
        "code_version": asset.snap.code_version,
        "metadata": _definition_metadata(asset)})


def _definition_metadata(asset: CatalogAsset) -> dict[str, Any]:
    """The snapshot keeps the definition's metadata already encoded (name -> [kind, value])."""
    raw = asset.snap.metadata_json
    return {} if not raw else dict(json.loads(raw))
