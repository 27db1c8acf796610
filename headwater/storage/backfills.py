"""Backfills as data: their status and its legal moves, the backfill record, its runs.

Pure Python (orjson for the stored body, no database imports), so the CLI can use these types
without loading SQLAlchemy. ``BackfillStorage`` (``backfill_storage.py``) stores them.
"""

from __future__ import annotations

import enum
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvalidInvocationError, InvariantViolationError
from headwater.storage.runs import FINISHED_STATUSES, RunStatus


class BulkActionStatus(str, enum.Enum):
    """The status of a backfill; values are Dagster 1.13's strings."""

    REQUESTED = "REQUESTED"
    COMPLETED = "COMPLETED"  # Dagster's older spelling of COMPLETED_SUCCESS
    FAILED = "FAILED"  # the backfill itself could not be carried out
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"
    COMPLETED_SUCCESS = "COMPLETED_SUCCESS"
    COMPLETED_FAILED = "COMPLETED_FAILED"  # every run launched, some failed
    FAILING = "FAILING"  # failed: its launched runs are being canceled, then FAILED

    def __str__(self) -> str:
        return self.value


B = BulkActionStatus

TERMINAL_STATUSES: frozenset[BulkActionStatus] = frozenset(
    {B.COMPLETED, B.COMPLETED_SUCCESS, B.COMPLETED_FAILED, B.FAILED, B.CANCELED})

# The one table of legal moves; moving to the current status is a no-op. Terminal statuses
# have no entry, except FAILED, which may be resumed (REQUESTED again), as in Dagster's UI.
TRANSITIONS: Mapping[BulkActionStatus, frozenset[BulkActionStatus]] = {
    B.REQUESTED: frozenset({B.CANCELING, B.CANCELED, B.COMPLETED, B.COMPLETED_SUCCESS,
                            B.COMPLETED_FAILED, B.FAILING, B.FAILED}),
    B.CANCELING: frozenset({B.CANCELED, B.FAILED}),
    B.FAILING: frozenset({B.FAILED, B.CANCELING, B.CANCELED}),
    B.FAILED: frozenset({B.REQUESTED}),
}


def check_backfill_transition(backfill_id: str, current: BulkActionStatus | str,
                              new: BulkActionStatus | str) -> bool:
    """True if the status changes, False if it already is ``new``; raise if the move is
    illegal."""
    current, new = BulkActionStatus(current), BulkActionStatus(new)
    if current == new:
        return False
    allowed = TRANSITIONS.get(current, frozenset())
    if new not in allowed:
        raise InvariantViolationError(
            f"Backfill {backfill_id!r} cannot move from {current.value} to {new.value}: "
            + (f"from {current.value} it may only move to "
               f"{', '.join(sorted(s.value for s in allowed))}." if allowed
               else f"{current.value} is a finished status; launch a new backfill instead."))
    return True


