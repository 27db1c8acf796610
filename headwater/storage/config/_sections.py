"""Every section of ``dagster.yaml`` besides storage, as Dagster documents it, plus Headwater's
``retention.runs``. Parsed and validated now; most are read by the daemon later (the README's
"Instance configuration" says which ones take effect today).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar, Literal

from pydantic import Field, PrivateAttr, field_serializer, field_validator, model_validator
from pydantic_core import PydanticCustomError

from headwater.storage.config._values import (
    ConfigModel,
    EnvBool,
    EnvInt,
    EnvStr,
    env_resolver,
    is_core_module,
    nested,
    suggestion,
)

# ------------------------------------------------------------------ {module, class, config}


class Empty(ConfigModel):
    """A class that takes no config."""


class BaseDirSettings(ConfigModel):
    base_dir: EnvStr


class LocalComputeLogSettings(ConfigModel):
    base_dir: EnvStr | None = None
    polling_timeout: EnvInt | None = None


class ConfigurableClass(ConfigModel):
    """Dagster's ``{module, class, config}``. A class of Dagster's core package must be one this
    section knows (its config is then checked: ``settings``); any other class (an integration's,
    e.g. ``dagster_k8s.K8sRunLauncher``) is kept as written, with ``settings`` None."""

    KNOWN: ClassVar[dict[str, type[ConfigModel]]] = {}

    module: EnvStr
    class_name: EnvStr = Field(alias="class")
    config: dict[str, Any] = Field(default_factory=dict)
    _settings: ConfigModel | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _known_class(self) -> ConfigurableClass:
        if not is_core_module(self.module):
            return self
        model = self.KNOWN.get(self.class_name)
        if model is None:
            raise PydanticCustomError(
                "unknown_class", "{module} has no {cls} that Headwater knows{hint} (known: "
                "{known})", {"module": self.module, "cls": self.class_name,
                             "hint": suggestion(self.class_name, self.KNOWN), "at": "class",
                             "known": ", ".join(self.KNOWN)})
        self._settings = nested(model, self.config, ("config",))
        return self

    @property
    def is_builtin(self) -> bool:
        return self._settings is not None

    @property
    def settings(self) -> ConfigModel | None:
        return self._settings


# -------------------------------------------------------------------------------- run queue


class PerUniqueValue(ConfigModel):
    applyLimitPerUniqueValue: EnvBool  # noqa: N815 -- Dagster's key


class TagConcurrencyLimit(ConfigModel):
    """At most ``limit`` runs at once with tag ``key`` (= ``value`` if given; per distinct value
    with ``value: {applyLimitPerUniqueValue: true}``)."""

    key: EnvStr
    value: str | PerUniqueValue | None = None
    limit: EnvInt

    @field_validator("value", mode="plain")
    @classmethod
    def _value(cls, value: Any) -> str | PerUniqueValue | None:
        if isinstance(value, dict) and "env" not in value:
            return nested(PerUniqueValue, value, ())  # type: ignore[no-any-return]
        value = env_resolver(str)(value)
        if not isinstance(value, str):
            raise PydanticCustomError(
                "tag_value", "expected a tag value (a string) or {{applyLimitPerUniqueValue: "
                "true}}")
        return value

    @field_serializer("value")
    def _dump_value(self, value: Any) -> Any:
        return value.model_dump() if isinstance(value, ConfigModel) else value

    @property
    def per_unique_value(self) -> bool:
        return isinstance(self.value, PerUniqueValue) and self.value.applyLimitPerUniqueValue


class RunLimits(ConfigModel):
    """``concurrency.runs`` (and the limits of ``run_queue`` / ``QueuedRunCoordinator``)."""

    max_concurrent_runs: EnvInt = Field(default=10, ge=-1)
    tag_concurrency_limits: list[TagConcurrencyLimit] = Field(default_factory=list)


class BlockOpConcurrency(ConfigModel):
    enabled: EnvBool = False
    op_concurrency_slot_buffer: EnvInt = 0


class QueuedRunCoordinatorSettings(RunLimits):
    """``run_coordinator: QueuedRunCoordinator`` config, also Dagster's top-level ``run_queue``."""

    dequeue_interval_seconds: EnvInt = Field(default=5, ge=0)
    dequeue_use_threads: EnvBool = False
    dequeue_num_workers: EnvInt | None = Field(default=None, ge=1)
    max_user_code_failure_retries: EnvInt = Field(default=0, ge=0)
    user_code_failure_retry_delay: EnvInt = Field(default=60, ge=0)
    block_op_concurrency_limited_runs: BlockOpConcurrency = Field(
        default_factory=BlockOpConcurrency)

    @field_validator("block_op_concurrency_limited_runs", mode="before")
    @classmethod
    def _block(cls, value: Any) -> Any:
        if isinstance(value, dict) and "env" not in value:
            return value
        value = env_resolver(bool)(value)
        if not isinstance(value, bool):
            raise PydanticCustomError(
                "block_type", "expected true, false or {{enabled: ..., "
                "op_concurrency_slot_buffer: ...}}")
        return {"enabled": value}


