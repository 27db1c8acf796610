"""Live progress of a run, read from the event log as the run writes it.

``follow`` subscribes to the run's events in the instance (``Instance.subscribe_run_events``):
a thread reads what any process stores (this one, the workers of a multiprocess run) and
hands each batch to the CLI's reporter. No change to the execution path: the CLI only watches
the system of record.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

from headwater.cli.common import err, is_tty
from headwater.cli.output import format_duration

RICH_MIN_STEPS = 5  # below this a bar is noise: one line per step instead

_FINISHED = {"STEP_SUCCESS": "ok", "STEP_FAILURE": "FAILED", "STEP_SKIPPED": "skipped"}


def follow(instance: Any, run_id: str, reporter: Reporter) -> Any:
    """Report run ``run_id``'s events as they are stored (the run may not exist yet); the
    returned watch's ``stop()`` then ``join()`` deliver the rest and end it."""
    return instance.subscribe_run_events(
        run_id, lambda batch: reporter([r.event_log_entry for r in batch]), wait_for_run=True)


class Reporter:
    """Tracks a run's steps from its events; subclasses decide how to show them."""

    def __init__(self, total_steps: int | None):
        self.total = total_steps
        self.done = 0
        self.run_id: str | None = None
        self.started: dict[str, float] = {}

    def __call__(self, entries: Sequence[Any]) -> None:
        for entry in entries:
            event = entry.dagster_event
            if event is None:
                continue
            kind = event.event_type_value
            if self.run_id is None:
                self.run_id = entry.run_id
            if kind == "PIPELINE_START":
                self.on_run_start(entry.run_id)
            elif kind == "STEP_START" and entry.step_key:
                self.started[entry.step_key] = entry.timestamp
                self.on_step_start(entry.step_key)
            elif kind in _FINISHED and entry.step_key:
                self.done += 1
                start = self.started.get(entry.step_key)
                took = entry.timestamp - start if start is not None else None
                self.on_step_end(entry.step_key, _FINISHED[kind], took)

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def on_run_start(self, run_id: str) -> None:
        if self.total is None:
            err(f"Run {run_id} started.")
        else:
            err(f"Run {run_id} started: {self.total} step{'' if self.total == 1 else 's'}.")

    def on_step_start(self, step_key: str) -> None:
        return None

    def on_step_end(self, step_key: str, status: str, took: float | None) -> None:
        took_text = f" ({format_duration(took)})" if took is not None else ""
        count = f"{self.done}" if self.total is None else \
            f"{self.done:>{len(str(self.total))}}/{self.total}"
        err(f"[{count}] {status:<7} {step_key}{took_text}")


class RichReporter(Reporter):
    """A progress bar on stderr; finished steps that did not succeed are printed above it."""

    def __enter__(self) -> RichReporter:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=Console(stderr=True, highlight=False), transient=True)
        self._progress.start()
        self._task = self._progress.add_task("starting", total=self.total)
        self._t0 = time.monotonic()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.stop()

    def on_run_start(self, run_id: str) -> None:
        self._progress.console.print(f"Run {run_id} started: {self.total} steps.")

    def on_step_start(self, step_key: str) -> None:
        self._progress.update(self._task, description=step_key)

    def on_step_end(self, step_key: str, status: str, took: float | None) -> None:
        self._progress.update(self._task, completed=self.done)
        if status != "ok":
            color = "red" if status == "FAILED" else "yellow"
            self._progress.console.print(f"[{color}]{status}[/{color}] {step_key}")


def make_reporter(total_steps: int | None) -> Reporter:
    """A bar on a terminal for runs of known size, else a line per finished step."""
    if is_tty(sys.stderr) and total_steps is not None and total_steps >= RICH_MIN_STEPS:
        return RichReporter(total_steps)
    return Reporter(total_steps)
