"""W6–W8: the services. Launch latency, sensor tick accuracy, and queue throughput.

One project module (below, written to a temporary folder) and one `workspace.yaml` serve both
libraries; each runs its own daemon on it as a user would (`dagster-daemon run -w
workspace.yaml`, `headwater daemon run -w workspace.yaml`) with the instance in a fresh
DAGSTER_HOME = HEADWATER_HOME whose `dagster.yaml` sets the queued run coordinator. The bench
process reads the results back from the instance through the public API, and from a file that
the sensors append to (one `name time` line per evaluation, written by the user's code, so both
libraries are timed at the same point).

Workloads (`--workload`):

* `launch` (W6): a sensor requests one run of a one-asset job per tick (the next only once the
  previous run has ended); per run: from the run's creation (the request) to its first
  STEP_START, and to RUN_SUCCESS, p50/p90 over `--runs`.
* `burst` (W8): one sensor tick requests `--runs` runs at once, `max_concurrent_runs: 4`; runs/s
  from the first run's creation to the last run's end.
* `ticks` (W7): `--fast` sensors every 1 s and `--slow` sensors every 30 s (all returning a
  SkipReason) for `--seconds`; lateness of each evaluation after the first = (time since the
  sensor's previous evaluation) - its interval; p50/p99 per group.

    python bench/w6_services.py --impl headwater --workload launch --runs 20
    python bench/w6_services.py --impl headwater --workload launch --runs 20 --cold
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from _dag import emit, fresh_home, load, parse_args, version

PROJECT = '''
import os
import time

import {impl} as dg

MODE = os.environ["BENCH_MODE"]
RUNS = int(os.environ["BENCH_RUNS"])
TICK_LOG = os.environ["BENCH_TICK_LOG"]
RUNNING = dg.DefaultSensorStatus.RUNNING


@dg.asset
def one():
    return 1


one_job = dg.define_asset_job("one_job", selection=[one])


def note(name):
    with open(TICK_LOG, "a") as f:
        f.write(f"{{name}} {{time.time()}}\\n")


def _finished(instance):
    return all(r.dagster_run.is_finished for r in instance.get_run_records(limit=1))


sensors = []
if MODE == "launch":
    @dg.sensor(job=one_job, minimum_interval_seconds=1, default_status=RUNNING)
    def one_at_a_time(context):
        done = int(context.cursor or 0)
        if done >= RUNS or not _finished(context.instance):
            return dg.SkipReason("waiting")
        context.update_cursor(str(done + 1))
        return dg.RunRequest(run_key=str(done))

    sensors.append(one_at_a_time)
elif MODE == "burst":
    @dg.sensor(job=one_job, minimum_interval_seconds=1, default_status=RUNNING)
    def burst(context):
        if context.cursor:
            return dg.SkipReason("done")
        context.update_cursor("1")
        return [dg.RunRequest(run_key=str(i)) for i in range(RUNS)]

    sensors.append(burst)
else:
    def make(name, interval):
        @dg.sensor(name=name, job=one_job, minimum_interval_seconds=interval,
                   default_status=RUNNING)
        def _sensor(context):
            note(name)
            return dg.SkipReason("nothing to do")

        return _sensor

    FAST, SLOW = (int(v) for v in os.environ["BENCH_SENSORS"].split(","))
    sensors += [make(f"fast_{{i}}", 1) for i in range(FAST)]
    sensors += [make(f"slow_{{i}}", 30) for i in range(SLOW)]

defs = dg.Definitions(assets=[one], jobs=[one_job], sensors=sensors)
'''

DAGSTER_YAML = """\
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: {max_concurrent}
telemetry:
  enabled: false