class RunCoordinatorSection(ConfigurableClass):
    KNOWN = {"DefaultRunCoordinator": Empty, "QueuedRunCoordinator": QueuedRunCoordinatorSettings}


class RunLauncherSection(ConfigurableClass):
    KNOWN = {"DefaultRunLauncher": Empty}


class ComputeLogsSection(ConfigurableClass):
    KNOWN = {"LocalComputeLogManager": LocalComputeLogSettings, "NoOpComputeLogManager": Empty}


class LocalArtifactStorageSection(ConfigurableClass):
    KNOWN = {"LocalArtifactStorage": BaseDirSettings}


class SchedulerSection(ConfigurableClass):
    KNOWN = {"DagsterDaemonScheduler": Empty}


class InstanceClassSection(ConfigurableClass):
    KNOWN = {"DagsterInstance": Empty}


# ------------------------------------------------------------------------ daemon behaviour


class RunMonitoringSettings(ConfigModel):
    """``run_monitoring:``: how the daemon watches runs that hang or whose worker died."""

    enabled: EnvBool = False
    start_timeout_seconds: EnvInt = Field(default=180, ge=0)
    cancel_timeout_seconds: EnvInt = Field(default=180, ge=0)
    max_runtime_seconds: EnvInt | None = Field(default=None, ge=0)
    max_resume_run_attempts: EnvInt = Field(default=0, ge=0)
    poll_interval_seconds: EnvInt = Field(default=120, ge=1)
    cancellation_thread_poll_interval_seconds: EnvInt = Field(default=10, ge=1)
    free_slots_after_run_end_seconds: EnvInt | None = Field(default=None, ge=0)


class RunRetriesSettings(ConfigModel):
    enabled: EnvBool = False
    max_retries: EnvInt = Field(default=0, ge=0)
    retry_on_asset_or_op_failure: EnvBool = True


class PoolSettings(ConfigModel):
    default_limit: EnvInt | None = Field(default=None, ge=0)
    granularity: Literal["op", "run"] = "op"
    op_run_buffer: EnvInt | None = Field(default=None, ge=0)

    @field_validator("granularity", mode="before")
    @classmethod
    def _granularity(cls, value: Any) -> Any:
        return env_resolver(str)(value)


class ConcurrencySettings(ConfigModel):
    """``concurrency:``: pools (op slots across runs) and run limits (``runs:``)."""

    default_op_concurrency_limit: EnvInt | None = Field(default=None, ge=0)
    pools: PoolSettings = PoolSettings()
    runs: RunLimits | None = None


class EnabledSetting(ConfigModel):
    enabled: EnvBool = True


class CodeServersSettings(ConfigModel):
    local_startup_timeout: EnvInt = Field(default=180, ge=1)
    reload_timeout: EnvInt | None = Field(default=None, ge=1)
    wait_for_local_processes_on_shutdown: EnvBool = False


class DaemonWorkers(ConfigModel):
    """``schedules:``, ``sensors:``, ``backfills:``: evaluate in threads, and how many."""

    use_threads: EnvBool = False
    num_workers: EnvInt | None = Field(default=None, ge=1)
    num_submit_workers: EnvInt | None = Field(default=None, ge=1)


