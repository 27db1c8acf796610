"""W5b: partition status at 100,000 partitions, and memory over a 10,000-run backfill.

    python bench/w5b_partition_status.py --impl headwater --mode status --kind static --n 100000
    python bench/w5b_partition_status.py --impl headwater --mode status --kind hourly
    python bench/w5b_partition_status.py --impl dagster --mode status --kind static --n 100000
    python bench/w5b_partition_status.py --impl headwater --mode memory --n 10000 [--tracemalloc]

`--mode status`: one asset, persistent SQLite instance in a fresh home.

* `--kind static`: `StaticPartitionsDefinition` of N keys (`p000000`...), all materialized.
* `--kind hourly`: `HourlyPartitionsDefinition` over 10 years (2014-01-01 to 2024-01-01,
  87,648 hours); the first 90% materialized, the rest missing.

Filling the index is not timed. Headwater: one `materialize` over the range (range tags
`dagster/asset_partition_range_start`/`_end`; the asset returns `MaterializeResult()`, which
records one materialization per partition). Dagster would take ~40 ms per partition that way
(over an hour), so its events are written straight to its event storage in batches
(`event_log_storage.store_event_batch` of runless `ASSET_MATERIALIZATION` entries, what
`report_runless_asset_event` stores one at a time): a bench-only fill, not a public API.

Timed: Headwater `instance.get_partition_status(key, partitions_def)`; Dagster
`instance.get_status_by_partition(key, all_keys, partitions_def)`. "cold" is the first call on
a reopened instance with a new, equal partitions definition object (nothing cached in the
process; Dagster's first call also builds its status cache in the database); "warm" is the
median of `--repeat` calls after it.

`--mode memory` (Headwater): a backfill of N static partitions (default 10,000), one run per
partition (`launch_backfill(..., max_partitions_per_run=1)` + `execute_backfill`), one
`MaterializeResult` asset. `on_progress` records the current RSS (and with `--tracemalloc` the
traced Python heap) every 1,000 runs; the JSON reports them at 1k, 5k and N runs, and the
growth from 1k to N.
"""

from __future__ import annotations

import gc
import os
import statistics
import time

from _dag import (
    RANGE_END,
    RANGE_START,
    emit,
    fresh_home,
    load,
    now,
    parse_args,
    peak_rss_mb,
    version,
)

HOURLY_FRACTION = 0.9


def partitions_def(dg, kind: str, n: int):
    if kind == "static":
        return dg.StaticPartitionsDefinition([f"p{i:06d}" for i in range(n)])
    return dg.HourlyPartitionsDefinition(start_date="2014-01-01-00:00",
                                         end_date="2024-01-01-00:00")


def make_asset(dg, pdef):
    @dg.asset(name="wide", partitions_def=pdef)
    def wide():
        return dg.MaterializeResult()

    return wide


def fill_headwater(dg, instance, asset, keys: list[str]) -> None:
    tags = {RANGE_START: keys[0], RANGE_END: keys[-1]}
    assert dg.materialize([asset], instance=instance, tags=tags).success


def fill_dagster(dg, instance, asset, keys: list[str]) -> None:
    import logging

    from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
    from dagster._core.events.log import EventLogEntry
    from dagster._core.instance.utils import RUNLESS_JOB_NAME, RUNLESS_RUN_ID

    storage = instance.event_log_storage
    for i in range(0, len(keys), 1000):
        batch = []
        for key in keys[i:i + 1000]:
            event = DagsterEvent(
                event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
                event_specific_data=StepMaterializationData(
                    dg.AssetMaterialization(asset.key, partition=key)),
                job_name=RUNLESS_JOB_NAME)
            batch.append(EventLogEntry(
                error_info=None, level=logging.INFO, user_message="", run_id=RUNLESS_RUN_ID,
                timestamp=time.time(), step_key=None, job_name=RUNLESS_JOB_NAME,
                dagster_event=event))
        storage.store_event_batch(batch)


def status_once(impl: str, instance, asset, pdef, keys) -> tuple[float, int]:
    """(ms, materialized count) of one status computation."""
    start = now()
    if impl == "dagster":
        status = instance.get_status_by_partition(asset.key, keys, pdef)
        n_done = sum(1 for v in status.values() if v is not None and v.value == "MATERIALIZED")
        elapsed = now() - start
    else:
        status = instance.get_partition_status(asset.key, pdef)
        elapsed = now() - start
        n_done = len(status.materialized)
    return elapsed * 1000, n_done


