"""Code locations: the only code that imports user code.

A ``CodeLocation`` loads ``Definitions`` (module, file, package, defs folder, workspace entry),
serves a serializable ``LocationSnapshot``, evaluates schedules and sensors, and launches runs.
"""

from headwater.locations.contracts import (
    CodeLocation,
    LocationLoadError,
    LocationUnavailableError,
    SensorTickInput,
)
from headwater.locations.evaluation import (
    DynamicPartitionsChange,
    Evaluation,
    PartitionsChangeKind,
    RunRequestData,
)
from headwater.locations.snapshot import (
    AssetSnap,
    JobSnap,
    LocationSnapshot,
    PartitionsSnap,
    ScheduleSnap,
    SensorKind,
    SensorSnap,
)

__all__ = [
    "AssetSnap", "CodeLocation", "DynamicPartitionsChange", "Evaluation", "JobSnap",
    "LocationLoadError", "LocationSnapshot", "LocationUnavailableError", "PartitionsChangeKind",
    "PartitionsSnap", "RunRequestData", "ScheduleSnap", "SensorKind", "SensorSnap",
    "SensorTickInput",
]
