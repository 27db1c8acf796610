"""``dagster._core.definitions.metadata`` on Headwater: metadata values and their types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from headwater.definitions.code_references import (  # noqa: F401
    AnchorBasedFilePathMapping,
    CodeReferencesMetadataValue,
    FilePathMapping,
    LocalFileCodeReference,
    UrlCodeReference,
    link_code_references_to_git,
    with_source_code_references,
)
from headwater.definitions.metadata import (  # noqa: F401
    AssetMetadataValue,
    BoolMetadataValue,
    FloatMetadataValue,
    IntMetadataValue,
    JsonMetadataValue,
    MarkdownMetadataValue,
    MetadataValue,
    NotebookMetadataValue,
    NullMetadataValue,
    ObjectMetadataValue,
    PathMetadataValue,
    PythonArtifactMetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableConstraints,
    TableMetadataValue,
    TableRecord,
    TableSchema,
    TableSchemaMetadataValue,
    TextMetadataValue,
    TimestampMetadataValue,
    UrlMetadataValue,
)
from headwater.definitions.metadata import AssetMetadataValue as DagsterAssetMetadataValue  # noqa: F401
from headwater.definitions.metadata import RunMetadataValue as DagsterRunMetadataValue  # noqa: F401

RawMetadataValue = Any  # what a metadata dict may hold before normalisation
MetadataMapping = Mapping[str, MetadataValue]
RawMetadataMapping = Mapping[str, Any]
