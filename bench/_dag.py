"""Shared helpers for the benchmark workloads: pick the library, build the layered DAG, report.

Every workload runs unchanged against Headwater or Dagster: the library is chosen by module name
(`--impl headwater` or `--impl dagster`) and only its public, Dagster-compatible API is used.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from types import ModuleType

WIDTH = 10  # assets per layer

# Run tags of a run over a range of partitions (Dagster's names).
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def parse_args(description: str, n_default: int = 100, **extra: dict) -> argparse.Namespace:
    """Common flags (`--impl`, `--n`) plus any extra ones given as name -> add_argument kwargs."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--impl", default="headwater", help="module to benchmark: headwater|dagster"
    )
    parser.add_argument("--n", type=int, default=n_default, help="number of assets")
    for name, kwargs in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", **kwargs)
    return parser.parse_args()


def load(impl: str) -> ModuleType:
    return importlib.import_module(impl)


def fresh_home() -> str:
    """A new empty home directory, set as both DAGSTER_HOME and HEADWATER_HOME; removed at exit."""
    home = tempfile.mkdtemp(prefix="hw-bench-")
    atexit.register(shutil.rmtree, home, True)
    os.environ["DAGSTER_HOME"] = home
    os.environ["HEADWATER_HOME"] = home
    return home


def key_name(i: int) -> str:
    return f"a{i:06d}"


def parents(i: int) -> tuple[int, ...]:
    """Indices of asset i's two upstream assets: the same and the next column of the layer above."""
    layer, col = divmod(i, WIDTH)
    if layer == 0:
        return ()
    base = (layer - 1) * WIDTH
    return (base + col, base + (col + 1) % WIDTH)


def _root_fn():
    return 1


def _child_fn(left, right):
    return left + right


def make_asset(dg: ModuleType, i: int, use_deps: bool = False):
    """Asset i of the layered DAG. With `use_deps` the edges are `deps=` (no data passed)."""
    ups = parents(i)
    if not ups:
        return dg.asset(name=key_name(i))(_root_fn)
    if use_deps:
        return dg.asset(name=key_name(i), deps=[key_name(u) for u in ups])(_root_fn)
    ins = {
        "left": dg.AssetIn(key=key_name(ups[0])),
        "right": dg.AssetIn(key=key_name(ups[1])),
    }
    return dg.asset(name=key_name(i), ins=ins)(_child_fn)


def make_prefixed_asset(dg: ModuleType, i: int, prefix: str):
    """Asset i of the layered DAG with every key (its own and its inputs') `[prefix, name]`."""
    ups = parents(i)
    if not ups:
        return dg.asset(name=key_name(i), key_prefix=[prefix])(_root_fn)
    ins = {"left": dg.AssetIn(key=dg.AssetKey([prefix, key_name(ups[0])])),
           "right": dg.AssetIn(key=dg.AssetKey([prefix, key_name(ups[1])]))}
    return dg.asset(name=key_name(i), key_prefix=[prefix], ins=ins)(_child_fn)


def layered_assets(dg: ModuleType, n: int, use_deps: bool = False,
                   prefix: str | None = None) -> list:
    """N assets, WIDTH per layer, each depending on two assets of the previous layer."""
    if prefix:
        return [make_prefixed_asset(dg, i, prefix) for i in range(n)]
    return [make_asset(dg, i, use_deps) for i in range(n)]


def dir_bytes(path: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def now() -> float:
    return time.perf_counter()


def version(dg: ModuleType) -> str:
    return str(getattr(dg, "__version__", "?"))


def emit(record: dict) -> None:
    """The one JSON line a workload prints on stdout; compare.py reads the last line."""
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()
