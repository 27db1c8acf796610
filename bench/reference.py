"""The floor for W2: the same layered DAG as plain function calls, no orchestrator.

Each asset's inputs are unpickled from their files, the function is called, its value is pickled
to its own file, and four event rows are appended to SQLite (WAL, one connection, one commit per
asset). An orchestrator's per-asset cost is judged against this.

Durability must match the orchestrator under test, or the floor measures fsync rather than
orchestration: Headwater's SQLite runs WAL with `synchronous=NORMAL` (a commit survives a crash of
the process, not of the machine; no fsync per commit), so that is the default here.
`--synchronous FULL` fsyncs the WAL at every commit (SQLite's default, and what Dagster's SQLite
storage gets); on this machine that alone costs ~0.4 ms per commit.

    python bench/reference.py --n 100 [--synchronous FULL]
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import time
import uuid

from _dag import (
    _child_fn,
    _root_fn,
    dir_bytes,
    emit,
    fresh_home,
    key_name,
    now,
    parents,
    parse_args,
)

SCHEMA = """
CREATE TABLE runs (run_id TEXT PRIMARY KEY, status TEXT, start_time REAL, end_time REAL);
CREATE TABLE event_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT, step_key TEXT, event_type TEXT,
    timestamp REAL, body TEXT
);
CREATE INDEX idx_event_logs_run ON event_logs (run_id, id);
"""
INSERT = "INSERT INTO event_logs (run_id, step_key, event_type, timestamp, body) VALUES (?,?,?,?,?)"


def run(home: str, n: int, conn: sqlite3.Connection) -> None:
    run_id = str(uuid.uuid4())
    storage = os.path.join(home, "storage")
    os.makedirs(storage, exist_ok=True)
    conn.execute("INSERT INTO runs VALUES (?, 'STARTED', ?, NULL)", (run_id, time.time()))
    conn.commit()
    for i in range(n):
        key = key_name(i)
        started = time.time()
        values = []
        for up in parents(i):
            with open(os.path.join(storage, key_name(up)), "rb") as f:
                values.append(pickle.load(f))
        value = _child_fn(*values) if values else _root_fn()
        path = os.path.join(storage, key)
        with open(path, "wb") as f:
            pickle.dump(value, f)
        done = time.time()
        bodies = [
            ("STEP_START", started, {}),
            ("HANDLED_OUTPUT", done, {"output": "result", "path": path}),
            ("ASSET_MATERIALIZATION", done, {"asset_key": [key], "metadata": {"path": path}}),
            ("STEP_SUCCESS", done, {"duration_ms": (done - started) * 1000}),
        ]
        rows = [(run_id, key, kind, ts, json.dumps(body)) for kind, ts, body in bodies]
        conn.executemany(INSERT, rows)
        conn.commit()
    conn.execute(
        "UPDATE runs SET status = 'SUCCESS', end_time = ? WHERE run_id = ?", (time.time(), run_id)
    )
    conn.commit()


def measure(n: int, synchronous: str) -> dict:
    """One run of the DAG on a fresh home: seconds, events and bytes added to the home."""
    home = fresh_home()
    conn = sqlite3.connect(os.path.join(home, "events.db"))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.executescript(SCHEMA)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    bytes_before = dir_bytes(home)
    start = now()
    run(home, n, conn)
    elapsed = now() - start
    events = conn.execute("SELECT count(*) FROM event_logs").fetchone()[0]
    conn.close()  # checkpoints the WAL into the database file
    return {"s": elapsed, "events": events, "bytes": dir_bytes(home) - bytes_before}


def main() -> None:
    args = parse_args(
        __doc__,
        repeat={"type": int, "default": 5, "help": "runs; median kept"},
        synchronous={
            "default": "NORMAL",
            "choices": ["NORMAL", "FULL"],
            "help": "SQLite synchronous (NORMAL: as Headwater; FULL: fsync per commit)",
        },
    )
    runs = sorted(
        (measure(args.n, args.synchronous) for _ in range(args.repeat)), key=lambda r: r["s"]
    )
    mid = runs[len(runs) // 2]
    emit(
        {
            "workload": "reference",
            "impl": "reference",
            "n": args.n,
            "synchronous": args.synchronous,
            "repeat": args.repeat,
            "materialize_s": round(mid["s"], 4),
            "ms_per_asset": round(mid["s"] * 1000 / args.n, 3),
            "ms_per_asset_all": [round(r["s"] * 1000 / args.n, 3) for r in runs],
            "events_per_asset": round(mid["events"] / args.n, 2),
            "logs_per_asset": round(mid["events"] / args.n, 2),
            "bytes_per_asset": round(mid["bytes"] / args.n),
        }
    )


if __name__ == "__main__":
    main()