class AutoMaterializeSettings(ConfigModel):
    enabled: EnvBool = True
    minimum_interval_seconds: EnvInt | None = Field(default=None, ge=0)
    run_tags: dict[str, EnvStr] = Field(default_factory=dict)
    respect_materialization_data_versions: EnvBool = False
    max_tick_retries: EnvInt = Field(default=3, ge=0)
    use_sensors: EnvBool = True
    use_threads: EnvBool = False
    num_workers: EnvInt | None = Field(default=None, ge=1)


class HandlerConfig(ConfigModel):
    handlers: dict[str, Any] = Field(default_factory=dict)
    formatters: dict[str, Any] = Field(default_factory=dict)


class PythonLogsSettings(ConfigModel):
    managed_python_loggers: list[EnvStr] = Field(default_factory=list)
    python_log_level: EnvStr | None = None
    dagster_handler_config: HandlerConfig = HandlerConfig()


# ------------------------------------------------------------------------------- retention

TICK_STATUSES = ("started", "skipped", "success", "failure")


class TickPurgeDays(ConfigModel):
    """Days to keep ticks of each status; -1 keeps them forever."""

    started: EnvInt | None = Field(default=None, ge=-1)
    skipped: EnvInt | None = Field(default=None, ge=-1)
    success: EnvInt | None = Field(default=None, ge=-1)
    failure: EnvInt | None = Field(default=None, ge=-1)


class TickRetention(ConfigModel):
    """``retention.schedule`` / ``retention.sensor``: ``purge_after_days`` is a number of days
    for every tick status, or a mapping of status (skipped, success, failure, started) to days."""

    DEFAULTS: ClassVar[dict[str, int]] = dict.fromkeys(TICK_STATUSES, -1)

    purge_after_days: int | TickPurgeDays | None = None

    @field_validator("purge_after_days", mode="plain")
    @classmethod
    def _days(cls, value: Any) -> int | TickPurgeDays:
        if isinstance(value, dict) and "env" not in value:
            return nested(TickPurgeDays, value, ())  # type: ignore[no-any-return]
        value = env_resolver(int)(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < -1:
            raise PydanticCustomError(
                "purge_days", "expected a number of days (-1 keeps ticks forever) or a mapping "
                "of skipped/success/failure/started to days")
        return value

    @field_serializer("purge_after_days")
    def _dump_days(self, value: Any) -> Any:
        return value.model_dump() if isinstance(value, ConfigModel) else value

    def days(self) -> dict[str, int]:
        """Days to keep each tick status (-1: forever), Dagster's defaults filled in."""
        value = self.purge_after_days
        if value is None:
            return dict(self.DEFAULTS)
        if isinstance(value, int):
            return dict.fromkeys(TICK_STATUSES, value)
        given = {s: getattr(value, s) for s in TICK_STATUSES}
        return {s: self.DEFAULTS[s] if given[s] is None else given[s] for s in TICK_STATUSES}


class SensorTickRetention(TickRetention):
    DEFAULTS = {**dict.fromkeys(TICK_STATUSES, -1), "skipped": 7}


class RunRetention(ConfigModel):
    """``retention.runs`` (Headwater's): finished runs older than ``max_age_days`` are purged
    with their events by ``headwater instance prune``; ``keep_failed`` spares failed runs.
    No ``max_age_days`` (or -1) keeps every run."""

    max_age_days: EnvInt | None = None
    keep_failed: EnvBool = False

    @field_validator("max_age_days")
    @classmethod
    def _age(cls, value: int | None) -> int | None:
        if value is not None and value != -1 and value < 1:
            raise PydanticCustomError(
                "max_age_days", "expected a number of days of at least 1, or -1 to keep runs "
                "forever")
        return None if value == -1 else value

    @property
    def max_age(self) -> timedelta | None:
        return None if self.max_age_days is None else timedelta(days=self.max_age_days)


class RetentionSettings(ConfigModel):
    schedule: TickRetention = TickRetention()
    sensor: SensorTickRetention = SensorTickRetention()
    runs: RunRetention = RunRetention()
