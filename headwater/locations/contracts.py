"""The code-location contract: what the daemon, the webserver and the CLI ask of user code.

Two implementations: ``InProcessLocation`` (this process imports the code; tests and
``materialize()``) and ``RemoteLocation`` (a code server process on loopback). Callers hold a
``CodeLocation`` and never import user code themselves.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

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

    @abstractmethod
    def reload(self) -> None:
        """Load the code again; the old snapshot stays served until the new one loads."""

    @abstractmethod
    def close(self) -> None:
        """Release the location (stop its process, for a remote one)."""
