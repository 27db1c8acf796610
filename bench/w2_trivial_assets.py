"""W2: materialize N trivial assets (layered DAG, width 10, two inputs each, default IO manager).

Persistent SQLite instance in a fresh DAGSTER_HOME/HEADWATER_HOME by default; `--ephemeral`
materializes without an instance. Times `materialize()` only (not process start, import or
instance creation); by default a one-asset warm-up run on the same instance first pays the
one-time costs. `--repeat R` does R such runs in this process, each in its own fresh home, and
reports the median.

Storage bytes/asset are measured with the instance closed (`dispose()`, so SQLite's WAL is
checkpointed into the database file and removed): the home after warm-up + timed run, minus a
home that saw only the warm-up (closed too), divided by N. `open_bytes_per_asset` is the growth
while the instance is still open (WAL included), which overstates small N: SQLite keeps a WAL
file of up to ~4 MB until the last connection closes.

    python bench/w2_trivial_assets.py --impl dagster --n 100 [--ephemeral] [--no-warmup]
"""

from __future__ import annotations

from types import ModuleType

from _dag import dir_bytes, emit, fresh_home, layered_assets, load, now, parse_args, version
from _pg import configure_home, new_database, open_instance, server_url


def warm_up(dg: ModuleType, instance) -> float:
    """One one-asset materialize on `instance`; its wall time in ms."""

    @dg.asset
    def warmup():
        return 0

    start = now()
    dg.materialize([warmup], instance=instance)
    return (now() - start) * 1000


def closed_baseline(dg: ModuleType, warmup: bool) -> int:
    """Bytes of a fresh home that saw only what precedes the timed run, instance closed."""
    home = fresh_home()
    instance = dg.DagsterInstance.get()
    if warmup:
        warm_up(dg, instance)
    instance.dispose()
    return dir_bytes(home)


def one_run(dg: ModuleType, n: int, ephemeral: bool, warmup: bool, baseline: int,
            pg_server: str | None) -> dict:
    home = fresh_home()
    db_url = new_database(pg_server, "w2") if pg_server else None
    configure_home(dg, home, db_url)
    instance = None if ephemeral else open_instance(dg)
    warmup_ms = warm_up(dg, instance) if warmup else None

    assets = layered_assets(dg, n)
    open_before = dir_bytes(home)
    start = now()
    result = dg.materialize(assets, instance=instance)
    elapsed = now() - start
    assert result.success

    record = {
        "warmup_ms": None if warmup_ms is None else round(warmup_ms, 1),
        "materialize_s": round(elapsed, 4),
        "ms_per_asset": round(elapsed * 1000 / n, 3),
        "events_per_asset": round(len(result.all_events) / n, 2),
    }
    if instance is not None:
        record["logs_per_asset"] = round(len(instance.all_logs(result.run_id)) / n, 2)
        if db_url is None:  # SQLite: the database is in the home
            record["open_bytes_per_asset"] = round((dir_bytes(home) - open_before) / n)
            instance.dispose()
            record["bytes_per_asset"] = round((dir_bytes(home) - baseline) / n)
        else:
            instance.dispose()
    return record


def main() -> None:
    args = parse_args(
        __doc__,
        ephemeral={"action": "store_true", "help": "no instance: materialize(assets)"},
        no_warmup={"action": "store_true", "help": "time the first materialize() of the process"},
        repeat={"type": int, "default": 1, "help": "runs (each in a fresh home); median kept"},
        postgres={"action": "store_true", "help": "instance on PostgreSQL (a server of its own)"},
        postgres_url={"help": "instance on this PostgreSQL server (URL of its postgres database)"},
    )
    dg = load(args.impl)
    warmup = not args.no_warmup
    pg = server_url(args.postgres_url) if args.postgres or args.postgres_url else None
    baseline = 0 if args.ephemeral or pg else closed_baseline(dg, warmup)
    runs = [one_run(dg, args.n, args.ephemeral, warmup, baseline, pg) for _ in range(args.repeat)]
    mid = sorted(runs, key=lambda r: r["ms_per_asset"])[len(runs) // 2]

    record = {
        "workload": "w2",
        "impl": args.impl,
        "version": version(dg),
        "n": args.n,
        "ephemeral": args.ephemeral,
        "storage": "postgres" if pg else "sqlite",
        "repeat": args.repeat,
        **mid,
    }
    if args.repeat > 1:
        record["ms_per_asset_all"] = [r["ms_per_asset"] for r in runs]
    emit(record)


if __name__ == "__main__":
    main()
