"""Where W1b's fresh process spends its time: the phases of `import + materialize one asset` on
an empty home (interpreter start and shutdown included), which third-party packages each phase
loads, and what importing each of those costs on its own. Medians of `--runs`.

    .venv/bin/python bench/profile_w1.py [--runs 5]
    .venv/bin/python -X importtime -c "import headwater"      # the import tree itself
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

# Exactly W1b's child (w1_cold_start.py), with a timestamp after each line.
CHILD = r"""
import sys, time
T, SEEN = [("first line", time.time(), [])], set(sys.modules)
def mark(name):
    new = {m.split(".")[0] for m in sys.modules} - {m.split(".")[0] for m in SEEN}
    SEEN.update(sys.modules)
    T.append((name, time.time(), sorted(new)))
import headwater as dg
mark("import headwater")
@dg.asset
def one():
    return 1
mark("@asset")
instance = dg.DagsterInstance.get()
mark("DagsterInstance.get() on an empty home")
result = dg.materialize([one], instance=instance)
mark("materialize([one])")
import json
sys.stderr.write(json.dumps(T) + "\n")
"""
HEAVY = ("sqlalchemy", "alembic", "pydantic", "asyncio", "mako", "orjson", "yaml", "croniter")


def env_without_bytecode_ban() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def one(py: str) -> tuple[list[tuple[str, float]], dict[str, list[str]]]:
    env = env_without_bytecode_ban()
    with tempfile.TemporaryDirectory(prefix="hw-bench-") as home:
        env.update(HEADWATER_HOME=home, DAGSTER_HOME=home)
        start = time.time()
        proc = subprocess.run([py, "-c", CHILD], env=env, capture_output=True, text=True)
        end = time.time()
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    marks = json.loads(proc.stderr.strip().splitlines()[-1])  # [name, epoch s, new packages]
    phases = [("interpreter start", (marks[0][1] - start) * 1000)]
    phases += [(b[0], (b[1] - a[1]) * 1000) for a, b in zip(marks, marks[1:], strict=False)]
    phases.append(("interpreter shutdown (after the last line)", (end - marks[-1][1]) * 1000))
    phases.append(("total wall", (end - start) * 1000))
    loaded = {m[0]: [p for p in m[2] if p in HEAVY] for m in marks[1:]}
    return phases, loaded


def import_ms(py: str, module: str, runs: int) -> float:
    """Median wall time of `python -c "import module"`, bare interpreter start subtracted."""

    def wall(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([py, "-c", code], env=env_without_bytecode_ban(), check=True)
        return (time.perf_counter() - start) * 1000

    wall(f"import {module}")
    bare = statistics.median(wall("pass") for _ in range(runs))
    return statistics.median(wall(f"import {module}") for _ in range(runs)) - bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    one(py)  # warm-up: .pyc files, OS file cache
    runs = [one(py) for _ in range(args.runs)]
    loaded = runs[0][1]
    print("phase medians (third-party packages first loaded in the phase):")
    for i, (name, _) in enumerate(runs[0][0]):
        extra = ", ".join(loaded.get(name, []))
        ms = statistics.median(r[0][i][1] for r in runs)
        print(f"{ms:8.1f} ms  {name}" + (f"  [{extra}]" if extra else ""))
    print("standalone import cost of each (python -c 'import X' minus python -c pass):")
    for pkg in sorted({p for ps in loaded.values() for p in ps}):
        print(f"{import_ms(py, pkg, args.runs):8.1f} ms  {pkg}")


if __name__ == "__main__":
    main()
