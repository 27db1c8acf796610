"""Runs as data: status, the legal status transitions, the run record and run filters.

Pure Python (no database imports), so the definitions layer and the CLI can use these types
without loading SQLAlchemy.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Union

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvariantViolationError
from headwater.definitions.results import AssetCheckKey
from headwater.definitions.tags import (  # noqa: F401 - the system's run tags, re-exported
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    BACKFILL_ID_TAG,
    BACKFILL_STAGE_TAG,
    PARENT_RUN_ID_TAG,
    PARTITION_NAME_TAG,
    RESUME_RETRY_TAG,
    ROOT_RUN_ID_TAG,
    SCHEDULE_NAME_TAG,
    SENSOR_NAME_TAG,
)


class RunStatus(str, enum.Enum):
    """The status of a run (Dagster: ``DagsterRunStatus``); values are Dagster's strings."""

    QUEUED = "QUEUED"
    NOT_STARTED = "NOT_STARTED"
    MANAGED = "MANAGED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"
    SUSPENDED = "SUSPENDED"  # parked by an operator; may be resumed (queued) or canceled

    def __str__(self) -> str:
        return self.value


S = RunStatus

FINISHED_STATUSES: frozenset[RunStatus] = frozenset({S.SUCCESS, S.FAILURE, S.CANCELED})
IN_PROGRESS_STATUSES: frozenset[RunStatus] = frozenset({S.STARTING, S.STARTED, S.CANCELING})
CANCELABLE_STATUSES: frozenset[RunStatus] = frozenset({S.STARTED, S.QUEUED})

# The one table of legal moves. Moving to the status a run already has is a no-op, not a move.
# Finished statuses are terminal: they have no entry.
TRANSITIONS: Mapping[RunStatus, frozenset[RunStatus]] = {
    S.NOT_STARTED: frozenset({S.QUEUED, S.STARTING, S.STARTED, S.FAILURE, S.CANCELED}),
    S.QUEUED: frozenset({S.NOT_STARTED, S.STARTING, S.CANCELED, S.FAILURE}),
    S.MANAGED: frozenset({S.STARTING, S.STARTED, S.SUCCESS, S.FAILURE, S.CANCELING, S.CANCELED}),
    # STARTING -> QUEUED: the queue hands a run back when its code location could not be
    # reached (run_queue.max_user_code_failure_retries).
    S.STARTING: frozenset({S.QUEUED, S.STARTED, S.FAILURE, S.CANCELING, S.CANCELED}),
    # STARTED -> CANCELED: an in-process run interrupted without a CANCELING phase.
    S.STARTED: frozenset({S.SUCCESS, S.FAILURE, S.CANCELING, S.CANCELED}),
    # CANCELING -> SUCCESS: the run finished before the cancellation took effect.
    S.CANCELING: frozenset({S.CANCELED, S.FAILURE, S.SUCCESS}),
    S.SUSPENDED: frozenset({S.QUEUED, S.CANCELED, S.FAILURE}),
}


def is_legal_transition(current: RunStatus, new: RunStatus) -> bool:
    return current == new or new in TRANSITIONS.get(current, frozenset())


def check_transition(run_id: str, current: RunStatus | str, new: RunStatus | str) -> bool:
    """Return True if the status changes, False if it already is ``new``; raise if illegal."""
    current, new = RunStatus(current), RunStatus(new)
    if current == new:
        return False
    allowed = TRANSITIONS.get(current, frozenset())
    if new not in allowed:
        raise InvariantViolationError(
            f"Run {run_id!r} cannot move from {current.value} to {new.value}: "
            + (f"from {current.value} it may only move to "
               f"{', '.join(sorted(s.value for s in allowed))}."
               if allowed else f"{current.value} is a finished status."))
    return True


