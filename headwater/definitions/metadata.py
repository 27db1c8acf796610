"""Metadata values attached to assets, materializations and check results."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from headwater.definitions.asset_key import AssetKey

T_Value = TypeVar("T_Value")


class MetadataValue(Generic[T_Value]):
    """Base class of typed metadata values; the static constructors build each kind.

    Generic over the value it holds, as Dagster's (``MetadataValue[int]`` in annotations).
    """

    kind: str = ""
    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.value == self.value  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        try:
            return hash((self.kind, self.value))
        except TypeError:
            return hash((self.kind, repr(self.value)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"

    def to_json(self) -> Any:
        return self.value

    # --- constructors, as Dagster spells them ---
    @staticmethod
    def text(text: str) -> TextMetadataValue:
        return TextMetadataValue(text)

    @staticmethod
    def int(value: int) -> IntMetadataValue:
        return IntMetadataValue(value)

    @staticmethod
    def float(value: float) -> FloatMetadataValue:
        return FloatMetadataValue(value)

    @staticmethod
    def bool(value: bool) -> BoolMetadataValue:
        return BoolMetadataValue(value)

    @staticmethod
    def json(data: Any) -> JsonMetadataValue:
        return JsonMetadataValue(data)

    @staticmethod
    def md(md_str: str) -> MarkdownMetadataValue:
        return MarkdownMetadataValue(md_str)

    @staticmethod
    def url(url: str) -> UrlMetadataValue:
        return UrlMetadataValue(url)

    @staticmethod
    def path(path: str | os.PathLike) -> PathMetadataValue:
        return PathMetadataValue(os.fspath(path))

    @staticmethod
    def notebook(path: str | os.PathLike) -> NotebookMetadataValue:
        return NotebookMetadataValue(os.fspath(path))

    @staticmethod
    def python_artifact(python_artifact: Any) -> PythonArtifactMetadataValue:
        return PythonArtifactMetadataValue(
            f"{python_artifact.__module__}.{python_artifact.__qualname__}")

    @staticmethod
    def asset(asset_key: AssetKey) -> AssetMetadataValue:
        return AssetMetadataValue(asset_key)

    @staticmethod
    def timestamp(value: Any) -> TimestampMetadataValue:
        if hasattr(value, "timestamp"):
            value = value.timestamp()
        return TimestampMetadataValue(value)

    @staticmethod
    def null() -> NullMetadataValue:
        return NullMetadataValue(None)

    @staticmethod
    def table(records: Sequence[TableRecord], schema: TableSchema | None = None) -> TableMetadataValue:
        return TableMetadataValue(list(records), schema)

    @staticmethod
    def table_schema(schema: TableSchema) -> TableSchemaMetadataValue:
        return TableSchemaMetadataValue(schema)

    @staticmethod
    def column_lineage(lineage: Any) -> JsonMetadataValue:
        return JsonMetadataValue(lineage)

    @staticmethod
    def dagster_run(run_id: str) -> RunMetadataValue:
        return RunMetadataValue(run_id)


class TextMetadataValue(MetadataValue):
    kind = "text"

    @property
    def text(self) -> str:  # type: ignore[override]
        return self.value


class IntMetadataValue(MetadataValue):
    kind = "int"


class FloatMetadataValue(MetadataValue):
    kind = "float"


class BoolMetadataValue(MetadataValue):
    kind = "bool"


class JsonMetadataValue(MetadataValue):
    kind = "json"

    @property
    def data(self) -> Any:
        return self.value


class MarkdownMetadataValue(MetadataValue):
    kind = "md"

    @property
    def md_str(self) -> str:
        return self.value


class UrlMetadataValue(MetadataValue):
    kind = "url"

    @property
    def url(self) -> str:  # type: ignore[override]
        return self.value


class PathMetadataValue(MetadataValue):
    kind = "path"

    @property
    def path(self) -> str:  # type: ignore[override]
        return self.value


class NotebookMetadataValue(PathMetadataValue):
    kind = "notebook"


class PythonArtifactMetadataValue(MetadataValue):
    kind = "python_artifact"


class TimestampMetadataValue(MetadataValue):
    kind = "timestamp"


class NullMetadataValue(MetadataValue):
    kind = "null"


class RunMetadataValue(MetadataValue):
    kind = "run"

    @property
    def run_id(self) -> str:
        return self.value


class ObjectMetadataValue(MetadataValue):
    """A live Python object carried in definition metadata, shown (and stored) as its label.

    The object itself only lives in the process that made it: anything that crosses a process
    boundary or the event log keeps the label and comes back with ``instance=None``.
    """

    kind = "object"
    __slots__ = ("instance",)

    def __init__(self, class_name: str, instance: Any = None):
        self.value = class_name
        self.instance = instance

    @property
    def class_name(self) -> str:
        return self.value

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and other.value == self.value  # type: ignore[attr-defined]
                and other.instance == self.instance)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.kind, self.value))

    def __repr__(self) -> str:
        return f"ObjectMetadataValue(class_name={self.value!r}, instance={self.instance!r})"


class AssetMetadataValue(MetadataValue):
    kind = "asset"

    @property
    def asset_key(self) -> AssetKey:
        return self.value

    def to_json(self) -> Any:
        return self.value.path


@dataclass(frozen=True)
class TableColumnConstraints:
    """What a column promises: not null, unique, and free-form rules (``other``)."""

    nullable: bool = True
    unique: bool = False
    other: Sequence[str] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "other", list(self.other or []))

    def to_json(self) -> dict[str, Any]:
        return {"nullable": self.nullable, "unique": self.unique, "other": list(self.other)}


@dataclass(frozen=True)
class TableConstraints:
    """Table-wide rules (``other``: free-form, e.g. a composite key)."""

    other: Sequence[str] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "other", list(self.other or []))


_DEFAULT_COLUMN_CONSTRAINTS = TableColumnConstraints()


@dataclass(frozen=True)
class TableColumn:
    name: str
    type: str = "string"
    description: str | None = None
    constraints: TableColumnConstraints = _DEFAULT_COLUMN_CONSTRAINTS
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.constraints is None:
            object.__setattr__(self, "constraints", _DEFAULT_COLUMN_CONSTRAINTS)
        object.__setattr__(self, "tags", dict(self.tags or {}))


@dataclass(frozen=True)
class TableSchema:
    columns: Sequence[TableColumn] = ()
    constraints: TableConstraints | None = None

    def to_json(self) -> Any:
        """The columns as a list (the stored form since the first release); a dict with the
        columns and the table's constraints when it has some."""
        columns = [{"name": c.name, "type": c.type, "description": c.description,
                    **({"tags": dict(c.tags)} if c.tags else {}),
                    **({"constraints": c.constraints.to_json()}
                       if c.constraints != _DEFAULT_COLUMN_CONSTRAINTS else {})}
                   for c in self.columns]
        if self.constraints is None:
            return columns
        return {"columns": columns, "constraints": {"other": list(self.constraints.other)}}


