"""Code locations: the only code that imports user code.

A ``CodeLocation`` loads ``Definitions`` (module, file, package, defs folder, workspace entry),
serves a serializable ``LocationSnapshot``, evaluates schedules and sensors, and launches runs.

The names below are imported on first use: a run worker imports ``headwater.locations.*``
modules it needs (loader, origins) without the contracts and snapshots it never uses.
"""

from typing import TYPE_CHECKING

from headwater.storage.lazy import lazy_exports  # light: the storage package exports lazily

if TYPE_CHECKING:
    from headwater.locations.contracts import (
        CodeLocation,
        ConfigProblem,
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

_CONTRACTS = "headwater.locations.contracts"
_EVALUATION = "headwater.locations.evaluation"
_SNAPSHOT = "headwater.locations.snapshot"

__getattr__ = lazy_exports("headwater.locations", {
    "CodeLocation": _CONTRACTS, "ConfigProblem": _CONTRACTS, "LocationLoadError": _CONTRACTS,
    "LocationUnavailableError": _CONTRACTS, "SensorTickInput": _CONTRACTS,
    "DynamicPartitionsChange": _EVALUATION, "Evaluation": _EVALUATION,
    "PartitionsChangeKind": _EVALUATION, "RunRequestData": _EVALUATION,
    "AssetSnap": _SNAPSHOT, "JobSnap": _SNAPSHOT, "LocationSnapshot": _SNAPSHOT,
    "PartitionsSnap": _SNAPSHOT, "ScheduleSnap": _SNAPSHOT, "SensorKind": _SNAPSHOT,
    "SensorSnap": _SNAPSHOT,
})

__all__ = [
    "AssetSnap", "CodeLocation", "ConfigProblem", "DynamicPartitionsChange", "Evaluation", "JobSnap",
    "LocationLoadError", "LocationSnapshot", "LocationUnavailableError", "PartitionsChangeKind",
    "PartitionsSnap", "RunRequestData", "ScheduleSnap", "SensorKind", "SensorSnap",
    "SensorTickInput",
]
