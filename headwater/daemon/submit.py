"""Turn one requested run into a QUEUED run row; the run queue launches it later.

The row holds everything needed to rebuild the launch request (``request_from_run``): job name,
run config, tags (the partition, the schedule or sensor, the run key, the code location),
asset and check selections. Submitting the same ``run_id`` twice returns the stored run:
the daemon derives run ids from the tick, so a tick re-done after a crash finds its runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.results import AssetCheckKey
from headwater.locations.evaluation import RunRequestData
from headwater.storage.runs import Run

RUN_KEY_TAG = "dagster/run_key"
SCHEDULED_EXECUTION_TIME_TAG = "dagster/scheduled_execution_time"
TICK_ID_TAG = "headwater/tick_id"

_RUN_ID_NAMESPACE = uuid.UUID("6f1e3b0c-5d7a-4c1e-9a43-2b8f0d6c9e11")


def derived_run_id(*parts: str) -> str:
    """A run id that the same parts always give (uuid5): the tick's idempotency key."""
    return str(uuid.uuid5(_RUN_ID_NAMESPACE, "\x1f".join(parts)))


def submit_run(instance: Any, request_data: RunRequestData, location_name: str,
               run_id: str, extra_tags: Mapping[str, str] | None = None) -> Run:
    """Create run ``run_id`` QUEUED for ``request_data`` (or return it if it exists), through
    the one way runs are queued (``execution.stored_run.queue_run``)."""
    from headwater.execution.launch import LaunchRequest
    from headwater.execution.stored_run import queue_run

    existing = instance.get_run_by_id(run_id)
    if existing is not None:
        return existing
    selection = None if request_data.asset_selection is None else tuple(
        AssetKey(list(p)) for p in request_data.asset_selection)
    checks = None if request_data.asset_check_keys is None else tuple(
        AssetCheckKey(AssetKey(list(p)), n) for p, n in request_data.asset_check_keys)
    tags = {**request_data.tags, **(extra_tags or {})}
    if request_data.run_key is not None:
        tags[RUN_KEY_TAG] = request_data.run_key
    request = LaunchRequest(
        job_name=request_data.job_name, asset_selection=selection, asset_check_selection=checks,
        partition_key=request_data.partition_key, run_config=request_data.run_config,
        tags=tags, run_id=run_id)
    return queue_run(instance, request, location_name)
