"""W1 cold start: (a) a fresh process running `import <impl>`; (b) a fresh process that imports the
library and materializes one asset into a persistent instance. Whole-process wall times, median.

    python bench/w1_cold_start.py --impl dagster --runs 5
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from _dag import emit, parse_args

# Run in the child process: the whole thing is timed from outside, interpreter start included.
MATERIALIZE_ONE = """
import importlib, sys
dg = importlib.import_module(sys.argv[1])

@dg.asset
def one():
    return 1

result = dg.materialize([one], instance=dg.DagsterInstance.get())
assert result.success
"""


def wall_ms(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        raise SystemExit(f"child failed ({proc.returncode}): {tail}")
    return elapsed


def main() -> None:
    args = parse_args(__doc__, runs={"type": int, "default": 5, "help": "runs per measurement"})
    py = sys.executable
    # Users' interpreters cache bytecode; this machine's environment may turn that off.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for argv in ([py, "-c", "pass"], [py, "-c", f"import {args.impl}"]):
        wall_ms(argv, env)  # warm-up: writes .pyc files, fills the OS file cache

    bare = [wall_ms([py, "-c", "pass"], env) for _ in range(args.runs)]
    imports = [wall_ms([py, "-c", f"import {args.impl}"], env) for _ in range(args.runs)]

    materialize = []
    for _ in range(args.runs + 1):  # the first run is a warm-up
        with tempfile.TemporaryDirectory(prefix="hw-bench-") as home:
            env_home = dict(env, DAGSTER_HOME=home, HEADWATER_HOME=home)
            materialize.append(wall_ms([py, "-c", MATERIALIZE_ONE, args.impl], env_home))
    materialize = materialize[1:]

    emit(
        {
            "workload": "w1",
            "impl": args.impl,
            "runs": args.runs,
            "python_startup_ms": round(statistics.median(bare), 1),
            "import_ms": round(statistics.median(imports), 1),
            "import_ms_all": [round(x, 1) for x in imports],
            "materialize_one_ms": round(statistics.median(materialize), 1),
            "materialize_one_ms_all": [round(x, 1) for x in materialize],
        }
    )


if __name__ == "__main__":
    main()
