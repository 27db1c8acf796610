"""``InstanceConfig``: the whole file, typed, and the database it names.

    config = InstanceConfig.load(home)      # headwater.yaml, else dagster.yaml, else defaults
    config.database_url()                   # sqlite:///<home>/history/headwater.db, or
                                            # postgresql+psycopg://user:pw@host:5432/db?...
    config.display_url()                    # the same with the password hidden
    config.retention.runs.max_age_days      # every section is a frozen pydantic model

A bad file raises ``InstanceConfigError`` naming the file and every bad key path.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from headwater.storage.config import InstanceConfigError, find_config_file
from headwater.storage.config._sections import (
    AutoMaterializeSettings,
    BaseDirSettings,
    CodeServersSettings,
    ComputeLogsSection,
    ConcurrencySettings,
    DaemonWorkers,
    EnabledSetting,
    InstanceClassSection,
    LocalArtifactStorageSection,
    PythonLogsSettings,
    QueuedRunCoordinatorSettings,
    RetentionSettings,
    RunCoordinatorSection,
    RunLauncherSection,
    RunLimits,
    RunMonitoringSettings,
    RunRetriesSettings,
    SchedulerSection,
)
from headwater.storage.config._storage import (
    DB_FILE,
    HISTORY,
    LegacyEventLogStorage,
    LegacyRunStorage,
    LegacyScheduleStorage,
    PostgresTarget,
    SqliteTarget,
    StorageConfig,
    StorageTarget,
    legacy_target,
    resolve_dir,
)
from headwater.storage.config._values import ConfigModel, config_error, read_yaml

# Sections that change what Headwater does today; the others are validated and kept.
SECTIONS_WITH_EFFECT = ("storage", "run_storage", "event_log_storage", "schedule_storage",
                        "local_artifact_storage", "retention")


def _conflict(key: str, message: str) -> PydanticCustomError:
    return PydanticCustomError("conflict", message, {"at": key})


class InstanceConfig(ConfigModel):
    """The instance configuration file, every section Dagster documents (plus
    ``retention.runs``). Build with ``load``/``from_file``/``from_dict``."""

    storage: StorageConfig | None = None
    run_storage: LegacyRunStorage | None = None
    event_log_storage: LegacyEventLogStorage | None = None
    schedule_storage: LegacyScheduleStorage | None = None
    local_artifact_storage: LocalArtifactStorageSection | None = None
    compute_logs: ComputeLogsSection | None = None
    run_coordinator: RunCoordinatorSection | None = None
    run_launcher: RunLauncherSection | None = None
    run_queue: QueuedRunCoordinatorSettings | None = None
    scheduler: SchedulerSection | None = None
    instance_class: InstanceClassSection | None = None
    run_monitoring: RunMonitoringSettings = RunMonitoringSettings()
    run_retries: RunRetriesSettings = RunRetriesSettings()
    concurrency: ConcurrencySettings = ConcurrencySettings()
    retention: RetentionSettings = RetentionSettings()
    telemetry: EnabledSetting = EnabledSetting()
    nux: EnabledSetting = EnabledSetting()
    code_servers: CodeServersSettings = CodeServersSettings()
    schedules: DaemonWorkers = DaemonWorkers()
    sensors: DaemonWorkers = DaemonWorkers()
    backfills: DaemonWorkers = DaemonWorkers()
    auto_materialize: AutoMaterializeSettings = AutoMaterializeSettings()
    python_logs: PythonLogsSettings = PythonLogsSettings()
    secrets: dict[str, Any] = Field(default_factory=dict)

    _home: str = PrivateAttr("")
    _source: str | None = PrivateAttr(None)
    _target: StorageTarget | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> InstanceConfig:
        context = info.context or {}
        self._home = context.get("home") or ""
        self._source = context.get("source")
        legacy = (self.run_storage, self.event_log_storage, self.schedule_storage)
        if self.storage is not None and any(legacy):
            raise _conflict("storage", "cannot be combined with run_storage, event_log_storage "
                            "or schedule_storage (Dagster refuses it too): keep storage: alone")
        if self.run_queue is not None and self.run_coordinator is not None:
            raise _conflict("run_queue", "cannot be combined with run_coordinator (Dagster "
                            "refuses it too): keep one")
        queued_with_config = self.queued_settings is not None and bool(
            self.run_coordinator and self.run_coordinator.config)
        if self.concurrency.runs is not None and (self.run_queue is not None
                                                  or queued_with_config):
            raise _conflict("concurrency.runs", "cannot be combined with run_queue or "
                            "QueuedRunCoordinator config: set the run limits in one place")
        if self.storage is not None:
            self._target = self.storage.target(self._home)
        elif any(legacy):
            self._target = legacy_target(self._home, *legacy)
        else:
            self._target = SqliteTarget(os.path.join(self._home, HISTORY, DB_FILE))
        return self

    # ------------------------------------------------------------------ constructors

    @classmethod
    def load(cls, home: str) -> InstanceConfig:
        """The configuration of the instance in ``home``: ``headwater.yaml``, else
        ``dagster.yaml``, else the defaults (today's SQLite layout)."""
        home = os.path.abspath(os.path.expanduser(home))
        path = find_config_file(home)
        return cls.from_dict({}, home) if path is None else cls.from_file(path, home)

    @classmethod
    def from_file(cls, path: str, home: str | None = None) -> InstanceConfig:
        """Read one file; ``home`` (relative paths, defaults) is the file's folder if not given."""
        path = os.path.abspath(path)
        return cls.from_dict(read_yaml(path), home or os.path.dirname(path), source=path)

    @classmethod
    def from_dict(cls, data: dict[str, Any], home: str,
                  source: str | None = None) -> InstanceConfig:
        home = os.path.abspath(os.path.expanduser(home))
        try:
            return cls.model_validate(data, context={"home": home, "source": source})
        except ValidationError as exc:
            raise config_error(exc, source or "the instance configuration") from None

    # ------------------------------------------------------------------------ reading

    @property
    def home(self) -> str:
        return self._home

    @property
    def source(self) -> str | None:
        """The file read, or None when there was none (the defaults)."""
        return self._source

    @property
    def storage_target(self) -> StorageTarget:
        assert self._target is not None
        return self._target

    @property
    def is_postgres(self) -> bool:
        return isinstance(self._target, PostgresTarget)

    def database_url(self) -> str:
        """The database's SQLAlchemy URL, password included: hand it to the database, never
        to a log (``display_url()`` is the one to show)."""
        return self.storage_target.url()

    def display_url(self) -> str:
        return self.storage_target.display_url()

    def artifact_directory(self) -> str:
        """The instance's root folder for files (``storage/``, ``compute_logs/``): the home
        folder, or ``local_artifact_storage``'s ``base_dir``."""
        section = self.local_artifact_storage
        if section is not None and isinstance(section.settings, BaseDirSettings):
            return resolve_dir(self._home, section.settings.base_dir)
        return self._home

    @property
    def queued_settings(self) -> QueuedRunCoordinatorSettings | None:
        """The QueuedRunCoordinator config, if that coordinator is configured with limits."""
        section = self.run_coordinator
        if section is not None and isinstance(section.settings, QueuedRunCoordinatorSettings):
            return section.settings
        return None

    def run_limits(self) -> RunLimits | None:
        """Instance-wide run limits from ``concurrency.runs``, ``run_queue`` or a
        ``QueuedRunCoordinator``; None when runs are not queued (DefaultRunCoordinator)."""
        return self.concurrency.runs or self.run_queue or self.queued_settings

    def default_pool_limit(self) -> int | None:
        """The slots of a concurrency pool with no limit of its own: ``concurrency.pools.
        default_limit``, else the deprecated ``concurrency.default_op_concurrency_limit``;
        None: such a pool is not limited."""
        pools = self.concurrency.pools.default_limit
        return pools if pools is not None else self.concurrency.default_op_concurrency_limit

    def sections_set(self) -> list[str]:
        """The top-level keys the file set, in the order of the model."""
        return [name for name in type(self).model_fields if name in self.model_fields_set]

    def __repr__(self) -> str:
        return (f"<InstanceConfig {self._source or '(defaults)'} storage="
                f"{self.display_url()!r}>")


def load_instance_config(home: str) -> InstanceConfig:
    return InstanceConfig.load(home)


__all__ = ["SECTIONS_WITH_EFFECT", "InstanceConfig", "InstanceConfigError",
           "load_instance_config"]
