"""The asset graph with its layout, computed on the server and cached by the graph's hash
(also the ETag: a browser that has it gets 304), and the status of every node as one array."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Literal

import orjson
from pydantic import BaseModel, Field
from starlette.responses import Response

from headwater.web.api import API
from headwater.web.catalog import Catalog
from headwater.web.context import WebContext
from headwater.web.routing import Call

AUTO_COLLAPSE_ABOVE = 2000  # assets: past this the overview shows groups, expandable one by one


class GraphQuery(BaseModel):
    collapse: Literal["auto", "none", "all"] = Field(
        "auto", description=f"collapse groups into single nodes (auto: past "
                            f"{AUTO_COLLAPSE_ABOVE} assets)")
    expand: list[str] | None = Field(None, description="groups to keep expanded when "
                                                       "collapsing")


class GraphLayoutOut(BaseModel):
    node_ids: list[str]
    x: list[float]
    y: list[float]
    layer: list[int]
    edge_sources: list[int]
    edge_targets: list[int]
    reversed_edges: list[int]
    layer_count: int
    width: float
    height: float
    node_width: float
    node_height: float
    groups: list[str] | None


class AssetGraphOut(BaseModel):
    hash: str = Field(description="identifies this graph and layout (the ETag)")
    collapsed: bool
    node_kinds: list[str] = Field(description="per node: `asset` or `group`")
    node_sizes: list[int] = Field(description="per node: the assets it stands for")
    edge_counts: list[int] = Field(description="per edge: the asset edges it stands for")
    locations: list[str | None] = Field(description="per node: its code location (an "
                                                     "asset's; null for a group)")
    layout: GraphLayoutOut


class GraphStatusOut(BaseModel):
    node_ids: list[str]
    statuses: str = Field(description="one character per asset in catalog order: "
                                      "M materialized, F its latest run failed, R a run is "
                                      "materializing it, - never materialized")
    group_counts: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="per group name: how many of its assets have each "
                                          "status character (what a collapsed group box shows)")


def _graph(catalog: Catalog) -> tuple[list[str], list[tuple[int, int]], list[str], str]:
    """(node ids, edges, groups, hash) of the catalog's graph: computed once per catalog (a
    catalog lives as long as the locations' snapshots)."""
    memo = catalog.memo.get("graph")
    if memo is None:
        from headwater.web.layout import graph_hash

        ids, edges, groups = _build(catalog)
        memo = catalog.memo["graph"] = (ids, edges, groups, graph_hash(ids, edges, groups))
    return memo  # type: ignore[no-any-return]


def _build(catalog: Catalog) -> tuple[list[str], list[tuple[int, int]], list[str]]:
    ids = catalog.order
    index = {k: i for i, k in enumerate(ids)}
    edges = []
    for i, key in enumerate(ids):
        for dep in catalog.assets[key].snap.deps:
            j = index.get("/".join(dep))
            if j is not None:  # a dep on an external (unknown) asset draws no edge
                edges.append((j, i))
    groups = [catalog.assets[k].snap.group_name for k in ids]
    return ids, edges, groups


_CACHE: Any = None
_BODIES: OrderedDict[str, bytes] = OrderedDict()  # ETag key -> the encoded answer
_BODIES_LOCK = threading.Lock()
_MAX_BODIES = 8


def _layout_cache() -> Any:
    global _CACHE
    if _CACHE is None:
        from headwater.web.layout import LayoutCache

        _CACHE = LayoutCache(maxsize=16)
    return _CACHE


def _cached_body(key: str) -> bytes | None:
    with _BODIES_LOCK:
        body = _BODIES.get(key)
        if body is not None:
            _BODIES.move_to_end(key)
        return body


def _keep_body(key: str, body: bytes) -> None:
    with _BODIES_LOCK:
        _BODIES[key] = body
        while len(_BODIES) > _MAX_BODIES:
            _BODIES.popitem(last=False)


def _graph_key(catalog: Catalog, collapse_mode: str, expand: list[str],
               ) -> tuple[str, bool]:
    """The ETag key of a graph view and whether its groups are collapsed."""
    ids, _, _, key = _graph(catalog)
    collapse = collapse_mode == "all" or (collapse_mode == "auto"
                                          and len(ids) > AUTO_COLLAPSE_ABOVE)
    if collapse:  # the expanded groups' names (any text) hashed: an ETag is ASCII
        import hashlib

        key += "-c" + hashlib.sha1("\0".join(expand).encode()).hexdigest()[:16]
    return key, collapse


