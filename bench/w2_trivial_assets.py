"""W2: materialize N trivial assets (layered DAG, width 10, two inputs each, default IO manager).

Persistent SQLite instance in a fresh DAGSTER_HOME/HEADWATER_HOME by default; `--ephemeral`
materializes without an instance. Times `materialize()` only (not process start, import or
instance creation); by default a one-asset warm-up run first pays the one-time costs.

    python bench/w2_trivial_assets.py --impl dagster --n 100 [--ephemeral] [--no-warmup]
"""

from __future__ import annotations

from _dag import dir_bytes, emit, fresh_home, layered_assets, load, now, parse_args, version


def main() -> None:
    args = parse_args(
        __doc__,
        ephemeral={"action": "store_true", "help": "no instance: materialize(assets)"},
        no_warmup={"action": "store_true", "help": "time the first materialize() of the process"},
    )
    home = fresh_home()
    dg = load(args.impl)
    instance = None if args.ephemeral else dg.DagsterInstance.get()

    warmup_ms = None
    if not args.no_warmup:

        @dg.asset
        def warmup():
            return 0

        start = now()
        dg.materialize([warmup], instance=instance)
        warmup_ms = (now() - start) * 1000

    assets = layered_assets(dg, args.n)
    bytes_before = dir_bytes(home)
    start = now()
    result = dg.materialize(assets, instance=instance)
    elapsed = now() - start
    assert result.success

    record = {
        "workload": "w2",
        "impl": args.impl,
        "version": version(dg),
        "n": args.n,
        "ephemeral": args.ephemeral,
        "warmup_ms": None if warmup_ms is None else round(warmup_ms, 1),
        "materialize_s": round(elapsed, 4),
        "ms_per_asset": round(elapsed * 1000 / args.n, 3),
        "events_per_asset": round(len(result.all_events) / args.n, 2),
    }
    if instance is not None:
        record["logs_per_asset"] = round(len(instance.all_logs(result.run_id)) / args.n, 2)
        record["bytes_per_asset"] = round((dir_bytes(home) - bytes_before) / args.n)
    emit(record)


if __name__ == "__main__":
    main()
