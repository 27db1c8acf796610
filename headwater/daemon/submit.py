"""Turn one requested run into a QUEUED run row; the run queue launches it later.

The row holds everything needed to rebuild the launch request (``request_from_run``): job name,
run config, tags (the partition, the schedule or sensor, the run key, the code location),
asset and check selections. Submitting the same ``run_id`` twice returns the stored run:
the daemon derives run ids from the tick, so a tick re-done after a crash finds its runs.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.results import AssetCheckKey
from headwater.definitions.tags import PARTITION_NAME_TAG
from headwater.events.records import Event, EventLogEntry, EventType
from headwater.locations.evaluation import RunRequestData
from headwater.storage.errors import RunAlreadyExistsError
from headwater.storage.runs import Run, RunStatus

RUN_KEY_TAG = "dagster/run_key"
SCHEDULED_EXECUTION_TIME_TAG = "dagster/scheduled_execution_time"
CODE_LOCATION_TAG = "headwater/code_location"
TICK_ID_TAG = "headwater/tick_id"

_RUN_ID_NAMESPACE = uuid.UUID("6f1e3b0c-5d7a-4c1e-9a43-2b8f0d6c9e11")


def derived_run_id(*parts: str) -> str:
    """A run id that the same parts always give (uuid5): the tick's idempotency key."""
    return str(uuid.uuid5(_RUN_ID_NAMESPACE, "\x1f".join(parts)))


def run_tags(request: RunRequestData, location_name: str,
             extra_tags: Mapping[str, str] | None = None) -> dict[str, str]:
    tags = {**request.tags, **(extra_tags or {}), CODE_LOCATION_TAG: location_name}
    if request.run_key is not None:
        tags[RUN_KEY_TAG] = request.run_key
    if request.partition_key is not None:
        tags[PARTITION_NAME_TAG] = request.partition_key
    return tags


def submit_run(instance: Any, request_data: RunRequestData, location_name: str,
               run_id: str, extra_tags: Mapping[str, str] | None = None) -> Run:
    """Create run ``run_id`` QUEUED for ``request_data`` (or return it if it exists)."""
    store = instance
    existing = store.get_run_by_id(run_id)
    if existing is not None:
        return existing
    selection = None if request_data.asset_selection is None else [
        AssetKey(list(p)) for p in request_data.asset_selection]
    checks = None if request_data.asset_check_keys is None else [
        AssetCheckKey(AssetKey(list(p)), n) for p, n in request_data.asset_check_keys]
    try:
        run = store.create_run(
            request_data.job_name, run_id=run_id, run_config=request_data.run_config,
            tags=run_tags(request_data, location_name, extra_tags), status=RunStatus.QUEUED,
            asset_selection=selection, asset_check_selection=checks)
    except RunAlreadyExistsError:  # created between our look-up and insert
        return store.get_run_by_id(run_id)
    message = "Run enqueued: it starts when the run queue has room for it."
    store.store_event(EventLogEntry(
        run.run_id, time.time(), logging.INFO, message, None, run.job_name,
        Event(EventType.RUN_ENQUEUED, run.job_name, message=message)))
    return run
