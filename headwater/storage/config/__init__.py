"""Instance configuration: ``headwater.yaml`` or ``dagster.yaml`` in the instance home.

Finding the file costs two ``stat`` calls and imports nothing: with no file, an instance opens
exactly as it always did. Reading one (``InstanceConfig.load``) loads PyYAML and pydantic, on
first use only.

``headwater.yaml`` wins when both files exist; the other is then not read at all.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from headwater.definitions.errors import StorageError
from headwater.storage.lazy import lazy_exports

if TYPE_CHECKING:
    from headwater.storage.config._model import SECTIONS_WITH_EFFECT, InstanceConfig
    from headwater.storage.config._sections import (
        ConcurrencySettings,
        ConfigurableClass,
        RetentionSettings,
        RunMonitoringSettings,
        RunRetention,
        TagConcurrencyLimit,
    )
    from headwater.storage.config._storage import LegacyStorage, PostgresTarget, SqliteTarget

# In order of precedence.
CONFIG_FILE_NAMES = ("headwater.yaml", "dagster.yaml")


class InstanceConfigError(StorageError):
    """The instance's configuration file is not valid: bad YAML, an unknown key, a wrong type,
    a missing environment variable. The message names the file and every bad key path."""


def find_config_file(home: str) -> str | None:
    """The configuration file of the instance in ``home`` (``headwater.yaml`` first), or None."""
    for name in CONFIG_FILE_NAMES:
        path = os.path.join(home, name)
        if os.path.isfile(path):
            return path
    return None


# The sections that decide where the database and the files are: the rest can be read later.
OPENING_SECTIONS = frozenset({"storage", "run_storage", "event_log_storage",
                              "schedule_storage", "local_artifact_storage"})

_TOP_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*:(?:\s|$)")


def top_level_sections(path: str) -> frozenset[str] | None:
    """The top-level keys of the YAML file at ``path`` by a line scan (no YAML parser), or None
    when the file is not the plain block mapping a scan can read (flow style, quoted or
    complex keys, unreadable): the caller then reads it properly."""
    keys = set()
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip() or line[0] in " \t#" or line.startswith(("---", "...")):
                    continue
                match = _TOP_KEY.match(line)
                if match is None:
                    return None
                keys.add(match.group(0).rstrip().rstrip(":"))
    except (OSError, UnicodeDecodeError):
        return None
    return frozenset(keys)


_LAZY = {
    "InstanceConfig": "headwater.storage.config._model",
    "SECTIONS_WITH_EFFECT": "headwater.storage.config._model",
    "ConfigurableClass": "headwater.storage.config._sections",
    "LegacyStorage": "headwater.storage.config._storage",
    "ConcurrencySettings": "headwater.storage.config._sections",
    "RetentionSettings": "headwater.storage.config._sections",
    "RunMonitoringSettings": "headwater.storage.config._sections",
    "RunRetention": "headwater.storage.config._sections",
    "TagConcurrencyLimit": "headwater.storage.config._sections",
    "PostgresTarget": "headwater.storage.config._storage",
    "SqliteTarget": "headwater.storage.config._storage",
}


__getattr__ = lazy_exports("headwater.storage.config", _LAZY)


__all__ = [
    "CONFIG_FILE_NAMES", "SECTIONS_WITH_EFFECT", "ConcurrencySettings", "ConfigurableClass",
    "InstanceConfig", "InstanceConfigError", "LegacyStorage", "OPENING_SECTIONS", "PostgresTarget",
    "RetentionSettings", "RunMonitoringSettings", "RunRetention", "SqliteTarget",
    "TagConcurrencyLimit", "find_config_file", "top_level_sections",
]