def run_status(dg, args) -> dict:
    fresh_home()
    instance = dg.DagsterInstance.get()
    pdef = partitions_def(dg, args.kind, args.n)
    asset = make_asset(dg, pdef)
    keys = list(pdef.get_partition_keys())
    filled = keys if args.kind == "static" else keys[: int(len(keys) * HOURLY_FRACTION)]
    start = now()
    (fill_dagster if args.impl == "dagster" else fill_headwater)(dg, instance, asset, filled)
    fill_s = now() - start
    instance.dispose()
    del instance
    gc.collect()

    instance = dg.DagsterInstance.get()  # reopened: nothing of the fill cached in memory
    cold_def = partitions_def(dg, args.kind, args.n)
    cold_keys = list(cold_def.get_partition_keys()) if args.impl == "dagster" else None
    cold_ms, done = status_once(args.impl, instance, asset, cold_def, cold_keys)
    assert done == len(filled), (done, len(filled))
    warm = [status_once(args.impl, instance, asset, pdef, keys)[0] for _ in range(args.repeat)]
    return {"kind": args.kind, "partitions": len(keys), "materialized": len(filled),
            "fill_s": round(fill_s, 2), "cold_ms": round(cold_ms, 1),
            "warm_ms": round(statistics.median(warm), 1),
            "warm_ms_all": [round(w, 1) for w in warm],
            "status_ms": round(max(cold_ms, statistics.median(warm)), 1)}


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_memory(dg, args) -> dict:
    import tracemalloc

    from headwater.execution.backfill import execute_backfill, launch_backfill

    fresh_home()
    instance = dg.DagsterInstance.get()
    pdef = partitions_def(dg, "static", args.n)
    asset = make_asset(dg, pdef)
    defs = dg.Definitions(assets=[asset])
    if args.tracemalloc:
        tracemalloc.start()
    samples: dict[int, dict] = {}
    t0 = now()

    def on_progress(progress) -> None:
        if progress.runs and (progress.runs % 1000 == 0 or progress.runs == args.n):
            sample = {"rss_mb": round(current_rss_mb(), 1), "peak_rss_mb": round(peak_rss_mb(), 1),
                      "s": round(now() - t0, 1)}
            if args.tracemalloc:
                sample["traced_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 2)
            samples[progress.runs] = sample

    backfill = launch_backfill(defs, [asset.key], instance=instance, all_partitions=True,
                               max_partitions_per_run=1)
    final = execute_backfill(defs, backfill.backfill_id, instance=instance,
                             on_progress=on_progress)
    elapsed = now() - t0
    assert final.status.value == "COMPLETED_SUCCESS", final.status
    first, last = samples[min(samples)], samples[max(samples)]
    record = {"partitions": args.n, "seconds": round(elapsed, 1),
              "ms_per_run": round(elapsed * 1000 / args.n, 2), "tracemalloc": args.tracemalloc,
              "samples": samples,
              "rss_growth_mb": round(last["rss_mb"] - first["rss_mb"], 1),
              "rss_growth_pct": round((last["rss_mb"] / first["rss_mb"] - 1) * 100, 2),
              "rss_at_end_mb": last["rss_mb"], "peak_rss_mb": last["peak_rss_mb"]}
    for runs in (1000, 5000):
        if runs in samples:
            record[f"rss_at_{runs // 1000}k_mb"] = samples[runs]["rss_mb"]
    if args.tracemalloc:
        record["traced_growth_mb"] = round(last["traced_mb"] - first["traced_mb"], 2)
    return record


def main() -> None:
    args = parse_args(
        __doc__,
        mode={"default": "status", "choices": ["status", "memory"]},
        kind={"default": "static", "choices": ["static", "hourly"]},
        repeat={"type": int, "default": 5, "help": "warm status calls (median kept)"},
        tracemalloc={"action": "store_true", "help": "memory mode: also trace the Python heap"},
    )
    dg = load(args.impl)
    record = run_status(dg, args) if args.mode == "status" else run_memory(dg, args)
    emit({"workload": "w5b", "impl": args.impl, "version": version(dg), "mode": args.mode,
          **record})


if __name__ == "__main__":
    main()
