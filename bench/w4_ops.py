"""W4: a job of N ops (a source, N-2 middle ops, a fan-in sink), in process or multiprocess.

    python bench/w4_ops.py --impl headwater --n 20 --executor in_process
    python bench/w4_ops.py --impl dagster --n 100 --executor multiprocess [--burn-ms 50]
    python bench/w4_ops.py --impl headwater --n 20 --executor location

``--executor location`` (Headwater): the job (default executor: multiprocess) runs through a
code server on this file, as the daemon launches it: a queued run, ``launch_run``, timed from
the run's creation to RUN_SUCCESS, after one untimed run (the location is warm). With
``HEADWATER_WARM_LAUNCH=0`` the server starts every run worker fresh (the cold path).

The job is built at module level from environment variables, so that both libraries can
reconstruct it in worker processes (``reconstructable(make_job)``). Times `execute_in_process`
(or the reconstructable job's execution for multiprocess) with a persistent SQLite instance.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _dag  # noqa: E402


def _argv(flag: str, default: str) -> str:
    """The value of --flag in sys.argv (read before the library is imported)."""
    argv = sys.argv
    return argv[argv.index(flag) + 1] if flag in argv[:-1] else default


IMPL = os.environ.get("W4_IMPL") or _argv("--impl", "headwater")
N = int(os.environ.get("W4_N") or _argv("--n", "20"))
BURN_MS = float(os.environ.get("W4_BURN_MS") or _argv("--burn-ms", "0"))
dg = _dag.load(IMPL)


def _burn() -> None:
    if BURN_MS:
        end = time.process_time() + BURN_MS / 1000
        while time.process_time() < end:
            pass


@dg.op
def source():
    _burn()
    return 1


@dg.op
def middle(x):
    _burn()
    return x + 1


@dg.op
def sink(xs):
    _burn()
    return sum(xs)


def make_job():
    @dg.job(name=f"w4_{N}")
    def w4():
        s = source()
        sink([middle.alias(f"middle_{i}")(s) for i in range(max(N - 2, 1))])

    return w4


w4_job = make_job() if os.environ.get("W4_LOCATION") else None  # what the code server serves


def main() -> None:
    args = _dag.parse_args(__doc__, executor={"default": "in_process"},
                           burn_ms={"type": float, "default": 0.0},
                           start_method={"default": None,
                                         "help": "multiprocess start method (e.g. fork)"},
                           no_warmup={"action": "store_true",
                                      "help": "time the process's first run (imports included)"})
    os.environ.update(W4_IMPL=args.impl, W4_N=str(args.n), W4_BURN_MS=str(args.burn_ms))
    if (args.impl, args.n, args.burn_ms) != (IMPL, N, BURN_MS):  # re-import with the settings
        os.execv(sys.executable, [sys.executable, *sys.argv])
    _dag.fresh_home()
    instance = dg.DagsterInstance.get()
    if args.executor == "in_process" and not args.no_warmup:  # as W2: steady state, not imports
        make_job().execute_in_process(instance=instance)
    if args.executor == "location":
        elapsed, ok, marks = _through_location(instance)
        _dag.emit({**marks, "workload": "w4", "impl": args.impl, "version": _dag.version(dg),
                   "n": args.n, "executor": "location",
                   "warm": os.environ.get("HEADWATER_WARM_LAUNCH", "1") != "0",
                   "success": ok, "seconds": round(elapsed, 4),
                   "ms_per_op": round(elapsed / args.n * 1000, 3)})
        return
    t0 = _dag.now()
    if args.executor == "in_process":
        result = make_job().execute_in_process(instance=instance)
        ok = result.success
    else:
        recon = dg.reconstructable(make_job)
        mp = {"start_method": args.start_method} if args.start_method else {}
        run_config = {"execution": {"config": {"multiprocess": mp}}} if (
            args.impl == "dagster" or mp) else None
        ok = _execute_multiprocess(recon, instance, run_config)
    elapsed = _dag.now() - t0
    _dag.emit({"workload": "w4", "impl": args.impl, "version": _dag.version(dg), "n": args.n,
               "executor": args.executor, "burn_ms": args.burn_ms, "success": ok,
               "warmup": args.executor == "in_process" and not args.no_warmup,
               "seconds": round(elapsed, 4), "ms_per_op": round(elapsed / args.n * 1000, 3)})


def _through_location(instance) -> tuple[float, bool, dict]:
    """One untimed run, then one timed run, launched through a code server on this file."""
    from headwater.execution.launch import LaunchRequest
    from headwater.execution.stored_run import mark_starting, queue_run
    from headwater.locations.factory import load_location
    from headwater.locations.origins import LocationOrigin, OriginKind

    os.environ["W4_LOCATION"] = "1"
    origin = LocationOrigin(OriginKind.PYTHON_FILE, os.path.abspath(__file__),
                            location_name="w4")
    location = load_location(origin, None)
    try:
        deadline = time.time() + 120
        while (location.ping()["template"] or {"ready": True})["ready"] is False:
            if time.time() > deadline:
                raise SystemExit("the location's template did not get ready")
            time.sleep(0.01)
        result = None
        for _ in range(2):
            run = queue_run(instance, LaunchRequest(job_name=f"w4_{N}"), "w4")
            mark_starting(instance, run)
            location.launch_run(run.run_id)
            while not (result := instance.get_run_by_id(run.run_id)).is_finished:
                time.sleep(0.002)  # a benchmark's poll, not test synchronisation
        assert result is not None
        record = instance.get_run_record_by_id(result.run_id)
        events = instance.all_logs(result.run_id)
        t0 = record.create_timestamp.timestamp()
        marks = {}
        for e in events:  # when each stage was first reached, ms after the run's creation
            name = e.dagster_event_type.name if e.dagster_event_type else None
            if name in ("RUN_STARTING", "RUN_START", "STEP_START", "RUN_SUCCESS"):
                marks.setdefault(f"ms_to_{name}", round((e.timestamp - t0) * 1000, 1))
        end = max(e.timestamp for e in events)
        return end - t0, result.is_success, marks
    finally:
        location.close()


def _execute_multiprocess(recon, instance, run_config) -> bool:
    with dg.execute_job(recon, instance=instance, run_config=run_config) as result:
        return result.success


if __name__ == "__main__":
    main()
