"""Runs created before they execute: queued by the CLI (``job launch``, ``asset materialize
--async``), schedules, sensors and backfills, then executed by a code location's worker.

* ``queue_run`` stores a QUEUED run from a ``LaunchRequest`` without executing it; every field
  the request needs is kept on the row (job, selections, run config, tags, partition tags,
  parent run), and the tag ``headwater/code_location`` names where it launches.
* ``execute_stored_run`` rebuilds the request from the row (``request_from_run``), finds the
  target in the loaded ``Definitions`` and runs it under the same run id: the row moves
  QUEUED/NOT_STARTED -> STARTING -> STARTED -> SUCCESS/FAILURE. A job, asset or partition that
  is no longer there fails the run with the reason as its RUN_FAILURE (no traceback).
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from headwater.definitions.errors import (
    ExecutionStepNotFoundError,
    HeadwaterError,
    InvalidConfigError,
    InvariantViolationError,
    RunNotFoundError,
)
from headwater.definitions.jobs import IMPLICIT_ASSET_JOB_NAME
from headwater.definitions.tags import (
    CODE_LOCATION_TAG,
    FROM_FAILURE_TAG,
    PARENT_RUN_ID_TAG,
    ROOT_RUN_ID_TAG,
)
from headwater.events.errors import error_info_from_exc
from headwater.events.records import Event, EventLogEntry, EventType, StepFailureData
from headwater.execution.launch import (
    IN_PROCESS,
    LaunchRequest,
    LoadedTarget,
    launch,
    request_from_run,
)
from headwater.execution.partitions import run_partition_tags
from headwater.execution.run import EPHEMERAL_JOB_NAME
from headwater.execution.run_control import RunNotStartableError
from headwater.storage.runs import FINISHED_STATUSES, Run, RunStatus

logger = logging.getLogger("headwater")

# the names an asset-selection run (no job of the user's) is recorded under
ASSET_JOB_NAMES = frozenset({IMPLICIT_ASSET_JOB_NAME, EPHEMERAL_JOB_NAME})
STARTABLE = frozenset({RunStatus.QUEUED, RunStatus.NOT_STARTED, RunStatus.STARTING})


class StoredRunError(HeadwaterError):
    """The stored run cannot be executed against these definitions (the reason says why)."""


def queue_run(instance: Any, request: LaunchRequest, location_name: str) -> Run:
    """Store ``request`` as a QUEUED run of code location ``location_name``, not executed
    here: the queue launches it. A request whose run id exists already returns that run (so a
    retried submission does not queue twice)."""
    from headwater.definitions.partitions import PartitionKeyRange
    from headwater.storage.errors import RunAlreadyExistsError

    if request.partition_key is not None and request.partition_range is not None:
        raise StoredRunError("A run takes a partition key or a partition range, not both")
    tags = dict(request.tags)
    tags.update(run_partition_tags(
        request.partition_key,
        None if request.partition_range is None else PartitionKeyRange(*request.partition_range)))
    tags[CODE_LOCATION_TAG] = location_name
    run_config = request.run_config
    lineage: dict[str, Any] = {}
    if request.parent_run_id is not None:
        parent = instance.get_run_by_id(request.parent_run_id)
        if parent is None:
            raise RunNotFoundError(f"No run with id {request.parent_run_id!r} to re-execute")
        root = parent.root_run_id or parent.run_id
        lineage = {"parent_run_id": parent.run_id, "root_run_id": root}
        inherited = {k: v for k, v in parent.tags.items()
                     if k not in (PARENT_RUN_ID_TAG, ROOT_RUN_ID_TAG)}
        tags = {**inherited, **tags, PARENT_RUN_ID_TAG: parent.run_id, ROOT_RUN_ID_TAG: root}
        if run_config is None:
            run_config = parent.run_config
        if request.from_failure and not request.step_selection:
            tags[FROM_FAILURE_TAG] = "true"
    job_name = request.job_name or IMPLICIT_ASSET_JOB_NAME
    try:
        run = instance.create_run(
            job_name=job_name, run_id=request.run_id, run_config=run_config or {}, tags=tags,
            status=RunStatus.QUEUED, asset_selection=request.asset_selection,
            asset_check_selection=request.asset_check_selection,
            op_selection=request.op_selection,
            step_keys_to_execute=list(request.step_selection) or None, **lineage)
    except RunAlreadyExistsError:
        existing = instance.get_run_by_id(request.run_id)
        assert existing is not None
        return existing
    message = "Enqueued run."
    event = Event(EventType.RUN_ENQUEUED, job_name, None, None, message, None)
    instance.store_events([EventLogEntry(run.run_id, time.time(), logging.DEBUG, message, None,
                                         job_name, event)])
    return run


def mark_starting(instance: Any, run: Run, message: str = "Launching run.") -> bool:
    """Take a QUEUED run for launching (QUEUED -> STARTING, one event). False if it can no
    longer start (canceled meanwhile): the storage orders this move and a cancel."""
    from headwater.execution.cancel import record_run_event

    try:
        record_run_event(instance, run, EventType.RUN_STARTING, message, logging.DEBUG)
    except InvariantViolationError:
        return False
    return True


def execute_stored_run(run_id: str, instance: Any, defs: Any, *,
                       reconstructable: Any = None) -> None:
    """Execute the stored run ``run_id`` (QUEUED, NOT_STARTED or STARTING) against ``defs``
    under its own id; returns when it has ended. Never raises for the run's own failures: they
    are recorded on the run. A run canceled or finished meanwhile is left as it is.

    ``reconstructable``: a pointer worker processes rebuild the job from (a code location
    gives one for a multiprocess job); without it, the job is looked up as a module attribute.
    """
    run = instance.get_run_by_id(run_id)
    if run is None:
        raise RunNotFoundError(f"No run with id {run_id!r} in this instance")
    if run.status not in STARTABLE:
        if run.status == RunStatus.CANCELING and instance.get_run_process(run_id) is None:
            _canceled_before_start(instance, run)  # no worker ever took it: end it here
        logger.info("run %s is %s: not started", run_id, run.status.value)
        return
    try:
        request, target = resolve_stored_run(run, defs, reconstructable)
        launch(request, instance, target, raise_on_error=False, stored_run=run)
    except RunNotStartableError as e:  # canceled (or ended) before it started
        if e.status == RunStatus.CANCELING:
            _canceled_before_start(instance, run)
    except Exception as e:  # noqa: BLE001 - recorded on the run, which must not stay open
        _fail_unless_finished(instance, run, e)
    except BaseException as e:  # interrupted: the run is ended, then the interrupt goes on
        _fail_unless_finished(instance, run, e)
        raise


def _canceled_before_start(instance: Any, run: Run) -> None:
    from headwater.execution.cancel import record_run_event

    with contextlib.suppress(InvariantViolationError):
        record_run_event(instance, run, EventType.RUN_CANCELED,
                         "This run was canceled before its first step started.")


def resolve_stored_run(run: Run, defs: Any, reconstructable: Any = None,
                       ) -> tuple[LaunchRequest, LoadedTarget]:
    """The request of ``run`` and the target it runs in ``defs``; ``StoredRunError`` naming
    what is missing (the job, an asset, a check) and what there is."""
    return resolve_request(request_from_run(run), defs, reconstructable)


def resolve_request(request: LaunchRequest, defs: Any, reconstructable: Any = None,
                    ) -> tuple[LaunchRequest, LoadedTarget]:
    """The target ``request`` runs in ``defs`` (what a stored run of it would run; also what
    ``config_check.launch_config_problems`` checks a run config against)."""
    name = request.job_name or IMPLICIT_ASSET_JOB_NAME
    graph = defs.asset_graph
    if name in ASSET_JOB_NAMES and request.parent_run_id is None:
        _check_assets(graph, request, "the code location")
        # an asset selection runs in process, as `headwater asset materialize` does
        return (_replace(request, executor=IN_PROCESS),
                LoadedTarget.of_assets(graph, defs.resources))
    try:
        job = defs.get_job_def(name)
    except (InvariantViolationError, HeadwaterError):
        jobs = sorted(j.name for j in defs.jobs)
        raise StoredRunError(
            f"Job {name!r} is not in the code location (it was renamed or removed since the run "
            f"was queued); its jobs are {jobs}") from None
    if job.graph_def is None:
        _check_assets(job.asset_graph, request, f"job {name!r}")
    return request, LoadedTarget.of_job(job, reconstructable=reconstructable)


def _replace(request: LaunchRequest, **changes: Any) -> LaunchRequest:
    import dataclasses

    return dataclasses.replace(request, **changes)


def _check_assets(graph: Any, request: LaunchRequest, where: str) -> None:
    missing = [k.to_user_string() for k in request.asset_selection or () if k not in graph.ids]
    if missing:
        raise StoredRunError(
            f"Asset(s) {missing} are not in {where} (renamed or removed since the run was "
            "queued)")
    checks = request.asset_check_selection or ()
    known = {key for cd in graph.checks_defs for key in cd.check_keys}
    gone = [str(c) for c in checks if c not in known]
    if gone:
        raise StoredRunError(f"Asset check(s) {gone} are not in {where}")


_CLEAR = (StoredRunError, InvalidConfigError, ExecutionStepNotFoundError, RunNotFoundError,
          HeadwaterError)


def _fail_unless_finished(instance: Any, run: Run, error: BaseException) -> None:
    """Record why the run could not go on, unless its end is recorded already."""
    current = instance.get_run_by_id(run.run_id)
    if current is None or current.status in FINISHED_STATUSES:
        return
    if isinstance(error, InvalidConfigError) and error.errors:
        reason = f"{error} " + "; ".join(error.errors)
    elif isinstance(error, _CLEAR):
        reason = str(error)
    else:
        reason = f"{type(error).__name__}: {error}"
    message = f'Run of "{run.job_name}" could not be executed: {reason}'
    info = error_info_from_exc(error)
    data = StepFailureData(info, None, "FRAMEWORK_ERROR") if not isinstance(error, _CLEAR) \
        else None
    event = Event(EventType.RUN_FAILURE, run.job_name, None, None, message, data)
    try:
        instance.store_events([EventLogEntry(run.run_id, time.time(), logging.ERROR, message,
                                             None, run.job_name, event)])
    except InvariantViolationError:  # ended meanwhile (canceled): its end stands
        pass
