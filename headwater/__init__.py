"""Headwater: a fast, embedded-by-default data orchestrator with a Dagster-compatible API.

``import headwater as dg`` — every public name is here, loaded on first use so that the
import itself stays light. The list is ``__all__`` (guarded by tests/test_public_api.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from headwater._api_table import PUBLIC_NAMES, SUBMODULES

__version__ = "0.1.0"

__all__ = sorted(PUBLIC_NAMES)


def __getattr__(name: str) -> Any:
    module = PUBLIC_NAMES.get(name)
    if name == "definitions":  # the callable package: both the decorator and the subpackage
        value = importlib.import_module("headwater.definitions")
    elif module is not None:
        value = getattr(importlib.import_module(module), name)
    elif name in SUBMODULES:
        value = importlib.import_module(SUBMODULES[name])
    else:
        raise AttributeError(f"module 'headwater' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, *SUBMODULES, "__version__"])


if TYPE_CHECKING:  # static analysers see real imports
    from headwater.definitions.asset_key import AssetKey  # noqa: F401
    from headwater.definitions.asset_spec import AssetDep, AssetIn, AssetOut, AssetSpec  # noqa: F401
    from headwater.definitions.assets import AssetsDefinition, asset, multi_asset  # noqa: F401
    from headwater.definitions.checks import AssetCheckSpec, asset_check, multi_asset_check  # noqa: F401
    from headwater.definitions.config import Config, EnvVar, RunConfig  # noqa: F401
    from headwater.definitions.definitions import Definitions  # noqa: F401
    from headwater.definitions.metadata import MetadataValue  # noqa: F401
    from headwater.definitions.resources import ConfigurableResource, ResourceParam  # noqa: F401
    from headwater.definitions.results import (  # noqa: F401
        AssetCheckResult,
        AssetCheckSeverity,
        MaterializeResult,
        Output,
    )
    from headwater.execution import (  # noqa: F401
        AssetExecutionContext,
        build_asset_context,
        materialize,
    )
    from headwater.storage import Instance  # noqa: F401
