"""``InProcessLocation``: a code location whose code is imported into this very process.

For tests, ``materialize()``-style use and short CLI commands. The daemon and the webserver use
the remote kind (a code server process), so that user code never runs in them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from headwater.events.errors import SerializableErrorInfo, error_info_from_exc
from headwater.locations.contracts import (
    BackfillRequest,
    CodeLocation,
    ConfigProblem,
    InvalidRequestError,
    LocationLoadError,
    SensorTickInput,
)
from headwater.locations.evaluation import Evaluation
from headwater.locations.snapshot import LocationSnapshot

_log = logging.getLogger("headwater.locations")


class InProcessLocation(CodeLocation):
    """Loads ``Definitions`` with ``loader`` (called again by ``reload``) and serves them."""

    def __init__(self, name: str, loader: Callable[[], Any], instance: Any, origin: str = ""):
        self.name = name
        self.origin = origin
        self.instance = instance
        self._loader = loader
        self._lock = threading.Lock()
        self._defs: Any = None
        self._snapshot: LocationSnapshot | None = None
        self._error: SerializableErrorInfo | None = None
        self._runs: list[threading.Thread] = []
        self.reload()

    @staticmethod
    def from_definitions(name: str, defs: Any, instance: Any,
                         origin: str = "") -> InProcessLocation:
        return InProcessLocation(name, lambda: defs, instance, origin or f"definitions {name}")

    # ---------------------------------------------------------------- loading

    @property
    def load_error(self) -> SerializableErrorInfo | None:
        return self._error

    @property
    def definitions(self) -> Any:
        """The loaded ``Definitions`` (``LocationLoadError`` if the code never loaded)."""
        with self._lock:
            if self._defs is None:
                raise self._load_failure()
            return self._defs

    def reload(self) -> None:
        from headwater.locations.build import build_snapshot

        try:
            defs = self._loader()
            snapshot = build_snapshot(defs, self.name, self.origin)
        except LocationLoadError as e:
            with self._lock:
                self._error = e.info
            return
        except Exception as e:  # noqa: BLE001 - the user's code: kept as the location's error
            with self._lock:
                self._error = error_info_from_exc(e)
            return
        with self._lock:
            self._defs, self._snapshot, self._error = defs, snapshot, None

    def _load_failure(self) -> LocationLoadError:
        info = self._error or SerializableErrorInfo("the code has not loaded", [], None)
        return LocationLoadError(self.name, info)

    def snapshot(self) -> LocationSnapshot:
        with self._lock:
            if self._snapshot is None:
                raise self._load_failure()
            return self._snapshot

    # ---------------------------------------------------------------- evaluating

    def evaluate_schedule(self, name: str, scheduled_time: float,
                          timeout: float | None = None) -> Evaluation:
        from headwater.locations.evaluate import evaluate_schedule

        return evaluate_schedule(self.definitions, name, scheduled_time, self.instance, timeout)

    def evaluate_sensor(self, name: str, tick: SensorTickInput,
                        timeout: float | None = None) -> Evaluation:
        from headwater.locations.evaluate import evaluate_sensor

        return evaluate_sensor(self.definitions, name, tick, self.instance, timeout)

    # ---------------------------------------------------------------- launching

    def launch_backfill(self, request: BackfillRequest) -> str:
        from headwater.definitions.asset_key import AssetKey
        from headwater.definitions.errors import HeadwaterError
        from headwater.definitions.partitions import PartitionKeyRange
        from headwater.definitions.selection import AssetSelection
        from headwater.execution.backfill import launch_backfill

        defs = self.definitions
        try:
            selection = (AssetSelection.from_string(request.selection)
                         if isinstance(request.selection, str)
                         else AssetSelection.keys(*(AssetKey(list(p))
                                                    for p in request.selection)))
            backfill = launch_backfill(
                defs, selection, instance=self.instance,
                partition_keys=None if request.partition_keys is None
                else list(request.partition_keys),
                partition_range=None if request.partition_range is None
                else PartitionKeyRange(*request.partition_range),
                all_partitions=request.all_partitions,
                max_partitions_per_run=request.max_partitions_per_run,
                tags=dict(request.tags), title=request.title, location_name=self.name)
        except HeadwaterError as e:
            raise InvalidRequestError(str(e)) from None
        return str(backfill.backfill_id)

    def validate_run_config(self, job_name: str, run_config: dict[str, Any] | None,
                            asset_selection: tuple[tuple[str, ...], ...] | None = None,
                            ) -> list[ConfigProblem]:
        from headwater.definitions.asset_key import AssetKey
        from headwater.definitions.errors import HeadwaterError
        from headwater.execution.config_check import launch_config_problems
        from headwater.execution.launch import LaunchRequest
        from headwater.execution.stored_run import ASSET_JOB_NAMES, resolve_request

        defs = self.definitions
        if job_name not in ASSET_JOB_NAMES and self.snapshot().job(job_name) is None:
            jobs = sorted(j.name for j in self.snapshot().jobs if not j.name.startswith("__"))
            raise InvalidRequestError(f"There is no job {job_name!r} in code location "
                                      f"{self.name!r}; its jobs are {jobs}")
        request = LaunchRequest(
            job_name=job_name, run_config=run_config, executor=None,
            asset_selection=None if asset_selection is None
            else tuple(AssetKey(list(p)) for p in asset_selection))
        try:
            request, target = resolve_request(request, defs)
        except HeadwaterError as e:
            raise InvalidRequestError(str(e)) from None
        return [ConfigProblem(path, message)
                for path, message in launch_config_problems(request, target)]

    def launch_run(self, run_id: str) -> None:
        """Run the stored run on a thread of this process (returns at once)."""
        defs = self.definitions
        thread = threading.Thread(target=self._execute, args=(run_id, defs),
                                  name=f"headwater-run-{run_id[:8]}", daemon=True)
        with self._lock:
            self._runs = [t for t in self._runs if t.is_alive()]
            self._runs.append(thread)
        thread.start()

    def _execute(self, run_id: str, defs: Any) -> None:
        import headwater.locations.reconstruct  # noqa: F401 - jobs' pointers for step workers
        from headwater.execution.stored_run import execute_stored_run

        try:
            execute_stored_run(run_id, self.instance, defs)
        except Exception:  # noqa: BLE001 - recorded on the run by execute_stored_run
            _log.exception("run %s of code location %r ended with an error", run_id, self.name)

    def wait_for_runs(self, timeout: float | None = None) -> bool:
        """Wait for the runs this location launched; True if all have ended."""
        with self._lock:
            runs = list(self._runs)
        for thread in runs:
            thread.join(timeout)
        return not any(t.is_alive() for t in runs)

    def close(self) -> None:
        self.wait_for_runs()
