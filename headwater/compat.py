"""Dagster-spelled aliases of Headwater names, so Dagster code runs after changing the import.

This is the only module whose names contain "Dagster".
"""

from headwater.definitions.errors import (
    ExecutionInterruptedError,
    ExecutionStepExecutionError,
    ExecutionStepNotFoundError,
    HeadwaterError,
    InvalidConfigDefinitionError,
    InvalidConfigError,
    InvalidDefinitionError,
    InvalidInvocationError,
    InvalidPropertyError,
    InvalidSubsetError,
    InvariantViolationError,
    ResourceFunctionError,
    RunNotFoundError,
    StepOutputNotFoundError,
    TypeCheckDidNotPass,
    TypeCheckError,
    UnknownPartitionError,
    UnknownResourceError,
    UserCodeExecutionError,
)
from headwater.definitions.metadata import AssetMetadataValue
from headwater.definitions.types import DagsterType  # noqa: F401 - Dagster's own name
from headwater.events.records import Event, EventType
from headwater.storage.runs import Run, RunStatus

DagsterError = HeadwaterError
DagsterInvalidDefinitionError = InvalidDefinitionError
DagsterInvalidConfigError = InvalidConfigError
DagsterInvalidInvocationError = InvalidInvocationError
DagsterInvalidPropertyError = InvalidPropertyError
DagsterInvalidSubsetError = InvalidSubsetError
DagsterInvariantViolationError = InvariantViolationError
DagsterResourceFunctionError = ResourceFunctionError
DagsterRunNotFoundError = RunNotFoundError
DagsterStepOutputNotFoundError = StepOutputNotFoundError
DagsterTypeCheckDidNotPass = TypeCheckDidNotPass
DagsterUnknownResourceError = UnknownResourceError
DagsterUserCodeExecutionError = UserCodeExecutionError
DagsterExecutionStepExecutionError = ExecutionStepExecutionError
DagsterInvalidConfigDefinitionError = InvalidConfigDefinitionError
DagsterExecutionStepNotFoundError = ExecutionStepNotFoundError
DagsterTypeCheckError = TypeCheckError
DagsterUnknownPartitionError = UnknownPartitionError
DagsterExecutionInterruptedError = ExecutionInterruptedError
DagsterAssetMetadataValue = AssetMetadataValue
DagsterEvent = Event
DagsterEventType = EventType
DagsterRun = Run
DagsterRunStatus = RunStatus


def __getattr__(name: str):
    if name == "DagsterInstance":
        from headwater.storage import Instance

        return Instance
    raise AttributeError(name)
