"""Exactly once, proven by force: the real daemon killed with SIGKILL at random moments,
hundreds of times, then run once to the end -- every run requested exactly once, none lost,
every tick finished, every cursor where its runs say it should be.

The code location (``fixtures/hwd_faults.py``) has sensors that never stop asking for runs
(each tick the next few numbers of a counter cursor: with run keys, without run keys, and
with dynamic partitions added in the same tick) and a minutely partitioned schedule started
an hour ago, so its first pass catches up five ticks. Kill delays are drawn from a seeded
``random.Random`` over the daemon's start-up and its first passes, so kills land while it
starts, while a sensor is being evaluated, between a tick's record and its runs, among the
runs, and while ticks are finished; the test says where they landed.

Most lives are forked from a pre-imported ``headwater daemon run`` (``fixtures/fork_server.py``:
a fresh interpreter spends most of a second importing on this machine); every
``COLD_EVERY``-th life is a fresh ``headwater daemon run`` process, and so is the final one.
Nothing waits with a sleep: the random delays are the fault schedule, everything else waits
on what the instance says, with a deadline.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from statistics import median
from typing import Any

import headwater as hw
from headwater.daemon.state import set_running
from headwater.storage.instigators import InstigatorType, TickStatus

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT = FIXTURES / "hwd_faults.py"
REPO = Path(__file__).resolve().parents[2]
LOCATION = PROJECT.name  # a -f location is named after its file
SENSORS = ("keyed", "keyless", "new_items")
SCHEDULE = "minute_job_schedule"
SEED = int(os.environ.get("HEADWATER_FAULT_SEED", "20261207"))
KILLS = int(os.environ.get("HEADWATER_FAULT_KILLS", "200"))
COLD_EVERY = 40
# In process: the ticks' exactly-once logic is the daemon's own, wherever the code is evaluated;
# a code server per life would only add its start-up (and its own process to kill).
DAEMON_ARGS = ("--in-process", "-f", str(PROJECT))
# The run queue launches nothing: the runs stay QUEUED, counted as created (the queue has tests
# of its own).
INSTANCE_CONFIG = "run_queue:\n  max_concurrent_runs: 0\n"
STARTUP_SHARE = 0.2  # of the kills land while the daemon starts (seconds from its start:)
STARTUP_SPAN = {True: 1.0, False: 0.15}  # (cold process, forked)
PASS_SPAN = 0.2  # the others up to this long after the daemon has recorded a tick


def selector(name: str) -> str:
    return f"{LOCATION}:{name}"


def daemon_env(home: Path, pycache: Path) -> dict[str, str]:
    env = {**os.environ, "HEADWATER_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           # Keep compiled modules (in a folder of the test's own): without them every
           # fresh daemon compiles the package again.
           "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("DAGSTER_HOME", None)
    return env


def wait_for(condition: Any, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)  # polling interval, not synchronisation
    raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")


def pause(since: float, delay: float) -> None:
    """The fault schedule: until ``delay`` seconds after ``since`` (a random draw, not a wait
    for anything)."""
    time.sleep(max(0.0, since + delay - time.monotonic()))


class ForkServer:
    """The test's side of ``fixtures/fork_server.py``."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, str(FIXTURES / "fork_server.py"), *DAEMON_ARGS], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def _ask(self, line: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer or answer.startswith("error"):
            raise AssertionError(f"fork server: {answer or 'no answer'} to {line!r}")
        return answer

    def start(self) -> int:
        return int(self._ask(f"start {self.log}"))

    def kill(self, pid: int) -> int:
        os.kill(pid, signal.SIGKILL)
        return int(self._ask(f"reap {pid}"))

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_cold(env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", "from headwater.cli.main import main; main()", "daemon",
             "run", *DAEMON_ARGS], env=env, stdout=out, stderr=out)


# ----------------------------------------------------------------- where a kill landed

def latest_ticks(instance: Any) -> dict[str, Any]:
    return {name: next(iter(instance.get_ticks(selector(name), limit=1)), None)
            for name in (*SENSORS, SCHEDULE)}


def landing(instance: Any, before: dict[str, Any]) -> str:
    """Where the kill landed, from what it left: the most telling state of any instigator."""
    after = latest_ticks(instance)
    if after == before:
        return "starting up (nothing recorded)"
    found = []
    for tick in after.values():
        if tick is None or tick.status != TickStatus.STARTED:
            continue
        if tick.evaluation is None:
            found.append("evaluating (tick recorded, nothing stored)")
            continue
        planned = [run_id for run_id, _ in tick.evaluation["runs"]]
        made = sum(instance.has_run(run_id) for run_id in planned)
        if made == 0:
            found.append("between the tick's record and its runs")
        elif made < len(planned):
            found.append("among the tick's runs")
        else:
            found.append("finishing the tick (all runs created)")
    order = ["finishing the tick (all runs created)", "among the tick's runs",
             "between the tick's record and its runs",
             "evaluating (tick recorded, nothing stored)"]
    return min(found, key=order.index) if found else "between ticks"


# ----------------------------------------------------------------- the test

def run_counts(instance: Any, sensor: str) -> Counter[str]:
    runs = instance.get_runs(hw.RunsFilter(tags={"dagster/sensor_name": sensor}))
    return Counter(r.tags["counter"] for r in runs)


