"""The executor contract: where a ready step runs. Everything else is the run loop's.

The run loop (``run.py``) owns plan order, skip and not-run decisions, mapped-step expansion,
retries, and run-level events. It asks an executor only to:

* ``start(rc)`` -- prepare (the in-process executor sets up the run's resources here);
* ``admits(step, running)`` -- may this step start now, next to the ones running? (limits);
* ``submit(rc, step, attempt)`` -- run one attempt of a step somewhere;
* ``wait(rc, timeout)`` -- block until at least one submitted attempt ended, return outcomes;
* ``close()`` -- release what ``start`` took (always called).

An attempt is run by ``rc.run_attempt(step, attempt)`` wherever the step runs: the same step
code (``step.py``), the same retry decision and hooks, in this process or in a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from headwater.execution.executors.limits import TagConcurrencyLimits


@dataclass
class StepOutcome:
    """How one attempt of a step ended: "success", "retry" (after ``delay`` s) or "failure"."""

    step: Any  # the concrete Step
    attempt: int
    kind: str
    delay: float = 0.0


class Executor:
    """Base class of executors; ``max_concurrent`` attempts may be in flight at once."""

    name = "executor"
    max_concurrent = 1

    def __init__(self, tag_limits: TagConcurrencyLimits | None = None):
        self.tag_limits = tag_limits

    def start(self, rc: Any) -> None:
        """Called once, after the run started and before the first step."""

    def admits(self, step: Any, running: Sequence[Any]) -> bool:
        return self.tag_limits is None or self.tag_limits.admits(step, running)

    def submit(self, rc: Any, step: Any, attempt: int) -> None:
        raise NotImplementedError

    def wait(self, rc: Any, timeout: float | None) -> list[StepOutcome]:
        raise NotImplementedError

    def terminate(self, rc: Any) -> None:
        """The run was canceled: stop the attempts in flight if this executor can (their
        outcomes still come back through ``wait``). In process, the running step finishes."""

    def close(self) -> None:
        """Called once when the run ends, however it ends."""


class InProcessExecutor(Executor):
    """Each step in this process, one at a time, in plan order (the default)."""

    name = "in_process"

    def __init__(self, tag_limits: TagConcurrencyLimits | None = None):
        super().__init__(tag_limits)
        self._done: list[StepOutcome] = []

    def start(self, rc: Any) -> None:
        rc.init_resources()

    def submit(self, rc: Any, step: Any, attempt: int) -> None:
        self._done.append(rc.run_attempt(step, attempt))

    def wait(self, rc: Any, timeout: float | None) -> list[StepOutcome]:
        done, self._done = self._done, []
        return done
