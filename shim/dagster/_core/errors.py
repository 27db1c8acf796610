"""``dagster._core.errors`` on Headwater: every Dagster error class.

Where Headwater raises an equivalent error, the name is that class, so ``except`` and
``pytest.raises`` catch what Headwater raises; the others are declared here on the matching base
class, for code that names them (Headwater itself never raises them).
"""

from __future__ import annotations

from headwater.compat import (  # noqa: F401  (re-exported)
    DagsterError,
    DagsterExecutionInterruptedError,
    DagsterExecutionStepExecutionError,
    DagsterExecutionStepNotFoundError,
    DagsterInvalidConfigDefinitionError,
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
    DagsterInvalidInvocationError,
    DagsterInvalidPropertyError,
    DagsterInvalidSubsetError,
    DagsterInvariantViolationError,
    DagsterResourceFunctionError,
    DagsterRunNotFoundError,
    DagsterStepOutputNotFoundError,
    DagsterTypeCheckDidNotPass,
    DagsterTypeCheckError,
    DagsterUnknownPartitionError,
    DagsterUnknownResourceError,
    DagsterUserCodeExecutionError,
)
from headwater.definitions.errors import AssetCheckFailedError, MaxRetriesExceededError
from headwater.locations.contracts import LocationLoadError, LocationUnavailableError
from headwater.storage.errors import InstanceNotConfiguredError, RunAlreadyExistsError

DagsterAssetCheckFailedError = AssetCheckFailedError
DagsterMaxRetriesExceededError = MaxRetriesExceededError
DagsterRunAlreadyExists = RunAlreadyExistsError
DagsterHomeNotSetError = InstanceNotConfiguredError
DagsterCodeLocationLoadError = LocationLoadError
DagsterUserCodeUnreachableError = LocationUnavailableError


def _declare(name: str, base: type[BaseException]) -> type[BaseException]:
    return type(name, (base,), {"__module__": __name__,
                                "__doc__": f"Dagster's {name}; Headwater does not raise it."})


_OF_ERROR = (
    "DagsterAssetBackfillDataLoadError", "DagsterBackfillFailedError",
    "DagsterCodeLocationNotFoundError", "DagsterDefinitionChangedDeserializationError",
    "DagsterEventLogInvalidForRun", "DagsterExecutionPlanSnapshotNotFoundError",
    "DagsterImportError", "DagsterInvalidAssetKey",
    "DagsterInvalidDagsterTypeInPythonicConfigDefinitionError",
    "DagsterInvalidDeserializationVersionError", "DagsterInvalidMetadata",
    "DagsterInvalidObservationError", "DagsterInvalidPythonicConfigDefinitionError",
    "DagsterLaunchFailedError", "DagsterObjectStoreError", "DagsterRedactedUserCodeError",
    "DagsterRunConflict", "DagsterRunTooLargeError", "DagsterSnapshotDoesNotExist",
    "DagsterSubprocessError", "DagsterUndefinedDataVersionError", "DagsterUnknownStepStateError",
    "DagsterUnmetExecutorRequirementsError", "DagsterUserCodeProcessError",
)
_OF_USER_CODE = (
    "DagsterConfigMappingFunctionError", "DagsterExecutionHandleOutputError",
    "DagsterExecutionLoadInputError", "DagsterTypeLoadingError", "DagsterUserCodeLoadError",
    "FreshnessPolicySensorExecutionError", "HookExecutionError", "JobError",
    "PartitionExecutionError", "RunStatusSensorExecutionError", "ScheduleExecutionError",
    "SensorExecutionError",
)

globals().update({n: _declare(n, DagsterError) for n in _OF_ERROR})
globals().update({n: _declare(n, DagsterUserCodeExecutionError) for n in _OF_USER_CODE})
DagsterPipesExecutionError = _declare("DagsterPipesExecutionError", Exception)
DagsterUserCodeUnreachableTimeoutError = _declare("DagsterUserCodeUnreachableTimeoutError",
                                                  DagsterUserCodeUnreachableError)

__all__ = sorted(n for n, v in globals().items()
                 if isinstance(v, type) and issubclass(v, BaseException)
                 and (n.startswith("Dagster") or n in _OF_USER_CODE))