class TableRecord:
    """One row of a table preview."""

    __slots__ = ("data",)

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any):
        self.data = dict(data or {}, **kwargs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TableRecord) and other.data == self.data

    def __repr__(self) -> str:
        return f"TableRecord({self.data!r})"


class TableMetadataValue(MetadataValue):
    kind = "table"
    __slots__ = ("schema",)

    def __init__(self, records: list[TableRecord], schema: TableSchema | None = None):
        super().__init__(records)
        if schema is None:
            names: list[str] = []
            for r in records:
                for k in r.data:
                    if k not in names:
                        names.append(k)
            schema = TableSchema([TableColumn(n) for n in names])
        self.schema = schema

    @property
    def records(self) -> list[TableRecord]:
        return self.value

    def to_json(self) -> Any:
        return {"records": [r.data for r in self.value], "schema": self.schema.to_json()}


class TableSchemaMetadataValue(MetadataValue):
    kind = "table_schema"

    @property
    def schema(self) -> TableSchema:
        return self.value

    def to_json(self) -> Any:
        return self.value.to_json()


_KINDS: dict[str, type[MetadataValue]] = {
    c.kind: c
    for c in (TextMetadataValue, IntMetadataValue, FloatMetadataValue, BoolMetadataValue,
              JsonMetadataValue, MarkdownMetadataValue, UrlMetadataValue, PathMetadataValue,
              NotebookMetadataValue, PythonArtifactMetadataValue, TimestampMetadataValue,
              NullMetadataValue, RunMetadataValue, ObjectMetadataValue)
}


