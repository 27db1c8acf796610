"""Run every workload against Headwater, Dagster and the plain-Python reference; print a table.

Headwater runs on this interpreter (`make bench` uses .venv), Dagster on .venv-dagster/bin/python.
Each measurement is its own subprocess with a timeout; a failure is reported and the rest go on.
Raw results go to bench/results/latest.json. Workloads on PostgreSQL (W2-PG, W11-PG) share one
server that this script starts (fsync on) and stops at the end.

    python bench/compare.py [--full] [--only w2]

With `--only`, the keys run are updated in latest.json and the others kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
HW_PY = sys.executable
DG_PY = str(REPO / ".venv-dagster" / "bin" / "python")
GIB_MB = 1024
PG_URL = "<postgres-url>"  # in a plan's args: replaced by the URL of the server compare.py starts


def run_json(py: str, script: str, args: list[str], timeout: float) -> dict:
    """Run one workload script; its last stdout line is a JSON record, else an error record."""
    argv = [py, str(BENCH / script), *args]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        err = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()] or ["no output"]
        return {"error": f"exit {proc.returncode}: {err[-1].strip()[:100]}".replace("|", "/")}
    return json.loads(lines[-1])


def importable(py: str, module: str) -> str | None:
    """None if `module` imports under `py`, else why not."""
    if not Path(py).exists():
        return f"{py} missing (make dagster-venv)"
    code = f"import {module} as m; m.asset, m.materialize"
    proc = subprocess.run([py, "-c", code], capture_output=True, text=True, cwd=REPO)
    if proc.returncode == 0:
        return None
    return (proc.stderr.strip().splitlines() or ["import failed"])[-1][:100]


def plan(full: bool) -> list[tuple[str, str, str, list[str], float]]:
    """(result key, interpreter, script, args, timeout) for every measurement."""
    runs = []
    for impl, py in (("headwater", HW_PY), ("dagster", DG_PY)):
        is_dg = impl == "dagster"
        runs.append((f"w1/{impl}", py, "w1_cold_start.py", ["--impl", impl], 600))
        for n in (100, 1000):
            if is_dg and n == 1000 and not full:
                continue
            w2 = ["--impl", impl, "--n", str(n)]
            if not is_dg:  # a second or two per run: take the median of 3
                w2 += ["--repeat", "3"]
            runs.append((f"w2/{n}/{impl}", py, "w2_trivial_assets.py", w2, 3600))
        for n in (100, 1000):  # W2 with the instance on PostgreSQL (fsync on)
            if is_dg and n == 1000 and not full:
                continue  # ~0.5 s per asset for Dagster
            w2pg = ["--impl", impl, "--n", str(n), "--postgres-url", PG_URL]
            if not is_dg:
                w2pg += ["--repeat", "3"]
            runs.append((f"w2_pg/{n}/{impl}", py, "w2_trivial_assets.py", w2pg, 3600))
        w2e = ["--impl", impl, "--n", "100", "--ephemeral"]
        runs.append((f"w2e/100/{impl}", py, "w2_trivial_assets.py", w2e, 1800))
        for n in (1000, 10_000, 100_000):
            if is_dg and (n == 100_000 or (n == 10_000 and not full)):
                continue
            runs.append(
                (f"w3/{n}/{impl}", py, "w3_definitions.py", ["--impl", impl, "--n", str(n)], 900)
            )
        for n, executor, burn in W4_RUNS:  # op jobs: in process and in the worker pool
            if is_dg and executor == "multiprocess" and n == 100 and not full:
                continue  # ~2 minutes for Dagster
            w4 = ["--impl", impl, "--n", str(n), "--executor", executor, "--burn-ms", str(burn)]
            runs.append((f"w4/{n}/{executor}/{burn:g}/{impl}", py, "w4_ops.py", w4, 900))
        for mode in W5_MODES:  # 365 daily partitions of two assets
            if is_dg and mode.startswith("backfill"):
                continue  # Headwater's backfill machinery; compared with Dagster's runs
            w5 = ["--impl", impl, "--mode", mode]
            if is_dg and mode == "runs" and not full:
                w5 += ["--sample", "30"]  # ~0.4 s a run: 30 of the 365 days
            runs.append((f"w5/{mode}/{impl}", py, "w5_partitions.py", w5, 1800))
        for kind, n in W5B_STATUS:  # partition status of one asset
            if is_dg and (kind == "hourly" or (n == 100_000 and not full)):
                continue  # Dagster's fill writes ~90 events/s: 100,000 take ~20 minutes
            w5b = ["--impl", impl, "--mode", "status", "--kind", kind, "--n", str(n)]
            runs.append((f"w5b/{kind}/{n}/{impl}", py, "w5b_partition_status.py", w5b, 3600))
        for backend in ("sqlite", "pg"):  # 8 processes × 20 runs of 20 assets on one instance
            w11 = ["--impl", impl, "--processes", "8", "--runs", "5" if is_dg and not full else "20"]
            if backend == "pg":
                w11 += ["--postgres-url", PG_URL]
            runs.append((f"w11_{backend}/{impl}", py, "w11_concurrency.py", w11, 3600))
            if not is_dg:  # each process its own asset keys: no shared files
                runs.append((f"w11_{backend}_own_keys/{impl}", py, "w11_concurrency.py",
                             [*w11, "--own-keys"], 3600))
        # W6-W8: each library's own daemon and code server on one project (w6_services.py)
        w6 = ["--impl", impl, "--workload", "launch", "--runs", "10" if is_dg else "20"]
        runs.append((f"w6/{impl}", py, "w6_services.py", w6, 1800))
        if not is_dg:  # a fresh interpreter per run (Dagster always starts one: its w6)
            runs.append((f"w6cold/{impl}", py, "w6_services.py", [*w6, "--cold"], 1800))
        burst = "50" if is_dg and not full else "1000"  # Dagster: ~0.5 runs/s
        runs.append((f"w8/{impl}", py, "w6_services.py",
                     ["--impl", impl, "--workload", "burst", "--runs", burst], 3600))
        runs.append((f"w7/{impl}", py, "w6_services.py",
                     ["--impl", impl, "--workload", "ticks", "--fast", "10", "--slow", "1000",
                      "--seconds", "95"], 900))
        # W9: each library's own web server on 10,000 assets, the graph page's requests
        runs.append((f"w9web/{impl}", py, "w9_webserver.py", ["--impl", impl, "--n", "10000"],
                     2400))
        if not is_dg:  # W4 through a code server's warm worker (Dagster: its multiprocess W4)
            runs.append(("w4/20/location/0/headwater", py, "w4_ops.py",
                         ["--impl", impl, "--n", "20", "--executor", "location"], 900))
        if not is_dg:  # a 10,000-run backfill's memory (Dagster: ~70 minutes)
            w5m = ["--impl", impl, "--mode", "memory", "--n", "10000"]
            runs.append((f"w5b/memory/{impl}", py, "w5b_partition_status.py", w5m, 1800))
    for n in (100, 1000):  # the floor, at Headwater's durability (no fsync per commit) ...
        runs.append((f"w2/{n}/reference", HW_PY, "reference.py", ["--n", str(n)], 600))
    for n in (100, 1000):  # ... and with an fsync per commit, as SQLite's default and Dagster
        ref_full = ["--n", str(n), "--synchronous", "FULL"]
        runs.append((f"w2fsync/{n}/reference", HW_PY, "reference.py", ref_full, 600))
    return runs


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):  # counts: failed runs
        return f"{value:,}{unit}"
    if value >= 100:
        text = f"{value:,.0f}"
    elif value >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return f"{text}{unit}"


Check = Callable[[float | None, float | None, float | None], bool | None]


def row(
    results: dict, label: str, key: str, field: str, unit: str, target: str, check: Check | None
):
    """One table row: the field of key/<impl> for each implementation."""

    def cell(impl: str) -> tuple[float | None, str]:
        base = DAGSTER_SAME_AS.get(key, key) if impl == "dagster" else key
        rec = results.get(f"{base}/{impl}")
        if rec is None:
            name = f"{base}/{impl}"
            if name not in {r[0] for r in plan(True)}:
                return None, "—"
            return None, "not run" if name in {r[0] for r in plan(False)} else "not run (--full)"
        if rec.get("error", "").startswith("not importable"):
            return None, "n/a"
        if "error" in rec:
            return None, f"error: {rec['error']}"
        value = rec.get(field)
        return value, fmt(value, unit) if value is not None or impl != "reference" else "—"

    (hw, hw_s), (dg, dg_s), (ref, ref_s) = cell("headwater"), cell("dagster"), cell("reference")
    ratio = "—"
    if hw and dg and field not in NO_RATIO:  # how many times better Headwater is
        ratio = f"{hw / dg:,.1f}×" if field in HIGHER_IS_BETTER else f"{dg / hw:,.1f}×"
    verdict = check(hw, dg, ref) if check and hw is not None else None
    mark = {True: " ✅", False: " ❌", None: ""}[verdict]
    if field == "ms_per_asset" and hw and ref:
        target += f" (Headwater is {hw / ref:.1f}× the reference)"
    return f"| {label} | {hw_s} | {dg_s} | {ratio} | {ref_s} | {target}{mark} |"


W4_RUNS = [(20, "in_process", 0.0), (100, "in_process", 0.0), (20, "multiprocess", 0.0),
           (100, "multiprocess", 0.0), (100, "in_process", 50.0), (100, "multiprocess", 50.0)]


W5_MODES = ["runs", "single", "backfill-runs", "backfill-single"]
W5B_STATUS = [("static", 10_000), ("static", 100_000), ("hourly", 0)]
# Rows whose Dagster column is another key's: Headwater's backfills against Dagster's runs, and
# W11 with each process's own keys against Dagster's W11 (same keys)
DAGSTER_SAME_AS = {"w5/backfill-runs": "w5/runs", "w5/backfill-single": "w5/single",
                   "w4/20/location/0": "w4/20/multiprocess/0", "w6cold": "w6",
                   "w11_sqlite_own_keys": "w11_sqlite", "w11_pg_own_keys": "w11_pg"}
HIGHER_IS_BETTER = {"runs_per_s", "fast_evaluations"}  # the ratio column is then Headwater/Dagster
NO_RATIO = {"failed_runs", "logs_per_asset", "fast_lateness_ms_p50", "slow_lateness_ms_p50"}


def faster(times: float) -> Check:
    return lambda hw, dg, ref: None if dg is None else dg >= times * hw


def w2_check(hw, dg, ref):
    verdicts = [faster(100)(hw, dg, ref), None if ref is None else hw <= 2 * ref]
    known = [v for v in verdicts if v is not None]
    return all(known) if known else None


def rows() -> list[tuple[str, str, str, str, str, Check | None]]:
    """(label, result key, field, unit, target, check) for every line of the table."""
    w2_target = "≥ 100× faster than Dagster, ≤ 2× reference"
    spec: list[tuple[str, str, str, str, str, Check | None]] = [
        ("W1a `import` (fresh process, median)", "w1", "import_ms", " ms", "< 150 ms",
         lambda hw, dg, ref: hw < 150),
        ("W1b fresh process: import + materialize 1 asset", "w1", "materialize_one_ms", " ms",
         "≥ 10× faster than Dagster", faster(10)),
    ]  # fmt: skip
    for n in (100, 1000):
        spec += [
            (f"W2 N={n}: materialize, ms/asset", f"w2/{n}", "ms_per_asset", " ms", w2_target, w2_check),
            (f"W2 N={n}: reference with an fsync per commit (synchronous=FULL)", f"w2fsync/{n}",
             "ms_per_asset", " ms", "(not the floor: Headwater does not fsync per step)", None),
            (f"W2 N={n}: stored events/asset", f"w2/{n}", "logs_per_asset", "", "", None),
            (f"W2 N={n}: storage bytes/asset", f"w2/{n}", "bytes_per_asset", " B", "", None),
        ]  # fmt: skip
        if n == 100:
            spec.append(("W2 N=100 ephemeral: ms/asset", "w2e/100", "ms_per_asset", " ms",
                         "≥ 100× faster than Dagster", faster(100)))  # fmt: skip
    for n in (100, 1000):
        spec += [
            (f"W2-PG N={n}: materialize on PostgreSQL (fsync on), ms/asset", f"w2_pg/{n}",
             "ms_per_asset", " ms", "≥ 50× faster than Dagster (dagster-postgres)", faster(50)),
            (f"W2-PG N={n}: stored events/asset", f"w2_pg/{n}", "logs_per_asset", "", "", None),
        ]  # fmt: skip
    for backend, name in (("sqlite", "SQLite"), ("pg", "PostgreSQL")):
        for suffix, keys in (("", "same 20 assets"), ("_own_keys", "own keys per process")):
            key = f"w11_{backend}{suffix}"
            what = f"W11 {name}, 8 processes × 20 runs × 20 assets ({keys})"
            vs = "; Dagster: its same-keys W11" if suffix else ""
            sample = "; Dagster 8 × 5 runs unless --full" if not suffix else vs
            spec += [
                (f"{what}: successful runs/s", key, "runs_per_s", "", f"(higher is better{sample})",
                 None),
                (f"{what}: p99 run time", key, "run_p99_ms", " ms", "", None),
                (f"{what}: failed runs", key, "failed_runs", "", "0",
                 lambda hw, dg, ref: hw == 0),
            ]  # fmt: skip
    for n in (1000, 10_000, 100_000):
        big = n == 100_000
        spec += [
            (f"W3 N={n:,}: build+validate+select+job", f"w3/{n}", "total_s", " s",
             "< 5 s" if big else "", (lambda hw, dg, ref: hw < 5) if big else None),
            (f"W3 N={n:,}: peak RSS", f"w3/{n}", "peak_rss_mb", " MB",
             "< 1 GiB" if big else "", (lambda hw, dg, ref: hw < GIB_MB) if big else None),
        ]  # fmt: skip
    for n, executor, burn in W4_RUNS:
        if burn:
            spec.append((f"W4 N={n} ops × {burn:g} ms CPU, {executor}: seconds",
                         f"w4/{n}/{executor}/{burn:g}", "seconds", " s",
                         "multiprocess ≈ in process / cores", None))
            continue
        times = 50 if executor == "in_process" else 100
        spec.append((f"W4 N={n} ops, {executor}: ms/op", f"w4/{n}/{executor}/0", "ms_per_op",
                     " ms", f"≥ {times}× faster than Dagster", faster(times)))
    spec.append(("W4 N=20 ops, multiprocess, a queued run through a code server's warm worker "
                 "(Dagster: its multiprocess run above): ms/op", "w4/20/location/0", "ms_per_op",
                 " ms", "≥ 100× faster than Dagster", faster(100)))
    under: Callable[[float], Check] = lambda limit: (lambda hw, dg, ref: hw < limit)  # noqa: E731
    spec += [
        ("W6 sensor run request → first STEP_START, p50 (warm location)", "w6",
         "to_first_step_ms_p50", " ms", "< 100 ms", under(100)),
        ("W6 sensor run request → first STEP_START, p90", "w6", "to_first_step_ms_p90", " ms",
         "", None),
        ("W6 sensor run request → RUN_SUCCESS, p50 (one-asset job)", "w6", "to_success_ms_p50",
         " ms", "", None),
        ("W6 cold: a fresh interpreter per run (HEADWATER_WARM_LAUNCH=0; Dagster: its W6) → "
         "first STEP_START, p50", "w6cold", "to_first_step_ms_p50", " ms", "< 300 ms",
         under(300)),
        ("W8 burst of queued runs, max_concurrent_runs 4 (Headwater 1,000; Dagster 50 unless "
         "--full): runs/s", "w8", "runs_per_s", "", "≥ 20 runs/s",
         lambda hw, dg, ref: hw >= 20),
        ("W8: failed runs", "w8", "failed_runs", "", "0", lambda hw, dg, ref: hw == 0),
        ("W7 10 sensors every 1 s: lateness p50", "w7", "fast_lateness_ms_p50", " ms", "", None),
        ("W7 10 sensors every 1 s: lateness p99", "w7", "fast_lateness_ms_p99", " ms",
         "< 100 ms", under(100)),
        ("W7 1,000 sensors every 30 s: lateness p50", "w7", "slow_lateness_ms_p50", " ms", "",
         None),
        ("W7 1,000 sensors every 30 s: lateness p99", "w7", "slow_lateness_ms_p99", " ms",
         "< 1 s", under(1000)),
        ("W7: evaluations of the 1 s sensors in 95 s (more is closer to schedule)", "w7",
         "fast_evaluations", "", "", None),
    ]  # fmt: skip
    spec += [
        ("W9 web server on 10,000 assets: start → first complete asset graph answer", "w9web",
         "ready_s", " s", "", None),
        ("W9 the graph request (Headwater: /api/v1/asset_graph with its layout; Dagster: its "
         "UI's AssetGraphQuery, laid out in the browser after), first answer", "w9web",
         "graph_cold_ms", " ms", "< 300 ms", under(300)),
        ("W9 the graph request, repeated (median)", "w9web", "graph_warm_ms", " ms", "< 50 ms",
         under(50)),
        ("W9 the graph's status overlay (Dagster: assetsLatestInfo of every asset), repeated",
         "w9web", "status_warm_ms", " ms", "", None),
    ]  # fmt: skip
    w5_rows = [
        ("runs", "one `materialize(partition_key=)` run per partition"),
        ("backfill-runs", "backfill, one run per partition (Dagster: its runs above)"),
        ("single", "one run over the range (range tags)"),
        ("backfill-single", "backfill as a single run (Dagster: its single run above)"),
    ]
    for mode, what in w5_rows:
        spec.append((f"W5 365 days × 2 assets, {what}: ms/partition", f"w5/{mode}",
                     "ms_per_partition", " ms", "≥ 30× faster than Dagster", faster(30)))
    under_200: Check = lambda hw, dg, ref: hw < 200  # noqa: E731
    for kind, n in W5B_STATUS:
        size = "87,648 hourly (10 years, 90% materialized)" if kind == "hourly" \
            else f"{n:,} static (all materialized)"
        big = n != 10_000
        for field, when in (("cold_ms", "first call, reopened instance"),
                            ("warm_ms", "repeated, median")):
            spec.append((f"W5b status of {size}: {when}", f"w5b/{kind}/{n}", field, " ms",
                         "< 200 ms" if big else "", under_200 if big else None))
    for field, when in (("rss_at_1k_mb", "after 1,000 runs"), ("rss_at_5k_mb", "after 5,000"),
                        ("rss_at_end_mb", "after 10,000")):
        spec.append((f"W5b backfill of 10,000 partitions, one run each: RSS {when}",
                     "w5b/memory", field, " MB", "", None))
    spec.append(("W5b backfill of 10,000 partitions: RSS growth from 1,000 to 10,000 runs",
                 "w5b/memory", "rss_growth_pct", " %", "flat (≤ 10%)",
                 lambda hw, dg, ref: hw <= 10))
    return spec


def table(results: dict) -> str:
    head = ("| workload | Headwater | Dagster | ratio (× in Headwater's favour) | reference "
            "| target |")
    return "\n".join([head, "|---|---|---|---|---|---|"] + [row(results, *r) for r in rows()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--full", action="store_true", help="also Dagster at W2 N=1000, W3 N=10,000"
    )
    parser.add_argument("--only", default="", help="run only result keys containing this, e.g. w3 "
                        "(not followed by a digit: w1 is not w11)")
    parser.add_argument("--table-only", action="store_true", help="reprint latest.json's table")
    args = parser.parse_args()
    out = BENCH / "results" / "latest.json"
    if args.table_only:
        print(table(json.loads(out.read_text())["results"]))
        return

    skip = {"headwater": importable(HW_PY, "headwater"), "dagster": importable(DG_PY, "dagster")}
    results: dict[str, dict] = {}
    server = None  # one PostgreSQL server for every workload that needs one, started on demand
    try:
        only = re.compile(re.escape(args.only) + r"(?!\d)")
        for key, py, script, script_args, timeout in plan(args.full):
            if not only.search(key):
                continue
            impl = key.rsplit("/", 1)[1]
            if skip.get(impl):
                results[key] = {"error": f"not importable: {skip[impl]}"}
                continue
            if PG_URL in script_args:
                if server is None:
                    from _pg import start_server

                    server = start_server()
                url = server.url("postgres", driver=None)
                script_args = [url if a == PG_URL else a for a in script_args]
            print(f"running {key} ...", file=sys.stderr, flush=True)
            start = time.perf_counter()
            results[key] = run_json(py, script, script_args, timeout)
            print(f"  {time.perf_counter() - start:.1f} s: {results[key]}", file=sys.stderr,
                  flush=True)
    finally:
        if server is not None:
            server.stop()

    for impl in ("headwater", "dagster"):  # W1a's floor: a bare interpreter start
        startup = results.get(f"w1/{impl}", {}).get("python_startup_ms")
        if startup is not None:
            results.setdefault("w1/reference", {"import_ms": startup, "what": "python -c pass"})
    print(table(results))

    out.parent.mkdir(exist_ok=True)
    meta = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "full": args.full,
        "python": platform.python_version(),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "skipped": {k: v for k, v in skip.items() if v},
    }
    if args.only and out.exists():  # a partial run updates its keys, keeps the others
        previous = json.loads(out.read_text())
        meta["only"] = args.only
        meta = {**previous.get("meta", {}), "partial_runs": [
            *previous.get("meta", {}).get("partial_runs", []), meta]}
        results = {**previous.get("results", {}), **results}
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"meta": meta, "results": results}, indent=1) + "\n")
    os.replace(tmp, out)
    print(f"\nraw results: {out.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
