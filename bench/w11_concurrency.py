"""W11: concurrent runs on one instance. P processes × R runs of W2's DAG of N assets each.

All processes share one instance (SQLite in a fresh DAGSTER_HOME=HEADWATER_HOME, or with
`--postgres`/`--postgres-url` a new database on a PostgreSQL server with fsync on) and its
storage folder: every run materializes the same N assets with the default IO manager, so
processes write the same files at the same time. `--own-keys` gives each process its own
asset-key prefix instead (no shared files; the database is still shared).

The parent sets the instance up (first open, one warm-up run), then starts P processes
(`spawn`). Each imports the library, builds the assets, opens the instance and does a one-asset
warm-up run of its own; then all wait on one barrier and, once released together, run their R
runs one after the other (`materialize(assets, instance=...)`). Measured: wall time from the
barrier to the last run's end; successful runs per second over it; each run's time (p50, p99,
max); failed runs (a raised error or `success` false; must be 0) with their distinct errors;
the processes' CPU time over the timed part (`cpu_busy_pct`: of all cores; low means they
wait, on locks or the disk); and afterwards, read from the instance, how many runs it records
as SUCCESS.

    python bench/w11_concurrency.py --impl headwater [--postgres] [--processes 8 --runs 20 --n 20]
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import resource
import statistics
import traceback
from types import ModuleType

from _dag import emit, fresh_home, layered_assets, load, now, parse_args, version
from _pg import configure_home, new_database, open_instance, server_url

BARRIER_TIMEOUT_S = 900  # Dagster's processes take ~10 s each to import and warm up
RESULTS_TIMEOUT_S = 3600  # a process that died after the barrier never reports


def _warm_up(dg: ModuleType, instance, name: str) -> None:
    @dg.asset(name=name)
    def _one():
        return 0

    dg.materialize([_one], instance=instance)


def _why(exc: BaseException) -> str:
    """The root error of a failed run, one line: Dagster wraps the user's error in its own."""
    root = exc
    while root.__cause__ is not None:
        root = root.__cause__
    text = str(root).strip().splitlines()
    return f"{type(root).__name__}: {text[0] if text else ''}"[:200]


def _worker(impl: str, index: int, runs: int, n: int, own_keys: bool, barrier, results) -> None:
    """One process: set up, wait for the others, then `runs` runs; reports (seconds, error).
    The instance is the parent's home (inherited DAGSTER_HOME/HEADWATER_HOME, its dagster.yaml)."""
    timings: list[tuple[float, str | None]] = []
    setup_error = None
    try:
        dg = load(impl)
        assets = layered_assets(dg, n, prefix=f"p{index}" if own_keys else None)
        instance = open_instance(dg)
        _warm_up(dg, instance, f"warmup_p{index}")
    except Exception as exc:  # reported; the process still joins the barrier
        setup_error = _why(exc) + "\n" + traceback.format_exc()[-800:]
    barrier.wait(timeout=BARRIER_TIMEOUT_S)
    cpu_start = _cpu_s()
    if setup_error is None:
        for _ in range(runs):
            start = now()
            try:
                result = dg.materialize(assets, instance=instance)
                error = None if result.success else "run not successful"
            except Exception as exc:
                error = _why(exc)
            timings.append((now() - start, error))
        instance.dispose()
    results.put((index, setup_error, timings, _cpu_s() - cpu_start))


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def _recorded_successes(dg: ModuleType) -> int:
    instance = open_instance(dg)
    try:
        ok = dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS])
        return instance.get_runs_count(filters=ok)
    finally:
        instance.dispose()


def main() -> None:
    args = parse_args(
        __doc__,
        n_default=20,
        processes={"type": int, "default": 8, "help": "concurrent processes"},
        runs={"type": int, "default": 20, "help": "runs per process, one after the other"},
        own_keys={"action": "store_true", "help": "each process its own asset-key prefix"},
        postgres={"action": "store_true", "help": "instance on PostgreSQL (a server of its own)"},
        postgres_url={"help": "instance on this PostgreSQL server (URL of its postgres database)"},
    )
    dg = load(args.impl)
    pg = server_url(args.postgres_url) if args.postgres or args.postgres_url else None
    home = fresh_home()  # the processes inherit it (DAGSTER_HOME, HEADWATER_HOME)
    db_url = new_database(pg, "w11") if pg else None
    configure_home(dg, home, db_url)
    instance = open_instance(dg)  # creates the schema once, before the crowd
    _warm_up(dg, instance, "warmup")
    instance.dispose()

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(args.processes + 1)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(args.impl, i, args.runs, args.n, args.own_keys,
                                               barrier, results))
             for i in range(args.processes)]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=BARRIER_TIMEOUT_S)
    start = now()
    reports = [results.get(timeout=RESULTS_TIMEOUT_S) for _ in procs]
    wall = now() - start
    for proc in procs:
        proc.join()

    setup_errors = [err for _, err, _, _ in reports if err]
    timings = [t for _, _, runs, _ in reports for t in runs]
    cpu = sum(c for _, _, _, c in reports)
    errors = [err for _, err in timings if err]
    seconds = sorted(t for t, _ in timings)
    total = args.processes * args.runs
    succeeded = len(timings) - len(errors)
    distinct: dict[str, int] = {}  # by message with paths and names masked; first example kept
    examples: dict[str, str] = {}
    for err in errors:
        kind = re.sub(r"'[^']*'", "'…'", err)
        distinct[kind] = distinct.get(kind, 0) + 1
        examples.setdefault(kind, err)
    emit({
        "workload": "w11",
        "impl": args.impl,
        "version": version(dg),
        "storage": "postgres" if pg else "sqlite",
        "processes": args.processes,
        "runs_per_process": args.runs,
        "n": args.n,
        "own_keys": args.own_keys,
        "runs": total,
        "failed_runs": total - succeeded,
        "wall_s": round(wall, 3),
        "runs_per_s": round(succeeded / wall, 2),
        "run_p50_ms": round(statistics.median(seconds) * 1000, 1) if seconds else None,
        "run_p99_ms": round(_percentile(seconds, 0.99) * 1000, 1) if seconds else None,
        "run_max_ms": round(seconds[-1] * 1000, 1) if seconds else None,
        # minus the warm-ups: the parent's and those of the processes that set up without error
        # CPU seconds of the processes over the timed part, / (wall × cores): low means waiting
        "cpu_s": round(cpu, 2),
        "cpu_busy_pct": round(100 * cpu / (wall * (os.cpu_count() or 1)), 1),
        "recorded_success_runs": _recorded_successes(dg) - 1
        - (args.processes - len(setup_errors)),
        "errors": [{"count": count, "example": examples[kind]}
                   for kind, count in sorted(distinct.items(), key=lambda kv: -kv[1])[:5]],
        "setup_errors": setup_errors[:3],
    })


if __name__ == "__main__":
    main()