def normalize_value(value: Any, *, where: str = "metadata") -> MetadataValue:
    """Turn a raw Python value into a MetadataValue, as Dagster does."""
    if isinstance(value, MetadataValue):
        return value
    if value is None:
        return NullMetadataValue(None)
    if isinstance(value, bool):
        return BoolMetadataValue(value)
    if isinstance(value, int):
        return IntMetadataValue(value)
    if isinstance(value, float):
        return FloatMetadataValue(value)
    if isinstance(value, str):
        return TextMetadataValue(value)
    if isinstance(value, AssetKey):
        return AssetMetadataValue(value)
    if isinstance(value, TableSchema):
        return TableSchemaMetadataValue(value)
    if isinstance(value, os.PathLike):
        return PathMetadataValue(os.fspath(value))
    if isinstance(value, (dict, list)):
        return JsonMetadataValue(value)
    raise TypeError(
        f"{where}: value {value!r} of type {type(value).__name__} is not a supported metadata "
        "value; wrap it in a MetadataValue (e.g. MetadataValue.text(str(value)))"
    )


def normalize_metadata(metadata: Mapping[str, Any] | None, *, where: str = "metadata",
                       ) -> dict[str, MetadataValue]:
    if not metadata:
        return {}
    return {str(k): normalize_value(v, where=f"{where} entry {k!r}") for k, v in metadata.items()}


def _json_value(v: MetadataValue) -> Any:
    raw = v.to_json()
    if isinstance(raw, float) and not math.isfinite(raw):
        return repr(raw)  # 'inf', '-inf', 'nan': JSON has no literal for them
    return raw


def metadata_to_json(metadata: Mapping[str, MetadataValue]) -> dict[str, Any]:
    return {k: [v.kind, _json_value(v)] for k, v in metadata.items()}


def _column_from_json(c: Mapping[str, Any]) -> TableColumn:
    cons = c.get("constraints")
    return TableColumn(c["name"], c["type"], c.get("description"),
                       TableColumnConstraints(cons.get("nullable", True), cons.get("unique", False),
                                              cons.get("other") or [])
                       if cons else _DEFAULT_COLUMN_CONSTRAINTS, c.get("tags") or {})


def _schema_from_json(data: Any) -> TableSchema:
    if isinstance(data, Mapping):  # with table constraints
        return TableSchema([_column_from_json(c) for c in data["columns"]],
                           TableConstraints(data.get("constraints", {}).get("other") or []))
    return TableSchema([_column_from_json(c) for c in data])


def metadata_from_json(data: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    out: dict[str, MetadataValue] = {}
    for k, (kind, raw) in (data or {}).items():
        if kind == "asset":
            out[k] = AssetMetadataValue(AssetKey(raw))
        elif kind == "table":
            out[k] = TableMetadataValue([TableRecord(r) for r in raw["records"]],
                                        _schema_from_json(raw["schema"]))
        elif kind == "table_schema":
            out[k] = TableSchemaMetadataValue(_schema_from_json(raw))
        elif kind == "code_references":
            from headwater.definitions.code_references import CodeReferencesMetadataValue

            out[k] = CodeReferencesMetadataValue.from_json(raw)
        elif kind == "float" and isinstance(raw, str):
            out[k] = FloatMetadataValue(float(raw))
        else:
            out[k] = _KINDS.get(kind, TextMetadataValue)(raw)
    return out
