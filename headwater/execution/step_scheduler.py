"""Which step of a run goes next: plan order as dependencies finish, skips and not-run
decisions, mapped-step expansion, retries waiting for their delay, pool slots across runs, and
stopping when the run is canceled. The executor decides only where a ready step runs.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from headwater.events.records import EventType
from headwater.execution.executors.base import Executor, StepOutcome
from headwater.execution.plan import ExecutionPlan, Step
from headwater.execution.run_control import (
    CANCEL_POLL_S,
    POOL_POLL_S,
    CancelWatch,
    PoolSlots,
)

if TYPE_CHECKING:
    from headwater.execution.run import RunContext


def _unproduced_inputs(rc: RunContext, plan: ExecutionPlan, step: Step) -> list[str]:
    missing = [i.param for i in step.inputs if i.source_step is not None
               and i.asset_key not in rc.produced]
    for oi in step.op_inputs:
        if oi.kind in ("output", "fan_in"):
            if any((plan.steps[src].key, name) not in rc.produced for src, name in oi.sources):
                missing.append(oi.param)
    return missing


def _expand(rc: RunContext, plan: ExecutionPlan, step: Step) -> list[Step]:
    """A mapped step runs once per mapping key its dynamic upstream yielded (``op[key]``)."""
    if step.mapped_from is None:
        return [step]
    src, output = step.mapped_from
    keys = rc.mapping_keys.get((plan.steps[src].key, output), [])
    rc.mapping_keys[(step.key, "__mapped__")] = list(keys)
    return [dataclasses.replace(step, key=f"{step.key}[{mk}]", mapping_key=mk) for mk in keys]



class StepScheduler:
    """Which step runs next: plan order, as deps finish; at most ``max_concurrent`` at once.

    A step of the plan (a "template") is decided when its deps are: not run (downstream of a
    failure), skipped (an input was not produced), or expanded into its concrete steps (one,
    or one per mapping key) which are submitted to the executor as slots free up. A retry
    waiting for its delay keeps its slot. With ``raise_on_error``, the first failure stops
    expanding new steps; the steps already expanded finish.
    """

    def __init__(self, rc: RunContext, executor: Executor, raise_on_error: bool):
        self.rc = rc
        self.plan = rc.plan
        self.executor = executor
        self.raise_on_error = raise_on_error
        steps = self.plan.steps
        self.waiting_on = [len(s.deps) for s in steps]
        self.children: list[list[int]] = [[] for _ in steps]
        for s in steps:
            for d in s.deps:
                self.children[d].append(s.index)
        self.decidable = [s.index for s in steps if not s.deps]  # a heap: plan order
        self.status: dict[int, str] = {}
        self.open: dict[int, list[Any]] = {}  # template index -> [concrete steps left, all ok]
        self.ready: deque[tuple[Step, int]] = deque()  # (concrete step, attempt)
        self.running: list[Step] = []
        self.delayed: list[tuple[float, int, Step, int]] = []  # (due, seq, step, attempt) heap
        self._seq = itertools.count()
        self.stopped = False
        self.cancel = CancelWatch(rc.instance, rc.run_id)
        self.pools = PoolSlots(rc.instance, rc.run_id, rc.tags)
        self.pool_waiting = False  # a ready step waits for a slot of its pool
        self.unfinished: list[str] = []  # steps left when the run was canceled

    def run(self) -> None:
        try:
            self._loop()
        finally:
            self.pools.release_all()

    def _loop(self) -> None:
        executor = self.executor
        while True:
            if not self.cancel.requested and self.cancel.check():
                self._cancel()
            now = time.monotonic()
            while self.delayed and self.delayed[0][0] <= now:
                _, _, step, attempt = heapq.heappop(self.delayed)
                self.ready.appendleft((step, attempt))
            self._dispatch()
            if not self.running:
                if self.pool_waiting:  # ask the pool again shortly (a slot frees elsewhere)
                    time.sleep(min(POOL_POLL_S, self._due()))
                    continue
                if not self.delayed:
                    return
                # the retry policy's own wait (nothing else may run meanwhile), not a sync
                time.sleep(min(self._due(), CANCEL_POLL_S))
                continue
            timeout = min(self._due(), POOL_POLL_S if self.pool_waiting else CANCEL_POLL_S)
            for outcome in executor.wait(self.rc, timeout):
                self.running = [s for s in self.running if s is not outcome.step]
                self._ended(outcome)

    def _due(self) -> float:
        """Seconds until the next delayed retry is due (inf: none waits)."""
        return max(0.0, self.delayed[0][0] - time.monotonic()) if self.delayed else float("inf")

    def _cancel(self) -> None:
        """Stop: nothing new starts; the steps running are stopped (between steps in process,
        their worker processes terminated by a multiprocess executor)."""
        self.stopped = True
        self.unfinished = [s.key for s, _ in self.ready] + [s.key for _, _, s, _ in self.delayed]
        self.unfinished += [self.plan.steps[i].key for i in sorted(self.decidable)]
        self.ready.clear()
        self.delayed.clear()
        self.pool_waiting = False
        if self.running:
            self.executor.terminate(self.rc)

    def _dispatch(self) -> None:
        executor = self.executor
        while len(self.running) + len(self.delayed) < executor.max_concurrent:
            item = self._pick()
            if item is None:
                return
            step, attempt = item
            self.running.append(step)
            executor.submit(self.rc, step, attempt)

    def _pick(self) -> tuple[Step, int] | None:
        """The first ready step the executor admits now, expanding templates as needed."""
        while True:
            self.pool_waiting = False
            for i, (step, attempt) in enumerate(self.ready):
                if self.executor.admits(step, self.running):
                    if not self.pools.claim(step):
                        self.pool_waiting = True
                        continue
                    del self.ready[i]
                    return step, attempt
            if self.stopped or not self._expand_next():
                return None

    def _expand_next(self) -> bool:
        """Decide the next template in plan order; True if it added ready steps."""
        rc, plan = self.rc, self.plan
        while self.decidable:
            index = heapq.heappop(self.decidable)
            step = plan.steps[index]
            dep_status = {self.status[d] for d in step.deps}
            if dep_status & {"failed", "not_run"}:
                self._decide(index, "not_run")  # downstream of a failure: not executed
                continue
            unproduced = _unproduced_inputs(rc, plan, step)
            if "skipped" in dep_status or unproduced:
                rc.emit(EventType.STEP_SKIPPED, step,
                        f'Skipping step "{step.key}": its input(s) {unproduced} were not '
                        "produced upstream (an optional output was not yielded).")
                rc.flush()
                self._decide(index, "skipped")
                continue
            concrete = _expand(rc, plan, step)
            if not concrete:  # a mapped step whose upstream yielded no mapping key
                self._decide(index, "ok")
                continue
            self.open[index] = [len(concrete), True]
            self.ready.extend((c, 0) for c in concrete)
            return True
        return False

    def _decide(self, index: int, status: str) -> None:
        self.status[index] = status
        for child in self.children[index]:
            self.waiting_on[child] -= 1
            if self.waiting_on[child] == 0:
                heapq.heappush(self.decidable, child)

    def _ended(self, outcome: StepOutcome) -> None:
        step = outcome.step
        if outcome.kind == "retry":
            if outcome.delay > 0:
                heapq.heappush(self.delayed, (time.monotonic() + outcome.delay, next(self._seq),
                                              step, outcome.attempt + 1))
            else:
                self.ready.appendleft((step, outcome.attempt + 1))
            return
        self.pools.free(step)
        entry = self.open[step.index]
        entry[0] -= 1
        if outcome.kind != "success":
            entry[1] = False
            if self.raise_on_error:
                self.stopped = True
        if entry[0] == 0:
            del self.open[step.index]
            self._decide(step.index, "ok" if entry[1] else "failed")
