"""Custom loggers: ``@logger`` makes a ``LoggerDefinition`` from a function
``(init_context) -> logging.Logger``; jobs name theirs in ``logger_defs=`` (or inherit
``Definitions(loggers=...)``), and a run uses the ones its run config names under ``loggers``.

A run initializes only the loggers its run config names (``{"loggers": {"name": {"config":
...}}}``), as Dagster does; a job's logger definitions that the run config does not name stay
unused. This module is pure data and checks; execution calls the logger functions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

EPHEMERAL_RUN_ID = "__EPHEMERAL_RUN_ID"


class LoggerDefinition:
    """A logger a run can create: ``logger_fn(init_context)`` returns a ``logging.Logger``.

    ``config_schema`` is checked against ``loggers.<name>.config`` of the run config with the
    same checker as op config (``config_schema.validate_config``)."""

    def __init__(self, logger_fn: Callable[[InitLoggerContext], logging.Logger],
                 config_schema: Any = None, description: str | None = None):
        if not callable(logger_fn):
            raise TypeError(f"LoggerDefinition needs a function (init_context) -> Logger, "
                            f"got {logger_fn!r}")
        from headwater.definitions.config_types import legacy_config_field

        self.logger_fn = logger_fn
        self.config_schema = config_schema
        self.config_field = legacy_config_field(config_schema)  # a bad schema is refused here
        self.description = description

    @property
    def name(self) -> str:
        return getattr(self.logger_fn, "__name__", "logger")

    def __call__(self, init_context: InitLoggerContext | None = None) -> logging.Logger:
        """Direct invocation (tests): the logger the function builds for ``init_context``."""
        return self.logger_fn(init_context if init_context is not None
                              else build_init_logger_context(logger_def=self))

    def __repr__(self) -> str:
        return f"LoggerDefinition({self.name!r})"


class InitLoggerContext:
    """What a logger function receives: its config, its definition, the job and the run id."""

    def __init__(self, logger_config: Any, logger_def: LoggerDefinition | None = None,
                 job_def: Any = None, run_id: str | None = None):
        self.logger_config = logger_config
        self.logger_def = logger_def
        self.job_def = job_def
        self.run_id = run_id


def build_init_logger_context(logger_config: Any = None, job_def: Any = None,
                              logger_def: LoggerDefinition | None = None) -> InitLoggerContext:
    """An ``InitLoggerContext`` for testing a logger function outside a run."""
    return InitLoggerContext(logger_config, logger_def, job_def, EPHEMERAL_RUN_ID)


def logger(config_schema: Any = None, description: str | None = None) -> Any:
    """Decorator: ``@logger`` or ``@logger(config_schema=..., description=...)`` on a function
    ``(init_context) -> logging.Logger``."""
    if callable(config_schema) and not isinstance(config_schema, (type, Mapping)):
        return LoggerDefinition(config_schema)

    def wrap(fn: Callable[[InitLoggerContext], logging.Logger]) -> LoggerDefinition:
        return LoggerDefinition(fn, config_schema, description)

    return wrap


def _console_logger(init_context: InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config if isinstance(init_context.logger_config, Mapping) else {}
    out = logging.getLogger(str(config.get("name", "headwater")))
    level = config.get("log_level", "INFO")
    out.setLevel(level.upper() if isinstance(level, str) else level)
    if not out.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
        out.addHandler(handler)
        out.propagate = False
    return out


def _console_schema() -> Any:
    from headwater.definitions.config_types import Field

    return {"log_level": Field(str, is_required=False, default_value="INFO"),
            "name": Field(str, is_required=False, default_value="headwater")}


# Dagster's console logger: config {"log_level": "INFO", "name": ...}, both optional.
colored_console_logger = LoggerDefinition(_console_logger, _console_schema(),
                                          "The default colored console logger.")


def default_loggers() -> dict[str, LoggerDefinition]:
    """The loggers a job has when it names none: ``{"console": colored_console_logger}``."""
    return {"console": colored_console_logger}


def logger_config_problems(logger_defs: Mapping[str, LoggerDefinition],
                           loggers_config: Any) -> list[str]:
    """Every problem with the run config's ``loggers`` section for these definitions."""
    if not loggers_config:
        return []
    if not isinstance(loggers_config, Mapping):
        return [f"loggers: expected a dict of logger name to {{'config': ...}}, got "
                f"{type(loggers_config).__name__}"]
    from headwater.definitions.config_schema import validate_config

    errors: list[str] = []
    for name, entry in loggers_config.items():
        if name not in logger_defs:
            errors.append(f"loggers.{name}: this job has no logger named {name!r}; its loggers "
                          f"are {sorted(logger_defs)} (a job's logger_defs=, or Definitions("
                          "loggers=...))")
            continue
        if entry is None:
            entry = {}
        if not isinstance(entry, Mapping) or set(entry) - {"config"}:
            errors.append(f"loggers.{name}: expected {{'config': {{...}}}}, got {entry!r}")
            continue
        errors.extend(validate_config(logger_defs[name].config_field, entry.get("config"),
                                      f"loggers.{name}.config"))
    return errors


def logger_config_value(loggers_config: Mapping[str, Any], name: str,
                        definition: LoggerDefinition) -> Any:
    """The config a named logger receives: what the run config gives, checked against the
    logger's schema with its defaults filled in (None when neither gives anything)."""
    from headwater.definitions.config_schema import apply_schema

    entry = loggers_config.get(name) or {}
    given = entry.get("config") if isinstance(entry, Mapping) else None
    return apply_schema(definition.config_field, given, f"loggers.{name}.config",
                        f"logger {name!r}")