"""


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def daemon_argv(impl: str, workspace: Path) -> list[str]:
    bin_dir = Path(sys.executable).parent
    if impl == "dagster":
        return [str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace)]
    return [str(bin_dir / "headwater"), "daemon", "run", "-w", str(workspace)]


def wait_for(predicate, deadline: float, what: str, daemon: subprocess.Popen) -> None:
    while not predicate():
        if daemon.poll() is not None:
            raise SystemExit(f"the daemon exited ({daemon.returncode}) before {what}")
        if time.time() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)  # a benchmark's poll of the instance, not test synchronisation


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], workload={"default": "launch"},
                      runs={"type": int, "default": 20},
                      fast={"type": int, "default": 10}, slow={"type": int, "default": 1000},
                      seconds={"type": int, "default": 95},
                      timeout={"type": float, "default": 1800.0},
                      cold={"action": "store_true",
                            "help": "Headwater without warm launches: a fresh interpreter "
                                    "per run (HEADWATER_WARM_LAUNCH=0)"})
    dg = load(args.impl)
    home = Path(fresh_home())
    max_concurrent = 4 if args.workload == "burst" else 1
    (home / "dagster.yaml").write_text(DAGSTER_YAML.format(max_concurrent=max_concurrent))
    project = Path(tempfile.mkdtemp(prefix="hw-bench-project-"))
    (project / "services_project.py").write_text(textwrap.dedent(PROJECT.format(impl=args.impl)))
    (project / "workspace.yaml").write_text(
        "load_from:\n  - python_file:\n      relative_path: services_project.py\n"
        "      location_name: services\n")
    tick_log = project / "ticks.log"
    env = {**os.environ, "BENCH_MODE": args.workload, "BENCH_RUNS": str(args.runs),
           "BENCH_TICK_LOG": str(tick_log), "BENCH_SENSORS": f"{args.fast},{args.slow}",
           # the project, then whatever this process imports from (e.g. a checkout's headwater)
           "PYTHONPATH": os.pathsep.join(filter(None, [str(project),
                                                       os.environ.get("PYTHONPATH")]))}
    if args.cold:
        env["HEADWATER_WARM_LAUNCH"] = "0"
    # the instance's schema is created here first: Dagster's daemon and code server opening a
    # new instance together race on its migrations ("more than one head")
    instance = dg.DagsterInstance.get()
    started = time.time()
    log = open(project / "daemon.log", "wb")  # a pipe nobody reads would block the daemon
    daemon = subprocess.Popen(daemon_argv(args.impl, project / "workspace.yaml"), cwd=project,
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline = started + args.timeout
        record: dict = {"impl": args.impl, "version": version(dg), "workload": args.workload}
        if args.workload in ("launch", "burst"):
            def done() -> bool:
                records = instance.get_run_records()
                return (len(records) >= args.runs
                        and all(r.dagster_run.is_finished for r in records))

            wait_for(done, deadline, f"{args.runs} finished runs", daemon)
            record.update(run_figures(dg, instance, args.runs))
        else:
            time.sleep(args.seconds)  # the measured window: the daemon ticks on its own
            record.update(tick_figures(tick_log))
        record["wall_s"] = round(time.time() - started, 2)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
        log.close()
    emit(record)


# where the time from a run's creation to its first step goes (each hop's p50)
HOP_EVENTS = ("RUN_ENQUEUED", "RUN_STARTING", "RUN_START", "STEP_START")
HOPS = tuple(f"{a}->{b}" for a, b in zip(("created",) + HOP_EVENTS, HOP_EVENTS, strict=False))


def run_figures(dg, instance, expected: int) -> dict:
    to_step, to_success, created, ended, failed = [], [], [], [], 0
    hops: dict[str, list[float]] = {h: [] for h in HOPS}
    for rec in instance.get_run_records():
        run = rec.dagster_run
        if run.status != dg.DagsterRunStatus.SUCCESS:
            failed += 1
            continue
        t0 = rec.create_timestamp.timestamp()
        events = instance.all_logs(run.run_id)
        step = min((e.timestamp for e in events
                    if e.dagster_event_type == dg.DagsterEventType.STEP_START), default=None)
        success = max((e.timestamp for e in events
                       if e.dagster_event_type == dg.DagsterEventType.RUN_SUCCESS), default=None)
        created.append(t0)
        first = {}
        for e in events:
            name = e.dagster_event_type.name if e.dagster_event_type else None
            if name in HOP_EVENTS and name not in first:
                first[name] = e.timestamp
        marks = [("created", t0)] + [(n, first.get(n)) for n in HOP_EVENTS]
        for (a, ta), (b, tb) in zip(marks, marks[1:], strict=False):
            if ta is not None and tb is not None:
                hops[f"{a}->{b}"].append((tb - ta) * 1000)
        if step is not None:
            to_step.append((step - t0) * 1000)
        if success is not None:
            to_success.append((success - t0) * 1000)
            ended.append(success)
    span = (max(ended) - min(created)) if ended and created else None
    return {
        "runs": len(created), "failed_runs": failed,
        "to_first_step_ms_p50": _r(statistics.median(to_step) if to_step else None),
        "to_first_step_ms_p90": _r(percentile(to_step, 0.9)),
        "to_success_ms_p50": _r(statistics.median(to_success) if to_success else None),
        "to_success_ms_p90": _r(percentile(to_success, 0.9)),
        "runs_per_s": _r(len(ended) / span if span else None),
        **{f"hop_ms_p50 {h}": _r(statistics.median(v)) for h, v in hops.items() if v},
    }


def tick_figures(tick_log: Path) -> dict:
    times: dict[str, list[float]] = {}
    if tick_log.exists():
        for line in tick_log.read_text().splitlines():
            name, _, t = line.partition(" ")
            times.setdefault(name, []).append(float(t))
    late: dict[str, list[float]] = {"fast": [], "slow": []}
    evaluations = {"fast": 0, "slow": 0}
    for name, ts in times.items():
        group = name.split("_")[0]
        interval = 1.0 if group == "fast" else 30.0
        evaluations[group] += len(ts)
        ts.sort()
        late[group] += [max(0.0, (b - a) - interval) * 1000 for a, b in zip(ts, ts[1:], strict=False)]
    out: dict = {}
    for group in ("fast", "slow"):
        out[f"{group}_evaluations"] = evaluations[group]
        out[f"{group}_lateness_ms_p50"] = _r(percentile(late[group], 0.5))
        out[f"{group}_lateness_ms_p99"] = _r(percentile(late[group], 0.99))
    return out


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


if __name__ == "__main__":
    main()
