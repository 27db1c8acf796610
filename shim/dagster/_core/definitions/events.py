"""``dagster._core.definitions.events`` on Headwater: keys, outputs and asset events."""

from __future__ import annotations

from typing import Any

from headwater.definitions.asset_key import AssetKey  # noqa: F401
from headwater.definitions.errors import Failure, RetryRequested  # noqa: F401
from headwater.definitions.results import (  # noqa: F401
    AssetMaterialization,
    AssetObservation,
    DataVersion,
    DynamicOutput,
    ExpectationResult,
    Output,
)

CoercibleToAssetKey = Any  # an AssetKey, a string or a sequence of strings
CoercibleToAssetKeyPrefix = Any
