"""``build_schedule_from_partitioned_job``: a schedule that runs a partitioned job for its
latest partition.

For time-window partitions the schedule ticks when a partition ends (its cron follows the
partitions' cron and timezone, with the minute, hour, day-of-week or day-of-month moved when
asked) and requests a run of the last complete partition at the tick time. For other
partitions (static, dynamic) it ticks on the ``cron_schedule`` given and requests every
partition. A job whose partitions are known only from its asset selection (an asset job
selecting by group, say) gets its partitions when it is resolved against its Definitions.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from headwater.definitions.assets import AssetsDefinition
from headwater.definitions.errors import InvalidDefinitionError
from headwater.definitions.jobs import UnresolvedAssetJobDefinition
from headwater.definitions.partitions.multi import MultiPartitionsDefinition
from headwater.definitions.partitions.time_window import TimeWindowPartitionsDefinition
from headwater.definitions.run_request import RunRequest, SkipReason
from headwater.definitions.schedules import DefaultScheduleStatus, ScheduleDefinition
from headwater.definitions.tags import PARTITION_NAME_TAG, PARTITION_SET_TAG

NO_PARTITIONS = "The job's PartitionsDefinition has no partitions"
_PENDING = "* * * * *"  # a placeholder cron until the job's partitions are known


def _time_def(pdef: Any) -> TimeWindowPartitionsDefinition | None:
    if isinstance(pdef, TimeWindowPartitionsDefinition):
        return pdef
    if isinstance(pdef, MultiPartitionsDefinition):
        times = [d.partitions_def for d in pdef.partitions_defs
                 if isinstance(d.partitions_def, TimeWindowPartitionsDefinition)]
        return times[0] if len(times) == 1 else None
    return None


def _known_partitions_def(job: Any) -> tuple[bool, Any, bool]:
    """(known, partitions_def, inferred from assets) without a Definitions at hand."""
    if isinstance(job, UnresolvedAssetJobDefinition):
        if job.partitions_def is not None:
            return True, job.partitions_def, False
        selection = job.selection_input
        if isinstance(selection, AssetsDefinition):
            selection = [selection]
        if isinstance(selection, (list, tuple)) and selection and all(
                isinstance(a, AssetsDefinition) for a in selection):
            pdefs = {p for a in selection for p in _asset_pdefs(a)}
            if len(pdefs) <= 1:
                return True, next(iter(pdefs), None), True
        return False, None, True
    return True, getattr(job, "partitions_def", None), True


def _asset_pdefs(ad: AssetsDefinition) -> list[Any]:
    return [p for s in ad.specs if (p := s.partitions_def or ad.partitions_def) is not None]


_FIELDS = {"minute_of_hour": 0, "hour_of_day": 1, "day_of_month": 2, "day_of_week": 4}
# per cadence, the arguments that move its cron (others are refused or, as Dagster, ignored)
_CADENCES = {
    "hourly": ({"minute_of_hour"}, {"hour_of_day", "day_of_week", "day_of_month"}),
    "daily": ({"minute_of_hour", "hour_of_day"}, {"day_of_week", "day_of_month"}),
    "weekly": ({"minute_of_hour", "hour_of_day", "day_of_week"}, set()),
    "monthly": ({"minute_of_hour", "hour_of_day", "day_of_month"}, set()),
}


def _cadence(fields: list[str]) -> str | None:
    minute, hour, dom, month, dow = fields
    if not minute.isdigit() or month != "*":
        return None
    if hour == "*" and dom == "*" and dow == "*":
        return "hourly"
    if not hour.isdigit():
        return None
    if dom == "*" and dow == "*":
        return "daily"
    if dom == "*" and dow.isdigit():
        return "weekly"
    if dom.isdigit() and dow == "*":
        return "monthly"
    return None


def schedule_cron(pdef: TimeWindowPartitionsDefinition, moves: Mapping[str, int | None],
                  what: str) -> str:
    """The partitions' cron with the minute, hour and day fields moved as asked."""
    given = {k: v for k, v in moves.items() if v is not None}
    fields = pdef.cron_schedule.split()
    cadence = _cadence(fields) if len(fields) == 5 else None
    if cadence is None:
        if given:
            raise InvalidDefinitionError(
                f"{what}: the job's partitions follow the custom cron {pdef.cron_schedule!r}, so "
                f"{sorted(given)} cannot move the schedule; leave them out")
        return pdef.cron_schedule
    allowed, refused = _CADENCES[cadence]
    bad = sorted(k for k in given if k in refused)
    if bad:
        raise InvalidDefinitionError(
            f"{what}: cannot set {', '.join(bad)} for a job with {cadence} partitions; it can "
            f"move only {sorted(allowed)}")
    for key, value in given.items():
        if key in allowed:
            fields[_FIELDS[key]] = str(value)
    return " ".join(fields)


