"""``dagster._core.storage.dagster_run`` on Headwater: runs, their status and filters."""

from headwater.storage import Run as DagsterRun
from headwater.storage import RunRecord, RunsFilter
from headwater.storage import RunStatus as DagsterRunStatus

__all__ = ["DagsterRun", "DagsterRunStatus", "RunRecord", "RunsFilter"]