def test_sigkill_at_random_moments_neither_drops_nor_doubles_a_run(tmp_path):
    home = tmp_path / "home"
    env = daemon_env(home, tmp_path / "pycache")
    log = tmp_path / "daemon.log"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_CONFIG)
    with hw.Instance.local(home) as instance:
        # Started an hour ago: the first pass catches up the five latest minutes.
        set_running(instance, LOCATION, SCHEDULE, InstigatorType.SCHEDULE, True,
                    time.time() - 3600)
    rng = random.Random(SEED)
    landed: Counter[str] = Counter()
    to_tick: dict[bool, list[float]] = {True: [], False: []}  # start -> first tick, seconds
    server = ForkServer(env, log)
    proc: subprocess.Popen | None = None
    began = time.monotonic()
    try:
        with hw.Instance.local(home) as instance:
            for life in range(KILLS):
                cold = life % COLD_EVERY == 0
                before = latest_ticks(instance)
                started = time.monotonic()
                if cold:
                    proc = start_cold(env, log)
                else:
                    pid = server.start()
                if rng.random() < STARTUP_SHARE:
                    # While it starts: opening the instance, loading the code, the lease.
                    pause(started, rng.uniform(0.0, STARTUP_SPAN[cold]))
                else:
                    # Once it works (it has recorded a tick), somewhere in its passes.
                    wait_for(lambda b=before: latest_ticks(instance) != b, 60,
                             "the daemon to record a tick")
                    to_tick[cold].append(time.monotonic() - started)
                    pause(time.monotonic(), rng.uniform(0.0, PASS_SPAN))
                if cold:
                    assert proc is not None
                    proc.kill()
                    status = proc.wait()
                    assert status == -signal.SIGKILL, log.read_text()[-3000:]
                    proc = None
                else:
                    status = server.kill(pid)
                    assert os.WIFSIGNALED(status), log.read_text()[-3000:]
                landed[landing(instance, before)] += 1
        fault_seconds = time.monotonic() - began
    finally:
        server.close()
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    # One clean life: it finishes whatever the last kill left and ticks every sensor again.
    with hw.Instance.local(home) as instance:
        before = latest_ticks(instance)
        proc = start_cold(env, log)
        try:
            def caught_up() -> bool:
                now = latest_ticks(instance)
                return all(now[s] is not None and now[s] != before[s]
                           and now[s].status != TickStatus.STARTED for s in SENSORS) and (
                    now[SCHEDULE] is None or now[SCHEDULE].status != TickStatus.STARTED)

            wait_for(caught_up, 60, "a clean tick of every sensor")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

        report = ", ".join(f"{n} {what}" for what, n in landed.most_common())
        print(f"\n{KILLS} kills in {fault_seconds:.1f} s (seed {SEED}): {report}; from start "
              f"to a tick: cold {median(to_tick[True]):.2f} s, forked "
              f"{median(to_tick[False]):.2f} s (medians)")
        assert sum(n for what, n in landed.items() if "tick" in what and what != "between "
                   "ticks") > 0, f"no kill landed inside a tick: {report}"

        for name in (*SENSORS, SCHEDULE):
            left = instance.get_ticks(selector(name), statuses=[TickStatus.STARTED])
            assert left == [], f"{name}: ticks left STARTED: {left}"
            failed = instance.get_ticks(selector(name), statuses=[TickStatus.FAILURE])
            assert failed == [], f"{name}: failed ticks: {[t.error for t in failed]}"

        for sensor in SENSORS:
            cursor = int(instance.get_instigator_state(selector(sensor)).cursor)
            counts = run_counts(instance, sensor)
            doubled = {k: n for k, n in counts.items() if n > 1}
            assert doubled == {}, f"{sensor}: numbers run more than once: {doubled}"
            assert set(counts) == {str(n) for n in range(cursor)}, (
                f"{sensor}: runs for numbers other than 0..{cursor - 1} (the cursor): "
                f"missing {sorted({str(n) for n in range(cursor)} - set(counts))[:10]}, "
                f"extra {sorted(set(counts) - {str(n) for n in range(cursor)})[:10]}")
            ticks = instance.get_ticks(selector(sensor))
            assert sum(len(t.run_ids) for t in ticks) == cursor, (
                f"{sensor}: the finished ticks do not account for each run once")
        keyed_runs = instance.get_runs(hw.RunsFilter(tags={"dagster/sensor_name": "keyed"}))
        assert all(r.tags["dagster/run_key"] == "k" + r.tags["counter"] for r in keyed_runs)
        cursor = int(instance.get_instigator_state(selector("new_items")).cursor)
        assert sorted(instance.get_dynamic_partitions("fault_items")) == sorted(
            f"p{n}" for n in range(cursor))

        # The schedule: one tick per minute from the first caught-up one, each with one run.
        ticks = sorted(instance.get_ticks(selector(SCHEDULE)), key=lambda t: t.timestamp)
        assert len(ticks) >= 5
        times = [t.timestamp for t in ticks]
        assert times == [times[0] + 60 * i for i in range(len(times))], times
        runs = instance.get_runs(hw.RunsFilter(tags={"dagster/schedule_name": SCHEDULE}))
        per_time = Counter(r.tags["dagster/scheduled_execution_time"] for r in runs)
        assert len(runs) == len(ticks) and set(per_time.values()) == {1}, per_time
        assert sorted(r.run_id for r in runs) == sorted(i for t in ticks for i in t.run_ids)
