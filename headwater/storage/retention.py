"""Retention: delete old finished runs with what they recorded (``Instance.prune_runs``).

What goes: finished runs (SUCCESS, FAILURE, CANCELED; with ``keep_failed`` not FAILURE) last
updated before the cutoff (``now - older_than``; a finished run's last update is its end), with
their events, tags, check executions, open partition plans and compute-log folders. Runs that
are queued or in progress are never touched.

What stays, whatever its age: a run that holds one of the facts the asset index serves, so
that every read of "latest" and of partition status answers exactly as before pruning:

* an asset's latest materialization or latest observation;
* a partition's latest materialization (``asset_partitions``);
* a check's latest execution;
* the open plan of a partition it failed to materialize (the partition shows FAILED);
* any run of a backfill that is still going (the backfill resumes from its runs' tags).

Such a run is kept whole (its row, tags and full event log), so what is kept is always a
complete, readable run. There is at most one per asset, partition and check.

A finished backfill last updated before the cutoff is deleted once none of its runs remains
(with ``keep_failed``, failed backfills stay); one with runs left stays, showing those runs.

How: the protected runs are read once, after the cutoff is fixed (a run finished before the
cutoff cannot become "latest" later: newer events come from newer runs). Candidates are then
read page by page in id order, and each page is deleted in its own short write transaction
through ``run_storage.delete_runs`` (the same code as ``delete_run``, which re-points the index
at the latest events that remain), re-checking there that each run is still finished. A crash
between batches leaves whole runs either deleted or intact, and the index consistent.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from headwater.definitions.errors import InvalidInvocationError
from headwater.storage.backfills import TERMINAL_STATUSES, BulkActionStatus
from headwater.storage.database import Database
from headwater.storage.run_storage import delete_runs
from headwater.storage.runs import BACKFILL_ID_TAG, FINISHED_STATUSES, RunStatus

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection

    from headwater.storage import schema as tables
else:
    from headwater.storage.lazy import sa, tables

DEFAULT_BATCH_SIZE = 200
COMPUTE_LOGS_DIRECTORY = "compute_logs"  # as execution/compute_logs.py lays it out
FAILED_BACKFILL_STATUSES = frozenset({BulkActionStatus.FAILED, BulkActionStatus.COMPLETED_FAILED})


@dataclass(frozen=True)
class PruneResult:
    """What a prune deleted (or, with ``dry_run``, would delete), and what it kept."""

    runs: int = 0
    events: int = 0
    tags: int = 0
    check_executions: int = 0
    planned_partitions: int = 0
    backfills: int = 0
    kept_protected: int = 0  # old finished runs kept: latest facts, or a backfill going on
    kept_failed: int = 0  # old failed runs kept by keep_failed
    batches: int = 0
    cutoff: float = 0.0
    dry_run: bool = False


class RunRetentionSettings(Protocol):
    """The run-retention settings of the instance config (``retention.runs``)."""

    @property
    def max_age(self) -> timedelta | None:
        """Finished runs older than this are pruned; None keeps every run."""
        ...

    @property
    def keep_failed(self) -> bool: ...


def prune_with_settings(instance: Any, settings: RunRetentionSettings | None, *,
                        batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False,
                        now: float | None = None) -> PruneResult | None:
    """Apply the configured run retention: the entry point for the daemon and for
    ``headwater instance prune`` without ``--older-than``. None when every run is kept."""
    if settings is None or settings.max_age is None:
        return None
    result: PruneResult = instance.prune_runs(settings.max_age, keep_failed=settings.keep_failed,
                                              batch_size=batch_size, dry_run=dry_run, now=now)
    return result


def prune_runs(db: Database, older_than: timedelta, *, keep_failed: bool = False,
               batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False,
               now: float | None = None, files_root: str | None = None,
               on_batch: Callable[[PruneResult], None] | None = None) -> PruneResult:
    """See the module docstring. ``now`` is the clock (seconds since the epoch)."""
    if not isinstance(older_than, timedelta) or older_than < timedelta(0):
        raise InvalidInvocationError(
            f"older_than must be a timedelta of zero or more, not {older_than!r}: e.g. "
            "prune_runs(timedelta(days=30)).")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidInvocationError(f"batch_size must be a positive integer, not {batch_size!r}.")
    cutoff = (time.time() if now is None else now) - older_than.total_seconds()
    with db.read() as conn:
        protected = _protected_runs(conn)
    totals = [0] * 5
    kept_protected = kept_failed = batches = 0
    would_go: set[str] = set()
    last_id = 0

    def summary(backfills: int) -> PruneResult:
        runs, events, tags, checks, planned = totals
        return PruneResult(runs=runs, events=events, tags=tags, check_executions=checks,
                           planned_partitions=planned, backfills=backfills,
                           kept_protected=kept_protected, kept_failed=kept_failed,
                           batches=batches, cutoff=cutoff, dry_run=dry_run)

    while True:
        with db.read() as conn:
            page = _candidates(conn, cutoff, last_id, batch_size)
        if not page:
            break
        last_id = page[-1][0]
        batch = []
        for _, run_id, status in page:
            if keep_failed and status == RunStatus.FAILURE.value:
                kept_failed += 1
            elif run_id in protected:
                kept_protected += 1
            else:
                batch.append(run_id)
        if batch:
            if dry_run:
                with db.read() as conn:
                    counts = _count_rows(conn, batch)
                would_go.update(batch)
            else:
                with db.write() as conn:
                    counts = delete_runs(conn, _still_finished(conn, batch))
                _remove_compute_logs(files_root, batch)
            totals = [t + c for t, c in zip(totals, counts, strict=True)]
            batches += 1
            if on_batch is not None:
                on_batch(summary(0))
    return summary(_prune_backfills(db, cutoff, keep_failed, would_go if dry_run else None))


def _protected_runs(conn: Connection) -> set[str]:
    """Runs holding a latest fact of the asset index, or belonging to a backfill in progress."""
    ak, el = tables.asset_keys.c, tables.event_logs.c
    ap, ace = tables.asset_partitions.c, tables.asset_check_executions.c
    plan, runs, rt = tables.asset_partition_planned.c, tables.runs.c, tables.run_tags.c
    bf = tables.backfills.c
    latest_check = sa.select(sa.func.max(ace.id)).group_by(ace.asset_key, ace.check_name)
    going = [s.value for s in BulkActionStatus if s not in TERMINAL_STATUSES]
    queries = (
        sa.select(ak.last_run_id).where(ak.last_run_id.is_not(None)),
        sa.select(el.run_id).where(el.id.in_(sa.select(ak.last_observation_id).where(
            ak.last_observation_id.is_not(None)))),
        sa.select(ap.last_run_id).distinct(),
        sa.select(ace.run_id).where(ace.id.in_(latest_check)),
        sa.select(plan.run_id).distinct().where(plan.run_id.in_(
            sa.select(runs.run_id).where(runs.status == RunStatus.FAILURE.value))),
        sa.select(rt.run_id).where(rt.key == BACKFILL_ID_TAG, rt.value.in_(
            sa.select(bf.backfill_id).where(bf.status.in_(going)))),
    )
    protected: set[str] = set()
    for query in queries:
        protected.update(r for (r,) in conn.execute(query))
    return protected


def _candidates(conn: Connection, cutoff: float, after_id: int,
                limit: int) -> Sequence[tuple[int, str, str]]:
    """Finished runs last updated before ``cutoff``, after id ``after_id``, oldest first."""
    c = tables.runs.c
    stmt = (sa.select(c.id, c.run_id, c.status)
            .where(c.status.in_([s.value for s in FINISHED_STATUSES]),
                   c.update_timestamp < cutoff, c.id > after_id)
            .order_by(c.id).limit(limit))
    return [(int(i), r, s) for i, r, s in conn.execute(stmt)]


def _still_finished(conn: Connection, run_ids: list[str]) -> list[str]:
    c = tables.runs.c
    return [r for (r,) in conn.execute(sa.select(c.run_id).where(
        c.run_id.in_(run_ids), c.status.in_([s.value for s in FINISHED_STATUSES])))]


def _count_rows(conn: Connection, run_ids: list[str]) -> tuple[int, ...]:
    """What ``delete_runs`` would delete for these runs, in its order (dry run)."""
    counts = [len(run_ids)]
    for table in (tables.event_logs, tables.run_tags, tables.asset_check_executions,
                  tables.asset_partition_planned):
        counts.append(int(conn.execute(sa.select(sa.func.count()).select_from(table).where(
            table.c.run_id.in_(run_ids))).scalar_one()))
    return tuple(counts)


def _prune_backfills(db: Database, cutoff: float, keep_failed: bool,
                     would_go: set[str] | None) -> int:
    """Delete finished backfills older than the cutoff with no run left (``would_go``: the
    runs a dry run would have deleted, counted as gone)."""
    bf, rt = tables.backfills.c, tables.run_tags.c
    done = [s.value for s in TERMINAL_STATUSES
            if not (keep_failed and s in FAILED_BACKFILL_STATUSES)]
    old = sa.select(bf.backfill_id).where(bf.status.in_(done), bf.update_timestamp < cutoff)
    with db.read() as conn:
        ids = list(conn.execute(old).scalars())
        left: dict[str, set[str]] = {}
        for backfill_id, run_id in conn.execute(sa.select(rt.value, rt.run_id).where(
                rt.key == BACKFILL_ID_TAG, rt.value.in_(ids))):
            left.setdefault(backfill_id, set()).add(run_id)
    empty = [b for b in ids if not (left.get(b, set()) - (would_go or set()))]
    if would_go is not None or not empty:
        return len(empty)
    has_runs = sa.select(rt.run_id).where(rt.key == BACKFILL_ID_TAG, rt.value == bf.backfill_id)
    with db.write() as conn:
        return int(conn.execute(sa.delete(tables.backfills).where(
            bf.backfill_id.in_(empty), ~sa.exists(has_runs))).rowcount)


def _remove_compute_logs(files_root: str | None, run_ids: list[str]) -> None:
    """Each deleted run's compute-log folder (after its rows are gone: a crash between the two
    leaves only an unreferenced folder)."""
    if files_root is None:
        return
    base = os.path.join(files_root, COMPUTE_LOGS_DIRECTORY)
    for run_id in run_ids:
        if os.sep in run_id or run_id in ("", ".", ".."):
            continue
        shutil.rmtree(os.path.join(base, run_id), ignore_errors=True)
