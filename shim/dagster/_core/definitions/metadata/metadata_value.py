"""``dagster._core.definitions.metadata.metadata_value`` on Headwater: the value classes."""

from dagster._core.definitions.metadata import *  # noqa: F403
from dagster._core.definitions.metadata import (  # noqa: F401
    DagsterAssetMetadataValue,
    DagsterRunMetadataValue,
)
from headwater.definitions.metadata import ObjectMetadataValue  # noqa: F401
