"""Where W2's per-asset time goes in Headwater: wall-clock self time of a few hot functions.

Wraps the functions below with timers (self time: a wrapped callee's time is taken out of its
wrapped caller), runs W2 once after a warm-up, and prints µs/asset per bucket. The timers add
~10-20% overall: use it for proportions, `compare.py` for totals. Buckets whose functions no
longer exist in Headwater are skipped (and listed), so the script survives refactors.

    .venv/bin/python bench/profile_w2.py --n 1000
    .venv/bin/python -m cProfile -s tottime bench/w2_trivial_assets.py --n 1000   # all functions
"""

from __future__ import annotations

import collections
import functools
import importlib
import time

from _dag import fresh_home, layered_assets, load, parse_args
from w2_trivial_assets import warm_up

# label -> where to find it: the first (module, attribute path) that exists is wrapped.
_PICKLE = "headwater.execution.pickle_io"  # the default IO manager's code since 2989f5b
_FS_IO = "headwater.execution.io_managers"  # before: FilesystemIOManager
_SA = "sqlalchemy.engine.base"
TARGETS = [
    (
        "IO manager handle_output: mkdir, pickle, write tmp file, rename",
        [(_PICKLE, "store_pickle"), (_FS_IO, "FilesystemIOManager.handle_output")],
    ),
    (
        "IO manager load_input: open + unpickle (x2 inputs)",
        [(_PICKLE, "load_pickle"), (_FS_IO, "FilesystemIOManager.load_input")],
    ),
    ("SQL INSERTs through SQLAlchemy (events, asset index)", [(_SA, "Connection.execute")]),
    ("SQLite COMMIT (WAL write, no fsync)", [(_SA, "Connection._commit_impl")]),
    ("SQLite BEGIN IMMEDIATE", [(_SA, "Connection.exec_driver_sql")]),
    ("events: encode rows (orjson bodies)", [("headwater.storage.event_storage", "encode_entry")]),
    (
        "events: store_events own Python",
        [("headwater.storage.event_storage", "EventLogStorage.store_events")],
    ),
    ("events: build Event + EventLogEntry", [("headwater.execution.run", "RunContext.emit")]),
    ("context: AssetExecutionContext", [("headwater.execution.step", "AssetExecutionContext")]),
    ("context: InputContext", [("headwater.execution.step", "InputContext")]),
    ("context: OutputContext", [("headwater.execution.step", "OutputContext")]),
    ("outputs: collect()", [("headwater.execution.step", "collect")]),
    ("types: type checks", [("headwater.execution.step", "_check_type")]),
    ("step machinery (the rest of attempt_step)", [("headwater.execution.run", "attempt_step")]),
]


def main() -> None:
    args = parse_args(__doc__)
    dg = load(args.impl)
    totals: dict[str, float] = collections.defaultdict(float)
    calls: collections.Counter[str] = collections.Counter()
    inner: list[float] = []
    skipped = []

    def wrap(owner, attr: str, label: str) -> None:
        orig = getattr(owner, attr)

        @functools.wraps(orig)
        def timed(*a, **k):
            start = time.perf_counter()
            inner.append(0.0)
            try:
                return orig(*a, **k)
            finally:
                took = time.perf_counter() - start
                totals[label] += took - inner.pop()
                calls[label] += 1
                if inner:
                    inner[-1] += took

        setattr(owner, attr, timed)

    for label, places in TARGETS:
        for module, path in places:
            try:
                owner = importlib.import_module(module)
                *outer, attr = path.split(".")
                for part in outer:
                    owner = getattr(owner, part)
                getattr(owner, attr)
            except (ImportError, AttributeError):
                continue
            wrap(owner, attr, label)
            break
        else:
            skipped.append(label)

    fresh_home()
    instance = dg.DagsterInstance.get()

    warm_up(dg, instance)
    totals.clear()
    calls.clear()
    assets = layered_assets(dg, args.n)
    start = time.perf_counter()
    dg.materialize(assets, instance=instance)
    total = time.perf_counter() - start
    n = args.n
    print(f"N={n}: {total * 1e6 / n:.0f} µs/asset with timers ({total:.2f} s)")
    for label, secs in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{secs * 1e6 / n:8.1f} µs/asset  {calls[label] / n:5.2f} calls/asset  {label}")
    rest = total - sum(totals.values())
    print(
        f"{rest * 1e6 / n:8.1f} µs/asset               run level: plan, run row, resources, result"
    )
    if skipped:
        print("not found (renamed?):", ", ".join(skipped))


if __name__ == "__main__":
    main()
