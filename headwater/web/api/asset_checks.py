"""An asset's checks: each check of the snapshot with its latest evaluation, and one check's
evaluation history in cursor pages.

Read from the asset index's check executions (written with the ``ASSET_CHECK_EVALUATION``
events, in the same transaction), never by scanning the event log. An evaluation's partition
is its run's (the ``dagster/partition`` tag): one batched run look-up per answer.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.metadata import metadata_to_json
from headwater.definitions.results import AssetCheckKey, AssetCheckSeverity
from headwater.web.api import API
from headwater.web.catalog import Catalog, CatalogAsset
from headwater.web.context import WebContext
from headwater.web.errors import ApiError, FieldProblem, not_found
from headwater.web.routing import Call

_MAX_ID = 2**63 - 1  # a storage id beyond this cannot be a cursor (SQL integers)


class CheckOutcome(enum.Enum):
    """What the UI shows: a failure at severity WARN is a warning, not an error."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    WARNED = "WARNED"


class CheckEvaluationOut(BaseModel):
    evaluation_id: int = Field(description="the check execution's id (the history's cursor)")
    check_name: str
    outcome: CheckOutcome
    passed: bool
    severity: AssetCheckSeverity
    blocking: bool
    description: str | None
    metadata: dict[str, Any] = Field(description="name -> [kind, value]")
    run_id: str
    timestamp: float
    partition: str | None = Field(description="the run's partition, if it ran one")


class AssetCheckOut(BaseModel):
    name: str
    description: str | None = Field(description="the check definition's description (an "
                                                "evaluation's own is on the evaluation)")
    latest: CheckEvaluationOut | None = Field(description="null: never evaluated")


class AssetChecksOut(BaseModel):
    items: list[AssetCheckOut] = Field(description="the asset's checks by name")


class CheckEvaluationsPage(BaseModel):
    items: list[CheckEvaluationOut] = Field(description="newest first")
    next_cursor: str | None = Field(description="pass as `cursor` for older evaluations; "
                                                "null at the end")


class CheckEvaluationsQuery(BaseModel):
    cursor: str | None = Field(None, description="the evaluation_id the previous page ended "
                                                 "with")
    limit: int = Field(25, ge=1, le=1000)


def _find(catalog: Catalog, key: str) -> CatalogAsset:
    asset = catalog.assets.get(key.strip("/"))
    if asset is None:
        raise not_found(f"asset {key!r}")
    return asset


def _partitions_of(ctx: WebContext, run_ids: Sequence[str]) -> dict[str, str | None]:
    from headwater.definitions.tags import PARTITION_NAME_TAG
    from headwater.storage.runs import RunsFilter

    wanted = sorted(set(run_ids))
    if not wanted:
        return {}
    runs = ctx.instance.get_runs(RunsFilter(run_ids=wanted))
    return {r.run_id: r.tags.get(PARTITION_NAME_TAG) for r in runs}


def _evaluation(record: Any, partitions: dict[str, str | None]) -> dict[str, Any]:
    data = record.event.asset_check_evaluation if record.event is not None else None
    passed = bool(record.passed) if data is None else data.passed
    severity = AssetCheckSeverity.ERROR if data is None else data.severity
    outcome = (CheckOutcome.PASSED if passed else
               CheckOutcome.WARNED if severity == AssetCheckSeverity.WARN else
               CheckOutcome.FAILED)
    return {"evaluation_id": record.id, "check_name": record.key.name, "outcome": outcome,
            "passed": passed, "severity": severity,
            "blocking": False if data is None else bool(data.blocking),
            "description": None if data is None else data.description,
            "metadata": {} if data is None else metadata_to_json(data.metadata or {}),
            "run_id": record.run_id, "timestamp": record.create_timestamp,
            "partition": partitions.get(record.run_id)}


def _cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= _MAX_ID:
        message = f"cursor {raw!r} is not an evaluation_id of a previous page"
        raise ApiError(422, message, (FieldProblem("query.cursor", message),))
    return value


@API.get("/assets/{key:path}/checks/{check_name}/evaluations", tag="assets",
         query=CheckEvaluationsQuery, response=CheckEvaluationsPage)
def list_check_evaluations(ctx: WebContext,
                           call: Call[CheckEvaluationsQuery, None]) -> CheckEvaluationsPage:
    """One check's evaluations, newest first: outcome, severity, metadata, run, partition."""
    asset = _find(ctx.catalog(), call.path["key"])
    name = call.path["check_name"]
    if name not in asset.snap.check_names:
        raise not_found(f"check {name!r} of asset {asset.key!r}")
    q = call.query
    check_key = AssetCheckKey(AssetKey(list(asset.snap.key)), name)
    records = ctx.instance.get_asset_check_execution_history(check_key, limit=q.limit + 1,
                                                             cursor=_cursor(q.cursor))
    more = len(records) > q.limit
    records = records[:q.limit]
    partitions = _partitions_of(ctx, [r.run_id for r in records])
    return CheckEvaluationsPage.model_validate({
        "items": [_evaluation(r, partitions) for r in records],
        "next_cursor": str(records[-1].id) if more else None})


@API.get("/assets/{key:path}/checks", tag="assets", response=AssetChecksOut)
def list_asset_checks(ctx: WebContext, call: Call[None, None]) -> AssetChecksOut:
    """An asset's checks, each with its latest evaluation (one query for all of them)."""
    asset = _find(ctx.catalog(), call.path["key"])
    asset_key = AssetKey(list(asset.snap.key))
    keys = [AssetCheckKey(asset_key, name) for name in sorted(asset.snap.check_names)]
    latest = ctx.instance.get_latest_asset_check_evaluations(keys)
    partitions = _partitions_of(ctx, [r.run_id for r in latest.values()])
    descriptions = dict(asset.snap.check_descriptions)
    return AssetChecksOut.model_validate({"items": [
        {"name": k.name, "description": descriptions.get(k.name),
         "latest": None if k not in latest else _evaluation(latest[k], partitions)}
        for k in keys]})
