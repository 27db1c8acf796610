"""Every error Headwater raises. Dagster-spelled aliases live in ``headwater.compat``."""

from __future__ import annotations

from typing import Any


class HeadwaterError(Exception):
    """Base class of every Headwater error."""


class InvalidDefinitionError(HeadwaterError):
    """A definition (asset, op, resource, Definitions) is malformed."""


class InvalidConfigError(HeadwaterError):
    """Run config or resource config did not validate; ``errors`` lists every bad path."""

    def __init__(self, message: str, errors: list[str] | None = None):
        self.errors = list(errors or [])
        super().__init__(message if not self.errors else message + "\n" + "\n".join(
            f"    {e}" for e in self.errors))


class InvalidInvocationError(HeadwaterError):
    """A definition was called (directly or through an API) with the wrong arguments."""


class InvalidSubsetError(HeadwaterError):
    """A selection named keys or nodes that do not exist, or matched nothing."""


class InvalidPropertyError(HeadwaterError):
    """A context property was read where it has no value."""


class InvariantViolationError(HeadwaterError):
    """An API was used in a way its contract forbids."""


class UnknownResourceError(HeadwaterError, AttributeError):
    """Code asked for a resource key that was not provided."""


class InvalidConfigDefinitionError(HeadwaterError):
    """A config schema itself is malformed."""


class ExecutionStepNotFoundError(HeadwaterError):
    """A step key given to run or re-run does not exist in the plan."""


class TypeCheckError(HeadwaterError):
    """A type check function itself raised."""


class UnknownPartitionError(HeadwaterError):
    """A partition key is not part of the partitions definition."""


class ExecutionInterruptedError(BaseException):
    """A run was interrupted (like KeyboardInterrupt, not an Exception)."""


class RunNotFoundError(HeadwaterError):
    """No run with the given id exists in the instance."""


class StorageError(HeadwaterError):
    """The instance's storage could not be read or written (locked, read-only, corrupt)."""


class UserCodeExecutionError(HeadwaterError):
    """Wraps an exception raised by user code; ``user_exception`` is the original."""

    def __init__(self, message: str, user_exception: BaseException | None = None,
                 original_exc_info: Any = None):
        super().__init__(message)
        self.user_exception = user_exception
        self.original_exc_info = original_exc_info


class ResourceFunctionError(UserCodeExecutionError):
    """A resource failed while being set up or torn down."""


class ExecutionStepExecutionError(UserCodeExecutionError):
    """A step's user code raised; raised by ``materialize(..., raise_on_error=True)``."""

    def __init__(self, message: str, user_exception: BaseException | None = None,
                 original_exc_info: Any = None, step_key: str | None = None):
        super().__init__(message, user_exception, original_exc_info)
        self.step_key = step_key


class TypeCheckDidNotPass(HeadwaterError):
    """A value failed its type check."""

    def __init__(self, description: str | None = None, metadata: Any = None,
                 dagster_type: Any = None):
        super().__init__(description or "Type check failed.")
        self.description = description
        self.metadata = metadata or {}
        self.dagster_type = dagster_type


class StepOutputNotFoundError(HeadwaterError):
    """An input's upstream output was not found in storage."""


class Failure(Exception):
    """Raised by user code to fail a step on purpose, with a description and metadata.

    Like Dagster's, it is not a ``HeadwaterError``: it is the user's own signal."""

    def __init__(self, description: str | None = None, metadata: Any = None,
                 allow_retries: bool | None = None):
        from headwater.definitions.metadata import normalize_metadata

        super().__init__(description)
        self.description = description
        self.metadata = normalize_metadata(metadata, where="Failure metadata")
        self.allow_retries = True if allow_retries is None else allow_retries


class RetryRequested(Exception):
    """Raised by user code to ask for the step to be retried (not a ``HeadwaterError``)."""

    def __init__(self, max_retries: int | None = 1, seconds_to_wait: float | None = None):
        super().__init__()
        self.max_retries = max_retries
        self.seconds_to_wait = seconds_to_wait


class AssetCheckFailedError(HeadwaterError):
    """A blocking asset check failed, so the assets downstream of it did not run."""


class MaxRetriesExceededError(HeadwaterError):
    """A step asked for a retry (``RetryRequested``) more often than its ``max_retries``."""