def graph_body(catalog: Catalog, collapse_mode: str = "auto",
               expand: list[str] | None = None) -> tuple[str, bytes]:
    """(ETag key, encoded answer) of a graph view: laid out once, then kept (the server's
    start-up warms the default view this way, so the first page load finds it ready)."""
    from headwater.web.layout import collapse_groups

    expand = sorted(expand or ())
    key, collapse = _graph_key(catalog, collapse_mode, expand)
    cached = _cached_body(key)
    if cached is not None:
        return key, cached
    ids, edges, groups, _ = _graph(catalog)
    if collapse:
        c = collapse_groups(ids, edges, groups, expand)
        node_ids, node_edges, node_groups = list(c.node_ids), list(c.edges), list(c.groups)
        kinds = ["group" if flag else "asset" for flag in c.collapsed]
        sizes, counts = list(c.sizes), list(c.edge_counts)
    else:
        node_ids, node_edges, node_groups = ids, edges, groups
        kinds, sizes, counts = ["asset"] * len(ids), [1] * len(ids), [1] * len(edges)
    _, layout = _layout_cache().layout(node_ids, node_edges, node_groups, key=key)
    locations = [catalog.assets[n].location if kind == "asset" else None
                 for n, kind in zip(node_ids, kinds, strict=True)]
    body = orjson.dumps({"hash": key, "collapsed": collapse, "node_kinds": kinds,
                         "node_sizes": sizes, "edge_counts": counts, "locations": locations,
                         "layout": layout.as_dict()})
    _keep_body(key, body)
    return key, body


@API.get("/asset_graph", tag="assets", query=GraphQuery, response=AssetGraphOut)
def get_asset_graph(ctx: WebContext, call: Call[GraphQuery, None]) -> Response:
    """Every asset and edge with a layered layout (groups collapsed past a few thousand
    assets); answered 304 when the client's ETag matches."""
    q = call.query
    catalog = ctx.catalog()
    key, _ = _graph_key(catalog, q.collapse, sorted(q.expand or ()))
    etag = f'"{key}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}  # revalidate: the ETag makes it cheap
    if call.request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    _, body = graph_body(catalog, q.collapse, q.expand)
    return Response(body, media_type="application/json", headers=headers)


@API.get("/asset_graph/status", tag="assets", response=GraphStatusOut)
def get_asset_graph_status(ctx: WebContext, call: Call[None, None]) -> dict[str, Any]:
    """Each asset's latest state as one character, aligned with the graph's assets: the
    latest run that planned it is running (R) or failed without materializing it (F), else
    it was materialized (M) or never (-)."""
    return graph_status(ctx)


def graph_status(ctx: WebContext) -> dict[str, Any]:
    """The status answer (see ``get_asset_graph_status``)."""
    from headwater.definitions.asset_key import AssetKey
    from headwater.storage.runs import FINISHED_STATUSES, RunStatus

    catalog = ctx.catalog()
    keys = catalog.memo.get("asset_keys")
    if keys is None:  # built once per catalog: 10,000 AssetKeys cost more than the queries
        keys = catalog.memo["asset_keys"] = [AssetKey(list(catalog.assets[k].snap.key))
                                             for k in catalog.order]
    latest = ctx.instance.latest_materialization_ids(keys)
    planned = ctx.instance.latest_planned_runs(keys)
    finished = {s.value for s in FINISHED_STATUSES}
    out = []
    for key in keys:
        mat = latest.get(key)
        plan = planned.get(key)
        if plan is not None and (mat is None or plan[0] > mat) and plan[2]:
            if plan[2] not in finished:
                out.append("R")
                continue
            if plan[2] != RunStatus.SUCCESS.value:
                out.append("F")
                continue
        out.append("M" if mat is not None else "-")
    group_counts: dict[str, dict[str, int]] = {}
    for k, code in zip(catalog.order, out, strict=True):
        group = catalog.assets[k].snap.group_name
        if group is not None:
            counts = group_counts.setdefault(group, {"M": 0, "F": 0, "R": 0, "-": 0})
            counts[code] += 1
    return {"node_ids": catalog.order, "statuses": "".join(out), "group_counts": group_counts}
