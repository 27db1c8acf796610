"""The run queue (Dagster's QueuedRunCoordinator): launch QUEUED runs within the instance's
limits, highest ``dagster/priority`` first, then oldest.

Each pass reads the queued runs and the runs in progress (STARTING, STARTED, CANCELING: they
count against the limits) and dequeues as many as the limits allow, in one batch:

* ``max_concurrent_runs`` (-1: no limit; 0: nothing launches);
* ``tag_concurrency_limits``: at most ``limit`` runs in progress with tag ``key`` (= ``value``,
  or per distinct value with ``{applyLimitPerUniqueValue: true}``); a run held back by a tag
  limit does not hold back the runs behind it that the limit does not cover;
* ``block_op_concurrency_limited_runs``: a run whose assets use a pool with no free slot (beyond
  ``op_concurrency_slot_buffer``) waits in the queue instead of taking a run slot to wait in.

Dequeuing a run is one status move, QUEUED -> STARTING (``mark_starting``), which storage
orders against a cancel; then the run's code location (tag ``headwater/code_location``)
``launch_run``s it. A location that is missing or cannot launch fails the run with the reason.
A location that cannot be reached (``LocationUnavailableError``: its server died or hangs) is
retried as Dagster's ``max_user_code_failure_retries`` says: the run goes back to QUEUED (a
RUN_ENQUEUED event that says why; the event log counts the retries, so a daemon restart does
not reset them) and no run of that location is dequeued for ``user_code_failure_retry_delay``
seconds; after that many retries the run fails. The default, 0 retries, fails it at once.
The limits come from ``dagster.yaml`` (``run_coordinator``, ``run_queue`` or
``concurrency.runs``, parsed in ``storage/config``); without any the queue launches every run.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from headwater.daemon.clock import Clock, SystemClock
from headwater.daemon.component import Wakeup
from headwater.definitions.tags import CODE_LOCATION_TAG, PRIORITY_TAG
from headwater.events.records import EventType
from headwater.execution.stored_run import mark_starting
from headwater.locations.contracts import CodeLocation, LocationUnavailableError
from headwater.storage.runs import IN_PROGRESS_STATUSES, RunRecord, RunsFilter, RunStatus

logger = logging.getLogger("headwater.daemon")

DEFAULT_INTERVAL_S = 0.2  # between passes, unless dagster.yaml sets dequeue_interval_seconds
BACKLOG_INTERVAL_S = 0.02  # between passes while queued runs wait for a slot to free up
REQUEUED_MESSAGE = "Code location unreachable: run handed back to the queue"


@dataclass(frozen=True)
class TagRule:
    key: str
    value: str | None  # None: any value
    per_unique_value: bool
    limit: int

    def bucket(self, tags: Mapping[str, str]) -> Any:
        """The bucket a run with ``tags`` counts in for this rule, None if it does not apply."""
        if self.key not in tags:
            return None
        value = tags[self.key]
        if self.value is not None:
            return value if value == self.value else None
        return value if self.per_unique_value else True


@dataclass(frozen=True)
class QueueLimits:
    max_concurrent_runs: int = -1  # -1: no limit
    tag_rules: tuple[TagRule, ...] = ()
    block_pool_limited: bool = False
    pool_slot_buffer: int = 0

    @staticmethod
    def from_instance(instance: Any) -> QueueLimits:
        config = instance.config
        limits = config.run_limits()
        if limits is None:
            return QueueLimits()
        rules = tuple(TagRule(r.key, r.value if isinstance(r.value, str) else None,
                              r.per_unique_value, r.limit)
                      for r in limits.tag_concurrency_limits)
        queued = config.run_queue or config.queued_settings
        block = queued.block_op_concurrency_limited_runs if queued is not None else None
        return QueueLimits(limits.max_concurrent_runs, rules,
                           bool(block and block.enabled),
                           block.op_concurrency_slot_buffer if block else 0)


@dataclass(frozen=True)
class UnreachableRetries:
    """``max_user_code_failure_retries`` / ``user_code_failure_retry_delay`` of the run queue's
    settings (``run_queue`` or ``run_coordinator``'s config)."""

    max_retries: int = 0
    delay_seconds: float = 60.0

    @staticmethod
    def from_instance(instance: Any) -> UnreachableRetries:
        queued = instance.config.run_queue or instance.config.queued_settings
        if queued is None:
            return UnreachableRetries()
        return UnreachableRetries(queued.max_user_code_failure_retries,
                                  float(queued.user_code_failure_retry_delay))


def run_priority(tags: Mapping[str, str]) -> int:
    try:
        return int(tags.get(PRIORITY_TAG, 0))
    except (TypeError, ValueError):
        return 0


@dataclass
class _Usage:
    """What runs in progress take of the limits, updated as this pass dequeues."""

    limits: QueueLimits
    count: int = 0
    buckets: Counter[tuple[int, Any]] = field(default_factory=Counter)

    def add(self, tags: Mapping[str, str]) -> None:
        self.count += 1
        for i, rule in enumerate(self.limits.tag_rules):
            bucket = rule.bucket(tags)
            if bucket is not None:
                self.buckets[(i, bucket)] += 1

    def full(self) -> bool:
        limit = self.limits.max_concurrent_runs
        return limit >= 0 and self.count >= limit

    def admits(self, tags: Mapping[str, str]) -> bool:
        for i, rule in enumerate(self.limits.tag_rules):
            bucket = rule.bucket(tags)
            if bucket is not None and self.buckets[(i, bucket)] >= rule.limit:
                return False
        return True


Locations = Mapping[str, CodeLocation] | Callable[[], Mapping[str, CodeLocation]]


class QueueComponent:
    """The daemon's run queue: see the module docstring. ``locations`` maps location names
    to loaded ``CodeLocation``s (or is a function returning the current mapping)."""

    name = "queue"
    own_wakeup: Wakeup | None = None  # set by whoever queues runs, to dequeue them at once

    def __init__(self, instance: Any, locations: Locations, *,
                 interval_seconds: float | None = None, clock: Clock | None = None):
        self.instance = instance
        self._locations = locations
        self.clock = clock or SystemClock()
        # location name -> when its runs may be dequeued again (it could not be reached)
        self._unreachable_until: dict[str, float] = {}
        explicit_interval = interval_seconds is not None
        if interval_seconds is None:
            queued = instance.config.run_queue or instance.config.queued_settings
            explicit_interval = (queued is not None
                                 and "dequeue_interval_seconds" in queued.model_fields_set)
            interval_seconds = (float(queued.dequeue_interval_seconds)
                                if explicit_interval and queued else DEFAULT_INTERVAL_S)
        self._interval = interval_seconds
        self._adaptive = not explicit_interval
        self._backlog = False  # the last pass left runs queued behind the limits
        self.launched: list[str] = []  # run ids launched by the last pass (for callers/tests)

    @property
    def interval_seconds(self) -> float:
        """The configured interval; while runs wait behind the limits (a run's end frees a
        slot, and nothing wakes the queue for that), a short one, unless
        ``dequeue_interval_seconds`` is set."""
        return BACKLOG_INTERVAL_S if self._adaptive and self._backlog else self._interval

    @interval_seconds.setter
    def interval_seconds(self, value: float) -> None:
        self._interval, self._adaptive = value, False

    def locations(self) -> Mapping[str, CodeLocation]:
        return self._locations() if callable(self._locations) else self._locations

    def run_iteration(self) -> None:
        self.launched = self.dequeue()

    def dequeue(self) -> list[str]:
        """One pass: launch the queued runs the limits admit; their ids, in launch order."""
        instance = self.instance
        queued = instance.get_run_records(RunsFilter(statuses=[RunStatus.QUEUED]),
                                          ascending=True)
        self._backlog = False
        if not queued:
            return []
        limits = QueueLimits.from_instance(instance)
        usage = _Usage(limits)
        for record in instance.get_run_records(RunsFilter(statuses=list(IN_PROGRESS_STATUSES))):
            usage.add(record.dagster_run.tags)
        launched: list[str] = []
        pools = _PoolCheck(instance, limits, self.locations) if limits.block_pool_limited \
            else None
        now = self.clock.now()
        self._unreachable_until = {name: until for name, until in
                                   self._unreachable_until.items() if until > now}
        resting = 0  # runs of a location that could not be reached, waiting out the delay
        for record in prioritized(queued):
            if usage.full():
                break
            run = record.dagster_run
            if self._unreachable_until and self._location_name(run) in self._unreachable_until:
                resting += 1
                continue
            if not usage.admits(run.tags) or (pools is not None and pools.blocked(run)):
                continue
            if not mark_starting(instance, run, "Dequeued run: launching it."):
                continue  # canceled meanwhile
            usage.add(run.tags)
            if self._launch(run):
                launched.append(run.run_id)
        self._backlog = len(launched) + resting < len(queued)
        return launched

    def _location_name(self, run: Any) -> str | None:
        name = run.tags.get(CODE_LOCATION_TAG)
        if name is None:
            locations = self.locations()
            if len(locations) == 1:
                name = next(iter(locations))
        return name

    def _launch(self, run: Any) -> bool:
        locations = self.locations()
        name = self._location_name(run)
        location = locations.get(name) if name is not None else None
        if location is None or name is None:
            where = (f"code location {name!r}, which is not loaded" if name is not None
                     else f"no code location (tag {CODE_LOCATION_TAG} is not set)")
            _fail(self.instance, run, f"Run could not be launched: it belongs to {where}; "
                  f"loaded locations are {sorted(locations)}. Reload the workspace, or launch "
                  "the run again from a loaded location.")
            return False
        try:
            location.launch_run(run.run_id)
        except LocationUnavailableError as e:
            self._unreachable(run, name, e)
            return False
        except Exception as e:  # noqa: BLE001 - a location that fails to launch fails the run
            _fail(self.instance, run, f"Run could not be launched in code location {name!r}: "
                  f"{type(e).__name__}: {e}")
            return False
        return True


    def _unreachable(self, run: Any, name: str, error: LocationUnavailableError) -> None:
        """The run's location could not be reached: hand the run back to the queue (and rest
        the location) while retries remain, else fail it."""
        from headwater.definitions.errors import InvariantViolationError
        from headwater.execution.cancel import record_run_event

        retries = UnreachableRetries.from_instance(self.instance)
        done = sum(1 for entry in self.instance.all_logs(run.run_id,
                                                         of_type=EventType.RUN_ENQUEUED)
                   if (entry.message or "").startswith(REQUEUED_MESSAGE))
        if done >= retries.max_retries:
            tried = (f" after {done} retr{'y' if done == 1 else 'ies'}" if done else "")
            _fail(self.instance, run, f"Run could not be launched: code location {name!r} "
                  f"could not be reached{tried}: {error}. Retries: "
                  "run_queue.max_user_code_failure_retries in dagster.yaml (now "
                  f"{retries.max_retries}).")
            return
        self._unreachable_until[name] = self.clock.now() + retries.delay_seconds
        message = (f"{REQUEUED_MESSAGE} (retry {done + 1} of {retries.max_retries}, in "
                   f"{retries.delay_seconds:g} s): {error}")
        logger.warning("run %s: %s", run.run_id, message)
        try:
            record_run_event(self.instance, run, EventType.RUN_ENQUEUED, message,
                             logging.WARNING)
        except InvariantViolationError:  # canceled, or the worker took it after all
            pass


def prioritized(records: Iterable[RunRecord]) -> list[RunRecord]:
    """Highest ``dagster/priority`` first, then oldest (storage order)."""
    return sorted(records, key=lambda r: (-run_priority(r.dagster_run.tags), r.storage_id))


def _fail(instance: Any, run: Any, message: str) -> None:
    from headwater.definitions.errors import InvariantViolationError
    from headwater.execution.cancel import record_run_event

    logger.warning("run %s: %s", run.run_id, message)
    try:
        record_run_event(instance, run, EventType.RUN_FAILURE, message, logging.ERROR)
    except InvariantViolationError:  # canceled meanwhile
        pass


class _PoolCheck:
    """``block_op_concurrency_limited_runs``: is a pool the run's assets use full?"""

    def __init__(self, instance: Any, limits: QueueLimits, locations: Callable[[], Any]):
        self.instance = instance
        self.buffer = limits.pool_slot_buffer
        self.locations = locations
        self._free: dict[str, bool] = {}

    def blocked(self, run: Any) -> bool:
        return any(not self._has_room(pool) for pool in self._pools(run))

    def _pools(self, run: Any) -> Sequence[str]:
        location = self.locations().get(run.tags.get(CODE_LOCATION_TAG, ""))
        if location is None:
            return ()
        try:
            snapshot = location.snapshot()
        except Exception:  # noqa: BLE001 - no snapshot: the launch will say why
            return ()
        keys = run.asset_selection
        if keys is None:
            job = snapshot.job(run.job_name)
            paths = set(job.asset_keys) if job is not None else set()
        else:
            paths = {tuple(k.path) for k in keys}
        return sorted({a.pool for a in snapshot.assets if a.pool and tuple(a.key) in paths})

    def _has_room(self, pool: str) -> bool:
        if pool not in self._free:
            info = self.instance.get_concurrency_info(pool)
            limited = info.using_default_limit or pool in self.instance.get_concurrency_keys()
            self._free[pool] = (not limited
                                or info.active_slot_count < info.slot_count + self.buffer)
        return self._free[pool]