class PartitionedScheduleDefinition(ScheduleDefinition):
    """The schedule ``build_schedule_from_partitioned_job`` returns (a ``ScheduleDefinition``).
    Calling it with a context returns its run request(s), as Dagster's does."""

    def __init__(self, job: Any, name: str, *, description: str | None,
                 moves: Mapping[str, int | None], default_status: DefaultScheduleStatus,
                 tags: Mapping[str, str] | None, cron_schedule: str | None,
                 execution_timezone: str | None, metadata: Mapping[str, Any] | None,
                 owners: Sequence[str] | None):
        self._partitioned_job = job
        self._moves = dict(moves)
        self._given_cron = cron_schedule
        self._run_tags_given = dict(tags or {})
        self._pdef: Any = None  # set once the job's partitions are known
        known, pdef, inferred = _known_partitions_def(job)
        self._partition_set = inferred
        super().__init__(name, cron_schedule=cron_schedule or _PENDING, job=job,
                         execution_timezone=execution_timezone, execution_fn=self._requests,
                         description=description, default_status=default_status,
                         metadata=metadata, owners=owners)
        if known:
            self._bind(pdef)

    # --- the partitions, once known ---
    def _bind(self, pdef: Any) -> None:
        what = f"build_schedule_from_partitioned_job for job {self._partitioned_job.name!r}"
        if pdef is None:
            raise InvalidDefinitionError(
                f"{what}: the job has no partitions; give its assets a partitions_def (e.g. "
                "DailyPartitionsDefinition(start_date=...)), or use ScheduleDefinition with a "
                "cron_schedule for an unpartitioned job")
        time_def = _time_def(pdef)
        if time_def is not None:
            if self._given_cron is not None or self.execution_timezone is not None:
                raise InvalidDefinitionError(
                    f"{what}: the job is partitioned by time, so its schedule follows the "
                    "partitions; cron_schedule and execution_timezone cannot be given (use "
                    "minute_of_hour, hour_of_day, day_of_week or day_of_month to move it)")
            self._cron = schedule_cron(time_def, self._moves, what)
            self.execution_timezone = time_def.timezone
        elif self._given_cron is None:
            raise InvalidDefinitionError(
                f"{what}: the job's partitions ({pdef!r}) are not time windows, so the schedule "
                "needs a cron_schedule, e.g. cron_schedule='0 0 * * *'; each tick runs every "
                "partition")
        self._pdef = pdef

    @property
    def _pending(self) -> bool:
        return self._pdef is None

    def _bind_from(self, defs: Any) -> None:
        if self._pending and defs is not None:
            job = self._partitioned_job
            resolved = defs.get_job_def(job.name) if hasattr(defs, "get_job_def") else None
            self._bind(getattr(resolved, "partitions_def", None))

    @property
    def cron_schedule(self) -> Any:
        if self._pending:
            job = self._partitioned_job
            resolved = getattr(job, "resolved_partitions_def", None)
            if resolved is None:
                raise InvalidDefinitionError(
                    f"Schedule {self.name!r}: the partitions of job {job.name!r} are known once "
                    "the job is resolved against its Definitions; call "
                    "Definitions.validate_loadable(defs) first, or pass partitions_def= to "
                    "define_asset_job")
            self._bind(resolved)
        return self._cron

    @cron_schedule.setter
    def cron_schedule(self, value: Any) -> None:
        self._cron = value

    @property
    def partitions_def(self) -> Any:
        return self._pdef

    def validate_against(self, defs: Any) -> None:
        super().validate_against(defs)
        self._bind_from(defs)

    # --- evaluation ---
    def _requests(self, context: Any) -> Any:
        if self._pending:
            self._bind_from(context.definitions)
        pdef = self._pdef
        when = context._scheduled_execution_time or datetime.datetime.now(datetime.timezone.utc)
        store = getattr(context, "_instance", None)
        time_def = _time_def(pdef)
        if time_def is None:
            keys = list(pdef.get_partition_keys(when, store))
        else:
            last = time_def.get_last_partition_key(when)
            if last is None:
                return SkipReason(NO_PARTITIONS)
            if isinstance(pdef, MultiPartitionsDefinition):
                time_name = next(d.name for d in pdef.partitions_defs
                                 if d.partitions_def is time_def)
                keys = [k for k in pdef.get_partition_keys(when, store)
                        if k.keys_by_dimension[time_name] == last]
            else:
                keys = [last]
        if not keys:
            return SkipReason(NO_PARTITIONS)
        job_name = self._partitioned_job.name
        extra = {PARTITION_SET_TAG: f"{job_name}_partition_set"} if self._partition_set else {}
        requests = [RunRequest(run_key=k, partition_key=k, job_name=job_name,
                               tags={**self._run_tags_given, PARTITION_NAME_TAG: k, **extra})
                    for k in keys]
        return requests[0] if len(requests) == 1 else requests

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Called with a schedule context, returns the run request(s) of that tick."""
        from headwater.definitions.schedules import ScheduleEvaluationContext

        context = args[0] if args else kwargs.get("context")
        if context is None:
            context = ScheduleEvaluationContext()
        return self._requests(context)


def build_schedule_from_partitioned_job(
        job: Any, description: str | None = None, name: str | None = None,
        minute_of_hour: int | None = None, hour_of_day: int | None = None,
        day_of_week: int | None = None, day_of_month: int | None = None,
        default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
        tags: Mapping[str, str] | None = None, cron_schedule: str | None = None,
        execution_timezone: str | None = None, metadata: Mapping[str, Any] | None = None,
        owners: Sequence[str] | None = None) -> ScheduleDefinition:
    """A schedule named ``<job>_schedule`` (or ``name``) that runs ``job`` for its latest
    partition: for time partitions, the last complete one at each tick (the schedule follows
    the partitions' cadence); for others, every partition on ``cron_schedule``."""
    moves = {"minute_of_hour": minute_of_hour, "hour_of_day": hour_of_day,
             "day_of_week": day_of_week, "day_of_month": day_of_month}
    job_name = getattr(job, "name", None)
    if not isinstance(job_name, str):
        raise InvalidDefinitionError(
            f"build_schedule_from_partitioned_job takes a partitioned job (define_asset_job or "
            f"@job); got {job!r}")
    if (cron_schedule is not None or execution_timezone is not None) and any(
            v is not None for v in moves.values()):
        raise InvalidDefinitionError(
            f"build_schedule_from_partitioned_job for job {job_name!r}: pass either "
            "cron_schedule/execution_timezone or minute_of_hour/hour_of_day/day_of_week/"
            "day_of_month, not both")
    return PartitionedScheduleDefinition(
        job, name or f"{job_name}_schedule", description=description, moves=moves,
        default_status=default_status, tags=tags, cron_schedule=cron_schedule,
        execution_timezone=execution_timezone, metadata=metadata, owners=owners)
