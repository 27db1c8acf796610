"""W5: backfill a daily-partitioned asset and its daily downstream over 365 days.

    python bench/w5_partitions.py --impl dagster --mode runs [--sample 30]
    python bench/w5_partitions.py --impl dagster --mode single
    python bench/w5_partitions.py --impl headwater --mode runs|single|backfill-runs|backfill-single

Two assets on `DailyPartitionsDefinition(start_date="2023-01-01", end_date="2024-01-01")` (365
days): `upstream`, and `downstream` with `deps=[upstream]`. Both return `MaterializeResult()`
(Dagster's default IO manager cannot store a range of partitions, so the single run stores no
values, and the per-partition runs do the same so that both modes run the same assets).
Persistent SQLite instance (`DagsterInstance.get()` in a fresh DAGSTER_HOME=HEADWATER_HOME).

Modes (ms per partition; each partition is two asset materializations):

* `runs`: one `materialize([upstream, downstream], partition_key=k, instance=...)` per day, the
  first `--sample` days (all 365 by default). The like-for-like per-partition comparison.
* `single`: one `materialize` of all 365 days with the range tags
  `dagster/asset_partition_range_start` / `_end`.
* `backfill-runs` / `backfill-single` (Headwater): `launch_backfill(..., all_partitions=True,
  max_partitions_per_run=1 | None)` then `execute_backfill`, launch included in the time.

Before the timed part, a warm-up run materializes one partition of a separate copy of the two
assets on the same instance (imports and first-use costs are not timed, as in W2). Afterwards
the instance must report all timed partitions of `downstream` materialized.
"""

from __future__ import annotations

import statistics

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


def make_assets(dg, prefix: str = ""):
    daily = dg.DailyPartitionsDefinition(start_date="2023-01-01", end_date="2024-01-01")

    @dg.asset(name=f"{prefix}upstream", partitions_def=daily)
    def upstream():
        return dg.MaterializeResult()

    @dg.asset(name=f"{prefix}downstream", partitions_def=daily, deps=[upstream])
    def downstream():
        return dg.MaterializeResult()

    return daily, upstream, downstream


def main() -> None:
    args = parse_args(
        __doc__,
        mode={"default": "runs",
              "choices": ["runs", "single", "backfill-runs", "backfill-single"]},
        sample={"type": int, "default": 0, "help": "runs mode: time only the first N days"},
    )
    dg = load(args.impl)
    fresh_home()
    instance = dg.DagsterInstance.get()
    daily, upstream, downstream = make_assets(dg)
    _wdaily, wup, wdown = make_assets(dg, "warm_")
    keys = daily.get_partition_keys()
    assert len(keys) == 365, len(keys)

    warm_start = now()
    assert dg.materialize([wup, wdown], partition_key=keys[0], instance=instance).success
    warmup_ms = (now() - warm_start) * 1000

    record: dict = {"workload": "w5", "impl": args.impl, "version": version(dg),
                    "mode": args.mode, "warmup_ms": round(warmup_ms, 1)}
    timed = keys
    per_run_ms: list[float] = []
    start = now()
    if args.mode == "runs":
        timed = keys[: args.sample] if args.sample else keys
        for key in timed:
            t0 = now()
            result = dg.materialize([upstream, downstream], partition_key=key, instance=instance)
            per_run_ms.append((now() - t0) * 1000)
            assert result.success, key
    elif args.mode == "single":
        tags = {RANGE_START: keys[0], RANGE_END: keys[-1]}
        result = dg.materialize([upstream, downstream], instance=instance, tags=tags)
        assert result.success
    else:
        from headwater.execution.backfill import execute_backfill, launch_backfill

        defs = dg.Definitions(assets=[upstream, downstream])
        per_run = 1 if args.mode == "backfill-runs" else None
        backfill = launch_backfill(defs, [upstream.key, downstream.key], instance=instance,
                                   all_partitions=True, max_partitions_per_run=per_run)
        final = execute_backfill(defs, backfill.backfill_id, instance=instance)
        assert final.status.value == "COMPLETED_SUCCESS", final.status
        record["runs"] = len(instance.get_backfill_runs(backfill.backfill_id))
    elapsed = now() - start

    done = instance.get_materialized_partitions(downstream.key)
    assert set(timed) <= set(done), (len(timed), len(done))
    record.update({
        "partitions": len(timed),
        "seconds": round(elapsed, 4),
        "ms_per_partition": round(elapsed * 1000 / len(timed), 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    })
    if per_run_ms:
        record["median_run_ms"] = round(statistics.median(per_run_ms), 3)
        record["first_run_ms"] = round(per_run_ms[0], 3)
    emit(record)


if __name__ == "__main__":
    main()