def make_backfill_id() -> str:
    """A short random id, as Dagster's (8 lowercase letters)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    n = uuid.uuid4().int
    return "".join(alphabet[(n >> (5 * i)) % 26] for i in range(8))


@dataclass(frozen=True)
class StagePlan:
    """The runs of one stage of a backfill (``execution/backfill_plan.py``): its assets, and
    each run's partition keys, in order. ``ordered``: a partition of the stage reads another
    run's partitions (a time-window mapping that reads the day before), so each run waits
    until the runs before it have finished."""

    assets: tuple[AssetKey, ...]
    runs: tuple[tuple[str, ...], ...]
    ordered: bool = False


@dataclass(frozen=True)
class RunPlan:
    """Every run a backfill is carried out in, planned when it is launched for the daemon
    (which loads no user code, so it cannot plan): the stages in dependency order, then one
    run of ``final_assets`` (unpartitioned assets, after every partition succeeded)."""

    stages: tuple[StagePlan, ...]
    final_assets: tuple[AssetKey, ...] = ()

    @property
    def run_count(self) -> int:
        return sum(len(s.runs) for s in self.stages) + bool(self.final_assets)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"stages": [
            {"assets": [k.path for k in s.assets], "runs": [list(r) for r in s.runs],
             **({"ordered": True} if s.ordered else {})} for s in self.stages]}
        if self.final_assets:
            data["final"] = [k.path for k in self.final_assets]
        return data

    @staticmethod
    def from_data(data: Mapping[str, Any]) -> RunPlan:
        return RunPlan(
            tuple(StagePlan(tuple(AssetKey(p) for p in s["assets"]),
                            tuple(tuple(r) for r in s["runs"]), bool(s.get("ordered")))
                  for s in data["stages"]),
            tuple(AssetKey(p) for p in data.get("final", [])))


@dataclass(frozen=True)
class PartitionBackfill:
    """One backfill: which assets, which partitions, how many partitions per run, its status.

    ``max_partitions_per_run``: None means a single run covering every key
    (``BackfillPolicy.single_run()``), 1 one run per partition, n runs of at most n keys.
    Timestamps are Unix seconds; ``update_timestamp`` defaults to ``create_timestamp`` and is
    set by the instance on every update.
    """

    backfill_id: str
    status: BulkActionStatus = BulkActionStatus.REQUESTED
    asset_selection: Sequence[AssetKey] = field(default_factory=list)
    partition_keys: Sequence[str] = field(default_factory=list)
    max_partitions_per_run: int | None = 1
    tags: Mapping[str, str] = field(default_factory=dict)
    create_timestamp: float = field(default_factory=time.time)
    update_timestamp: float | None = None
    error: str | None = None
    job_name: str | None = None
    title: str | None = None
    description: str | None = None
    from_failure: bool = False
    end_timestamp: float | None = None
    runner: str | None = None  # "host:pid" of the process carrying it out, while it does
    # the runs it is carried out in; set when launched for the daemon (None: carried out in
    # the process that calls execute_backfill, which plans from the loaded definitions)
    plan: RunPlan | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.backfill_id, str) or not self.backfill_id:
            raise InvalidInvocationError(
                f"A backfill id must be a non-empty string, got {self.backfill_id!r}; omit it "
                "to get a fresh one (make_backfill_id()).")
        set_ = object.__setattr__
        try:
            set_(self, "status", BulkActionStatus(self.status))
        except ValueError:
            raise InvalidInvocationError(
                f"Backfill {self.backfill_id!r}: unknown status {self.status!r}; use one of "
                f"{', '.join(s.value for s in BulkActionStatus)}.") from None
        set_(self, "asset_selection", list(self.asset_selection))
        for key in self.asset_selection:
            if not isinstance(key, AssetKey):
                raise InvalidInvocationError(
                    f"Backfill {self.backfill_id!r}: asset_selection must hold AssetKey "
                    f"objects, got {key!r}; use AssetKey({key!r}).")
        if isinstance(self.partition_keys, str):
            raise InvalidInvocationError(
                f"Backfill {self.backfill_id!r}: partition_keys must be a list of keys, got the "
                f"string {self.partition_keys!r}; wrap it in a list.")
        set_(self, "partition_keys", list(self.partition_keys))
        for pkey in self.partition_keys:
            if not isinstance(pkey, str) or not pkey:
                raise InvalidInvocationError(
                    f"Backfill {self.backfill_id!r}: invalid partition key {pkey!r}; partition "
                    "keys are non-empty strings.")
        per_run = self.max_partitions_per_run
        if per_run is not None and (isinstance(per_run, bool) or not isinstance(per_run, int)
                                    or per_run < 1):
            raise InvalidInvocationError(
                f"Backfill {self.backfill_id!r}: max_partitions_per_run must be a positive "
                f"integer or None (a single run for every partition), got {per_run!r}.")
        set_(self, "tags", {str(k): str(v) for k, v in self.tags.items()})
        if self.update_timestamp is None:
            set_(self, "update_timestamp", self.create_timestamp)

    # Dagster's names
    @property
    def backfill_timestamp(self) -> float:
        return self.create_timestamp

    @property
    def partition_names(self) -> Sequence[str]:
        return self.partition_keys

    @property
    def backfill_end_timestamp(self) -> float | None:
        return self.end_timestamp

    @property
    def is_single_run(self) -> bool:
        return self.max_partitions_per_run is None

    @property
    def is_finished(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def with_status(self, status: BulkActionStatus | str) -> PartitionBackfill:
        status = BulkActionStatus(status)
        end = self.end_timestamp
        if status in TERMINAL_STATUSES and end is None:
            end = time.time()
        return replace(self, status=status, end_timestamp=end)

    def with_error(self, error: str | None) -> PartitionBackfill:
        return replace(self, error=error)


@dataclass(frozen=True)
class BackfillRun:
    """A run launched for a backfill (tagged ``dagster/backfill``) and the partitions it
    covers: ``partition_key`` (``dagster/partition``) or a range (``dagster/asset_partition_
    range_start``/``_end``), or neither."""

    run_id: str
    status: RunStatus
    partition_key: str | None = None
    partition_range_start: str | None = None
    partition_range_end: str | None = None
    stage: str | None = None  # headwater/backfill_stage: a later stage of a multi-stage backfill

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


# ----------------------------------------------------------------------- storage body

def encode_body(backfill: PartitionBackfill) -> str:
    """Everything but the columns of the ``backfills`` table, as JSON."""
    body: dict[str, Any] = {
        "assets": [k.path for k in backfill.asset_selection],
        "partitions": backfill.partition_keys,
        "per_run": backfill.max_partitions_per_run,
    }
    for name in ("tags", "error", "job_name", "title", "description", "end_timestamp",
                 "runner"):
        value = getattr(backfill, name)
        if value:
            body[name] = value
    if backfill.from_failure:
        body["from_failure"] = True
    if backfill.plan is not None:
        body["plan"] = backfill.plan.to_data()
    return orjson.dumps(body).decode()


def decode_backfill(backfill_id: str, status: str, body: str | bytes, create_timestamp: float,
                    update_timestamp: float) -> PartitionBackfill:
    data = orjson.loads(body)
    return PartitionBackfill(
        backfill_id=backfill_id, status=BulkActionStatus(status),
        asset_selection=[AssetKey(p) for p in data.get("assets", [])],
        partition_keys=data.get("partitions", []), max_partitions_per_run=data.get("per_run"),
        tags=data.get("tags", {}), create_timestamp=create_timestamp,
        update_timestamp=update_timestamp, error=data.get("error"),
        job_name=data.get("job_name"), title=data.get("title"),
        description=data.get("description"), from_failure=bool(data.get("from_failure")),
        end_timestamp=data.get("end_timestamp"), runner=data.get("runner"),
        plan=RunPlan.from_data(data["plan"]) if "plan" in data else None)
