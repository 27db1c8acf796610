"""``dagster._utils.log`` on Headwater: ``get_dagster_logger`` and ``configure_loggers``.

``configure_loggers`` is the helper projects call at start-up to set how the framework's own
loggers print (Dagster's command-line tools call it too). This is Headwater's own version: one
``logging.config.dictConfig`` layout for the ``dagster`` and ``dagster-webserver`` loggers and
for ``headwater`` (where the shim's ``get_dagster_logger`` loggers live), so the level and
format a project picks also reach the lines its code logs.
"""

from __future__ import annotations

import json
import logging
import logging.config
from typing import Any

from headwater.execution import get_dagster_logger

__all__ = ["configure_loggers", "get_dagster_logger"]

CONFIGURED_LOGGERS = ("dagster", "dagster-webserver", "headwater")
HANDLERS = ("default", "null")
FORMATTERS = ("colored", "json", "rich")

_LINE = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
_DATE = "%Y-%m-%d %H:%M:%S %z"
_LEVEL_COLORS = {"DEBUG": "36", "INFO": "34", "WARNING": "33", "ERROR": "31", "CRITICAL": "1;31"}


class ColoredFormatter(logging.Formatter):
    """``<time> - <logger> - <LEVEL> - <message>`` with the time and level in ANSI colours."""

    def __init__(self) -> None:
        super().__init__(_LINE, _DATE)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return f"\033[32m{super().formatTime(record, datefmt)}\033[0m"

    def format(self, record: logging.LogRecord) -> str:
        color = _LEVEL_COLORS.get(record.levelname)
        if color is None:
            return super().format(record)
        plain = record.levelname
        record.levelname = f"\033[{color}m{plain}\033[0m"
        try:
            return super().format(record)
        finally:
            record.levelname = plain


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``timestamp``, ``logger``, ``level``, ``event`` (+ ``exc_info``)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": self.formatTime(record, _DATE), "logger": record.name,
            "level": record.levelname.lower(), "event": record.getMessage()}
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def _level_name(log_level: str | int) -> str | int:
    if isinstance(log_level, int):
        return log_level
    name = log_level.upper()
    if not isinstance(logging.getLevelName(name), int):
        raise ValueError(f"configure_loggers: unknown log_level {log_level!r}; use one of "
                         "DEBUG, INFO, WARNING, ERROR, CRITICAL (or a logging level number)")
    return name


def configure_loggers(handler: str = "default", formatter: str = "colored",
                      log_level: str | int = "INFO") -> None:
    """Point the framework's loggers at one handler: ``"default"`` (stderr) or ``"null"``
    (silent), formatted ``"colored"``, ``"json"`` or ``"rich"`` (printed as ``"colored"``
    without colours: Headwater has no rich renderer), at ``log_level``. Other loggers are left
    as they are; records still propagate to the root logger, as in Dagster."""
    if handler not in HANDLERS:
        raise ValueError(f"configure_loggers: unknown handler {handler!r}; use one of {HANDLERS}")
    if formatter not in FORMATTERS:
        raise ValueError(
            f"configure_loggers: unknown formatter {formatter!r}; use one of {FORMATTERS}")
    level = _level_name(log_level)
    formatters: dict[str, Any] = {
        "colored": {"()": ColoredFormatter},
        "json": {"()": JsonFormatter},
        "rich": {"format": _LINE, "datefmt": _DATE},
    }
    handlers: dict[str, Any] = {
        "default": {"class": "logging.StreamHandler", "formatter": formatter, "level": level},
        "null": {"class": "logging.NullHandler", "level": level},
    }
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {formatter: formatters[formatter]},
        "handlers": {handler: handlers[handler]},
        "loggers": {name: {"handlers": [handler], "level": level, "propagate": True}
                    for name in CONFIGURED_LOGGERS},
    })
