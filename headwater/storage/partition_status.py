"""The status of an asset's partitions, as the UI shows it. Pure data: no database imports.

Every partition is in at most one of ``materialized``, ``failed`` and ``in_progress``; with a
partitions definition, ``missing`` holds the definition's other keys, in definition order.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from headwater.storage.runs import FINISHED_STATUSES, RunStatus

# A partition whose latest planning run finished with one of these statuses, without
# materializing it after the plan, is FAILED. As in Dagster, a run that succeeded or was
# canceled without materializing a planned partition leaves it as it was (materialized by an
# earlier run, or missing).
FAILED_RUN_STATUSES: frozenset[RunStatus] = frozenset({RunStatus.FAILURE})


class AssetPartitionStatus(enum.Enum):
    """One partition's status (Dagster's enum): a missing partition has none (None)."""

    MATERIALIZED = "MATERIALIZED"
    IN_PROGRESS = "IN_PROGRESS"
    FAILED = "FAILED"


def classify_planned(run_status: str | None) -> str | None:
    """``"failed"``, ``"in_progress"`` or None for a partition planned but not materialized
    since, given its latest planning run's status (None: that run was deleted)."""
    if run_status is None:
        return None
    status = RunStatus(run_status)
    if status in FAILED_RUN_STATUSES:
        return "failed"
    if status in FINISHED_STATUSES:
        return None
    return "in_progress"


@dataclass(frozen=True)
class PartitionStatusSummary:
    """Partition keys of one asset by status (``Instance.get_partition_status``).

    ``missing`` is None when no partitions definition was given (the instance alone cannot
    know which keys exist).
    """

    materialized: frozenset[str]
    failed: frozenset[str]
    in_progress: frozenset[str]
    missing: tuple[str, ...] | None = None

    def counts(self) -> dict[str, int]:
        """Number of keys per status; ``missing`` only when it is known."""
        out = {"materialized": len(self.materialized), "failed": len(self.failed),
               "in_progress": len(self.in_progress)}
        if self.missing is not None:
            out["missing"] = len(self.missing)
        return out

    def status_of(self, partition_key: str) -> str | None:
        """``"materialized"``, ``"failed"``, ``"in_progress"``, ``"missing"``, or None for a
        key this status knows nothing about (no definition given, or not one of its keys)."""
        for name in ("materialized", "failed", "in_progress"):
            if partition_key in getattr(self, name):
                return name
        if partition_key in self._missing_set:
            return "missing"
        return None

    def status_by_partition(self, partition_keys: Sequence[str],
                            ) -> dict[str, AssetPartitionStatus | None]:
        """Dagster's ``get_status_by_partition`` shape: None for a missing partition."""
        out: dict[str, AssetPartitionStatus | None] = {}
        for key in partition_keys:
            out[key] = (AssetPartitionStatus.MATERIALIZED if key in self.materialized else
                        AssetPartitionStatus.FAILED if key in self.failed else
                        AssetPartitionStatus.IN_PROGRESS if key in self.in_progress else None)
        return out

    @cached_property
    def _missing_set(self) -> frozenset[str]:
        return frozenset(self.missing or ())
