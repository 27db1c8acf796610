"""What every part of the daemon is: a loop body run again and again.

The daemon (``headwater daemon run``) runs each component's ``run_iteration`` on its own thread,
``interval_seconds`` apart (or sooner when woken). A component keeps all its state in storage, so
a daemon killed at any point and restarted picks up where the records say it was.
"""

from __future__ import annotations

import threading
from typing import Protocol


class DaemonComponent(Protocol):
    name: str  # "scheduler", "sensors", "queue", "monitoring", "backfills"

    @property
    def interval_seconds(self) -> float:
        """How long to wait before the next pass (read after each pass: it may change)."""

    def run_iteration(self) -> None:
        """Do one pass (evaluate due ticks, dequeue runs, ...). Errors of user code are recorded
        by the component; an exception escaping here is logged and the next pass runs."""


class Wakeup:
    """Lets one component wake another early (a sensor that queued runs wakes the queue)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        woke = self._event.wait(timeout)
        self._event.clear()
        return woke