def make_run_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Run:
    """One run of a job (Dagster: ``DagsterRun``). Immutable: use ``with_status``/``with_tags``."""

    job_name: str
    run_id: str = field(default_factory=make_run_id)
    run_config: Mapping[str, Any] = field(default_factory=dict)
    asset_selection: frozenset[AssetKey] | None = None
    asset_check_selection: frozenset[AssetCheckKey] | None = None
    op_selection: Sequence[str] | None = None
    resolved_op_selection: frozenset[str] | None = None
    step_keys_to_execute: Sequence[str] | None = None
    status: RunStatus = RunStatus.NOT_STARTED
    tags: Mapping[str, str] = field(default_factory=dict)
    root_run_id: str | None = None
    parent_run_id: str | None = None

    def __hash__(self) -> int:
        return hash(self.run_id)

    @property
    def pipeline_name(self) -> str:
        return self.job_name

    @property
    def previous_run_id(self) -> str | None:
        return self.parent_run_id

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_cancelable(self) -> bool:
        return self.status in CANCELABLE_STATUSES

    @property
    def is_success(self) -> bool:
        return self.status == RunStatus.SUCCESS

    @property
    def is_failure(self) -> bool:
        return self.status == RunStatus.FAILURE

    @property
    def is_failure_or_canceled(self) -> bool:
        return self.status in (RunStatus.FAILURE, RunStatus.CANCELED)

    @property
    def is_resume_retry(self) -> bool:
        return self.tags.get(RESUME_RETRY_TAG) == "true"

    def with_status(self, status: RunStatus | str) -> Run:
        return replace(self, status=RunStatus(status))

    def with_tags(self, tags: Mapping[str, str]) -> Run:
        return replace(self, tags=dict(tags))

    @staticmethod
    def tags_for_schedule(schedule: Any) -> dict[str, str]:
        return {SCHEDULE_NAME_TAG: schedule.name}

    @staticmethod
    def tags_for_sensor(sensor: Any) -> dict[str, str]:
        return {SENSOR_NAME_TAG: sensor.name}

    @staticmethod
    def tags_for_backfill_id(backfill_id: str) -> dict[str, str]:
        return {BACKFILL_ID_TAG: backfill_id}


@dataclass(frozen=True)
class RunRecord:
    """A run with its storage bookkeeping (Dagster: ``RunRecord``).

    ``create_timestamp``/``update_timestamp`` are UTC datetimes, ``start_time``/``end_time``
    are Unix timestamps (None until the run starts / finishes), as in Dagster.
    """

    storage_id: int
    dagster_run: Run
    create_timestamp: datetime
    update_timestamp: datetime
    start_time: float | None = None
    end_time: float | None = None

    @property
    def run(self) -> Run:
        return self.dagster_run

    def __hash__(self) -> int:
        return hash(self.storage_id)


Timestamp = Union[datetime, float]


def to_timestamp(value: Timestamp | None) -> float | None:
    if value is None:
        return None
    return value.timestamp() if isinstance(value, datetime) else float(value)


@dataclass(frozen=True)
class RunsFilter:
    """Which runs to return; every given field must match (Dagster: ``RunsFilter``).

    ``tags`` maps a key to a value or to a list of accepted values.
    """

    run_ids: Sequence[str] | None = None
    job_name: str | None = None
    statuses: Sequence[RunStatus | str] | None = None
    tags: Mapping[str, str | Sequence[str]] | None = None
    created_before: Timestamp | None = None
    created_after: Timestamp | None = None
    updated_before: Timestamp | None = None
    updated_after: Timestamp | None = None

    def __hash__(self) -> int:
        return hash((tuple(self.run_ids or ()), self.job_name, tuple(self.statuses or ())))

    def status_values(self) -> list[str] | None:
        if self.statuses is None:
            return None
        return [RunStatus(s).value for s in self.statuses]


def encode_asset_selection(keys: Iterable[AssetKey] | None) -> list[list[str]] | None:
    return None if keys is None else sorted(k.path for k in keys)
