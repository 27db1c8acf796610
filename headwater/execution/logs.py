"""``context.log``: user log calls become events directly, mirrored to Python logging."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

_console = logging.getLogger("headwater")


class LogManager:
    """The ``log`` of a context. ``emit(level, message)`` records an event; no logging detour.

    ``mask`` (a run's ``SecretMasker.text``, when its resources read environment variables)
    rewrites each message before it is recorded or mirrored to the console."""

    __slots__ = ("_emit", "_prefix", "_mask")

    def __init__(self, emit: Callable[[int, str], None] | None = None, prefix: str = "",
                 mask: Callable[[str], str] | None = None):
        self._emit = emit
        self._prefix = prefix
        self._mask = mask

    def log(self, level: int | str, msg: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(level, str):
            level = logging.getLevelName(level.upper())
            if not isinstance(level, int):
                level = logging.INFO
        text = str(msg) % args if args else str(msg)
        if self._mask is not None:
            text = self._mask(text)
        if self._emit is not None:
            self._emit(level, text)
        if _console.isEnabledFor(level):
            _console.log(level, "%s%s", self._prefix, text)

    def debug(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.DEBUG, msg, *args)

    def info(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.INFO, msg, *args)

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.WARNING, msg, *args)

    warn = warning

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.ERROR, msg, *args)

    def critical(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.CRITICAL, msg, *args)

    def exception(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.ERROR, msg, *args)

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging.Logger's spelling
        return True


def get_dagster_logger(name: str | None = None) -> logging.Logger:
    """A Python logger for code outside a context (Dagster: ``get_dagster_logger``)."""
    return logging.getLogger("headwater" + (f".{name}" if name else ""))


# The attribute of each record a custom logger receives that carries the run's details (the
# name Dagster's formatters read: ``record.dagster_meta["orig_message"]``...).
RECORD_META = "dagster_meta"


def start_run_loggers(job_def: Any, loggers_config: Any, run_id: str) -> list[logging.Logger]:
    """The custom loggers a run's config names (``{"loggers": {name: {"config": ...}}}``),
    created by their logger functions; none when it names none (the run's events and log lines
    then go to the console logger, through Python logging, as always)."""
    if not loggers_config:
        return []
    from headwater.definitions.errors import InvalidDefinitionError
    from headwater.definitions.loggers import (
        InitLoggerContext,
        default_loggers,
        logger_config_value,
    )

    defs = getattr(job_def, "loggers", None) or default_loggers()
    out: list[logging.Logger] = []
    for name in loggers_config:
        definition = defs[name]  # names were checked with the rest of the run config
        made = definition.logger_fn(InitLoggerContext(
            logger_config_value(loggers_config, name, definition), definition, job_def, run_id))
        if not isinstance(made, logging.Logger):
            raise InvalidDefinitionError(
                f"Logger {name!r} ({definition.name}) returned {made!r}; a logger function "
                "returns a logging.Logger")
        out.append(made)
    return out


def forward_to_loggers(loggers: list[logging.Logger], level: int, text: str,
                       meta: dict[str, Any]) -> None:
    """Send one run line to the run's custom loggers (``meta["orig_message"]`` is the line as
    the user wrote it; ``text`` has the job, run and step in front, as Dagster's)."""
    for out in loggers:
        if out.isEnabledFor(level):
            out.log(level, text, extra={RECORD_META: meta})
