"""The code-location contract: what the daemon, the webserver and the CLI ask of user code.

Two implementations: ``InProcessLocation`` (this process imports the code; tests and
``materialize()``) and ``RemoteLocation`` (a code server process on loopback). Callers hold a
``CodeLocation`` and never import user code themselves.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from headwater.events.errors import SerializableErrorInfo

if TYPE_CHECKING:  # annotations only: a run worker imports the errors without these
    from headwater.locations.evaluation import Evaluation
    from headwater.locations.snapshot import LocationSnapshot


class LocationLoadError(Exception):
    """A location whose code failed to load: ``info`` holds the user's frames only."""

    def __init__(self, location_name: str, info: SerializableErrorInfo):
        super().__init__(f"Code location {location_name!r} failed to load:\n{info.to_string()}")
        self.location_name = location_name
        self.info = info


class LocationUnavailableError(Exception):
    """The location's process is gone or does not answer (it died, or hangs)."""


@dataclass(frozen=True)
class SensorTickInput:
    """What a sensor evaluation gets from the daemon's stored state."""

    cursor: str | None = None
    last_tick_completion_time: float | None = None
    last_run_key: str | None = None
    last_sensor_start_time: float | None = None


class InvalidRequestError(Exception):
    """The location refuses a request for what its definitions say (an asset that is not
    partitioned, a partition key it does not have): the user's to fix; the message says how."""


@dataclass(frozen=True)
class BackfillRequest:
    """A backfill to plan from the loaded definitions and store for the daemon (what
    ``headwater backfill launch`` asks): ``selection`` is a selection string or key paths;
    exactly one of ``partition_keys``, ``partition_range`` (start, end) and
    ``all_partitions``; ``max_partitions_per_run``: "policy" (the assets' BackfillPolicy),
    None (one run for all) or n."""

    selection: str | tuple[tuple[str, ...], ...]
    partition_keys: tuple[str, ...] | None = None
    partition_range: tuple[str, str] | None = None
    all_partitions: bool = False
    max_partitions_per_run: int | str | None = "policy"
    tags: tuple[tuple[str, str], ...] = ()
    title: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> BackfillRequest:
        selection = data["selection"]
        return BackfillRequest(
            selection=selection if isinstance(selection, str)
            else tuple(tuple(p) for p in selection),
            partition_keys=None if data.get("partition_keys") is None
            else tuple(data["partition_keys"]),
            partition_range=None if data.get("partition_range") is None
            else (data["partition_range"][0], data["partition_range"][1]),
            all_partitions=bool(data.get("all_partitions")),
            max_partitions_per_run=data.get("max_partitions_per_run", "policy"),
            tags=tuple((str(k), str(v)) for k, v in data.get("tags") or ()),
            title=data.get("title"))


@dataclass(frozen=True)
class ConfigProblem:
    """One problem with a run config: ``path`` in the config (``ops.my_op.config.n``; empty
    when the problem names no path) and the message the run would fail with."""

    path: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}

    @staticmethod
    def from_json(data: dict[str, Any]) -> ConfigProblem:
        return ConfigProblem(str(data.get("path") or ""), str(data.get("message") or ""))


class CodeLocation(ABC):
    """One loaded code location. Every method may raise ``LocationLoadError`` (its code does not
    load: ``load_error`` says why) or ``LocationUnavailableError`` (its process is gone)."""

    name: str

    @property
    @abstractmethod
    def load_error(self) -> SerializableErrorInfo | None:
        """Why the code failed to load, or None."""

    @abstractmethod
    def snapshot(self) -> LocationSnapshot:
        """The definitions as data (the last good snapshot while a reload is under way)."""

    @abstractmethod
    def evaluate_schedule(self, name: str, scheduled_time: float,
                          timeout: float | None = None) -> Evaluation:
        """Evaluate schedule ``name`` for the tick at ``scheduled_time`` (a Unix timestamp).
        User errors come back in ``Evaluation.error``, a timeout as an error too."""

    @abstractmethod
    def evaluate_sensor(self, name: str, tick: SensorTickInput,
                        timeout: float | None = None) -> Evaluation:
        """Evaluate sensor ``name`` once from its stored cursor."""

    @abstractmethod
    def launch_run(self, run_id: str) -> None:
        """Start the stored run ``run_id`` (created QUEUED/NOT_STARTED from a launch request)
        in a worker; returns once the worker has it, not when the run ends."""

    def launch_backfill(self, request: BackfillRequest) -> str:
        """Plan the backfill from the loaded definitions (its policies and partition mappings
        are not in a snapshot), store it for the daemon and return its id.
        ``InvalidRequestError`` when the definitions refuse it."""
        raise NotImplementedError(f"code location {self.name!r} does not plan backfills")

    def validate_run_config(self, job_name: str, run_config: dict[str, Any] | None,
                            asset_selection: tuple[tuple[str, ...], ...] | None = None,
                            ) -> list[ConfigProblem]:
        """Check ``run_config`` for a run of job ``job_name`` (of ``asset_selection`` in it,
        when given) with the engine's own checks, without launching anything: every problem
        the run would fail with before its first step; empty when it would start.
        ``InvalidRequestError`` when there is no such job (or asset)."""
        raise NotImplementedError(f"code location {self.name!r} does not validate run config")

    @abstractmethod
    def reload(self) -> None:
        """Load the code again; the old snapshot stays served until the new one loads."""

    @abstractmethod
    def close(self) -> None:
        """Release the location (stop its process, for a remote one)."""
