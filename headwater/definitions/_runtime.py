"""The one sanctioned upward call: definition objects that Dagster's API makes executable
(``job.execute_in_process``, ``Definitions.load_asset_value``, direct invocation with a
default context) reach the execution layer through this lazy import, never at import time."""

from __future__ import annotations

import importlib
from typing import Any


def execution() -> Any:
    return importlib.import_module("headwater.execution")
