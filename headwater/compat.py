"""Dagster-spelled aliases of Headwater names, so Dagster code runs after changing the import.

This is the only module whose names contain "Dagster".
"""

from headwater.definitions.errors import (
    ExecutionStepExecutionError,
    HeadwaterError,
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
    UnknownResourceError,
    UserCodeExecutionError,
)
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
DagsterEvent = Event
DagsterEventType = EventType
DagsterRun = Run
DagsterRunStatus = RunStatus


def __getattr__(name: str):
    if name == "DagsterInstance":
        from headwater.storage import Instance

        return Instance
    raise AttributeError(name)
