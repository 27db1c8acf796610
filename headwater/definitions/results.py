"""What user code returns or yields: Output, MaterializeResult, AssetMaterialization, checks."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from headwater.definitions.asset_key import AssetKey, CoercibleToAssetKey, coerce_key
from headwater.definitions.metadata import MetadataValue, normalize_metadata

_MAPPING_KEY = re.compile(r"^[A-Za-z0-9_]+$")

T = TypeVar("T")


class Output(Generic[T]):
    """A value returned by an op or asset, with metadata and an explicit output name."""

    __slots__ = ("value", "output_name", "metadata", "data_version", "tags")

    def __init__(self, value: T, output_name: str = "result", metadata: Mapping[str, Any] | None = None,
                 data_version: Any = None, tags: Mapping[str, str] | None = None):
        self.value = value
        self.output_name = output_name
        self.metadata = normalize_metadata(metadata, where=f"Output {output_name!r} metadata")
        self.data_version = data_version
        self.tags = dict(tags or {})

    def __repr__(self) -> str:
        return f"Output(value={self.value!r}, output_name={self.output_name!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Output) and other.value == self.value
                and other.output_name == self.output_name and other.metadata == self.metadata)


class DynamicOutput(Output[T]):
    __slots__ = ("mapping_key",)

    def __init__(self, value: T, mapping_key: str, output_name: str = "result",
                 metadata: Mapping[str, Any] | None = None):
        if not isinstance(mapping_key, str) or not _MAPPING_KEY.match(mapping_key):
            from headwater.definitions.errors import InvalidDefinitionError

            raise InvalidDefinitionError(
                f"DynamicOutput mapping_key {mapping_key!r} is not valid: a mapping key becomes "
                "part of a step name (op[key]), so use letters, digits and '_' only "
                "(^[A-Za-z0-9_]+$)")
        super().__init__(value, output_name, metadata)
        self.mapping_key = mapping_key


class DataVersion(NamedTuple):
    value: str


class AssetCheckSeverity(enum.Enum):
    WARN = "WARN"
    ERROR = "ERROR"


class AssetCheckKey(NamedTuple):
    asset_key: AssetKey
    name: str

    def to_user_string(self) -> str:
        return f"{self.asset_key.to_user_string()}:{self.name}"


class AssetCheckResult:
    """The outcome of an asset check."""

    def __init__(self, *, passed: bool, asset_key: CoercibleToAssetKey | None = None,
                 check_name: str | None = None, metadata: Mapping[str, Any] | None = None,
                 severity: AssetCheckSeverity = AssetCheckSeverity.ERROR,
                 description: str | None = None):
        self.passed = bool(passed)
        self.asset_key = coerce_key(asset_key) if asset_key is not None else None
        self.check_name = check_name
        self.metadata = normalize_metadata(metadata, where="AssetCheckResult metadata")
        self.severity = severity
        self.description = description

    def __repr__(self) -> str:
        return (f"AssetCheckResult(passed={self.passed}, asset_key={self.asset_key!r}, "
                f"check_name={self.check_name!r})")

    def _fields(self) -> tuple[Any, ...]:
        return (self.passed, self.asset_key, self.check_name, self.metadata, self.severity,
                self.description)

    def __eq__(self, other: object) -> bool:
        """By value, as Dagster's records compare (tests assert on returned results)."""
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable fields, unhashable as Dagster's


class NoValueSentinel:
    """``MaterializeResult().value`` when no value was given (a class, as Dagster's sentinel):
    ``value=None`` is a value, stored by the IO manager like any other."""


class MaterializeResult(Generic[T]):
    """Returned by an asset that stores its own data: metadata, check results, no value."""

    def __init__(self, *, asset_key: CoercibleToAssetKey | None = None,
                 metadata: Mapping[str, Any] | None = None,
                 check_results: Sequence[AssetCheckResult] | None = None,
                 data_version: DataVersion | None = None, tags: Mapping[str, str] | None = None,
                 value: Any = NoValueSentinel):
        self.asset_key = coerce_key(asset_key) if asset_key is not None else None
        # None when not given, as Dagster's; kept as given, normalized when recorded
        self.metadata = dict(metadata) if metadata is not None else None
        self.check_results = list(check_results or [])
        self.data_version = data_version
        self.tags = dict(tags) if tags is not None else None
        self.value = value

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(asset_key={self.asset_key!r}, "
                f"metadata={self.metadata!r})")

    def _fields(self) -> tuple[Any, ...]:
        return (self.asset_key, self.metadata, self.check_results, self.data_version,
                self.tags, self.value)

    def __eq__(self, other: object) -> bool:
        """By value and class (an ObserveResult is not a MaterializeResult), as Dagster's
        records compare: tests assert on what an asset returned."""
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable fields, unhashable as Dagster's


class ObserveResult(MaterializeResult):
    """Returned by an observable source asset."""


class AssetMaterialization:
    """A record that an asset was materialized, with its metadata."""

    __slots__ = ("asset_key", "description", "metadata", "partition", "tags")

    def __init__(self, asset_key: CoercibleToAssetKey, description: str | None = None,
                 metadata: Mapping[str, Any] | None = None, partition: str | None = None,
                 tags: Mapping[str, str] | None = None):
        self.asset_key = coerce_key(asset_key)
        self.description = description
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata)
        self.partition = partition
        self.tags = dict(tags or {})

    @property
    def label(self) -> str:
        return self.asset_key.to_user_string()

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, AssetMaterialization) and other.asset_key == self.asset_key
                and other.metadata == self.metadata and other.partition == self.partition)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(asset_key={self.asset_key!r}, metadata={self.metadata!r})"


class AssetObservation(AssetMaterialization):
    """A record that an asset was observed (not materialized)."""

    __slots__ = ()


class ExpectationResult:
    def __init__(self, success: bool, label: str | None = None, description: str | None = None,
                 metadata: Mapping[str, Any] | None = None):
        self.success = success
        self.label = label
        self.description = description
        self.metadata = normalize_metadata(metadata)
