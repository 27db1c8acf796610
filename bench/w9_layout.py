"""W9 layout: the server-side asset-graph layout (headwater.web.layout) on a synthetic graph.

The graph: N assets in layers of WIDTH (10), N/200 groups of consecutive assets, each asset
past the first layer depending on 1-3 assets of earlier layers (mostly the previous one, some
up to 4 layers back), node ids shuffled so that the input order says nothing about the layers.
Per size, the median over `--repeat` runs of:

  cold_s        layout_graph(...) with groups (and cold_cpu_s: its CPU time)
  hash_s        graph_hash(...) (the HTTP ETag; this and the next two: median of 3x the runs)
  cached_s      LayoutCache.layout(...) on a hit: hash + lookup (the API's repeated request)
  cached_by_key_s  the same with key= (a snapshot id the caller has): lookup only
  collapse_s    collapse_groups(...) + layout of the group graph (the UI's default past a few
                thousand assets)

One JSON line per size (goals: 10,000 < 0.3 s and 100,000 < 3 s cold, < 50 ms cached):

    python bench/w9_layout.py [--sizes 1000,10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from _dag import WIDTH, emit, now, peak_rss_mb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from headwater.web.layout import (  # noqa: E402
    LayoutCache,
    LayoutOptions,
    collapse_groups,
    graph_hash,
    layout_graph,
)

GROUP_SIZE = 200


def synthetic_graph(n: int, seed: int = 0) -> tuple[list[str], list[tuple[int, int]], list[str]]:
    """(node_ids, edges, groups) of the W9 graph; deterministic for a seed."""
    rng = random.Random(seed)
    perm = list(range(n))  # layered index -> position in the input
    rng.shuffle(perm)
    node_ids = [""] * n
    groups = [""] * n
    for i in range(n):
        node_ids[perm[i]] = f"asset_{i:06d}"
        groups[perm[i]] = f"group_{i // GROUP_SIZE:04d}"
    edges: list[tuple[int, int]] = []
    for i in range(WIDTH, n):
        layer = i // WIDTH
        ups: set[int] = set()
        for _ in range(rng.randint(1, 3)):
            back = 1 if rng.random() < 0.8 else rng.randint(1, min(4, layer))
            ups.add((layer - back) * WIDTH + rng.randrange(WIDTH))
        edges.extend((perm[u], perm[i]) for u in sorted(ups))
    return node_ids, edges, groups


def timed(fn, repeat: int) -> float:
    return timed_cpu(fn, repeat)[0]


def timed_cpu(fn, repeat: int) -> tuple[float, float]:
    """Medians of wall and CPU time: on a shared machine the CPU time shows the work when the
    wall time also counts waiting for a core."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = now(), time.process_time()
        fn()
        walls.append(now() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def measure(n: int, repeat: int, options: LayoutOptions) -> dict:
    node_ids, edges, groups = synthetic_graph(n)
    record: dict = {"workload": "w9_layout", "impl": "headwater", "n": n, "edges": len(edges),
                    "groups": len(set(groups)), "repeat": repeat,
                    "sweeps": options.sweeps}
    record["cold_s"], record["cold_cpu_s"] = timed_cpu(
        lambda: layout_graph(node_ids, edges, groups, options), repeat)
    quick = max(3 * repeat, 9)  # the cheap measurements are noisier: more runs
    record["hash_s"] = timed(lambda: graph_hash(node_ids, edges, groups, options), quick)
    cache = LayoutCache()
    cache.layout(node_ids, edges, groups, options)
    record["cached_s"] = timed(lambda: cache.layout(node_ids, edges, groups, options), quick)
    cache.layout(node_ids, edges, groups, options, key="snapshot-id")
    record["cached_by_key_s"] = timed(
        lambda: cache.layout(node_ids, edges, groups, options, key="snapshot-id"), quick)

    def collapsed() -> None:
        c = collapse_groups(node_ids, edges, groups)
        layout_graph(c.node_ids, c.edges, c.groups, options)

    record["collapse_s"] = timed(collapsed, quick)
    layout = layout_graph(node_ids, edges, groups, options)
    record["layers"] = layout.layer_count
    record["width"] = layout.width
    record["height"] = layout.height
    for key in ("cold_s", "cold_cpu_s", "hash_s", "cached_s", "collapse_s"):
        record[key] = round(record[key], 4)
    record["cached_by_key_s"] = round(record["cached_by_key_s"], 7)
    record["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sweeps", type=int, default=LayoutOptions().sweeps,
                        help="barycenter sweep pairs (LayoutOptions.sweeps)")
    args = parser.parse_args()
    options = LayoutOptions(sweeps=args.sweeps)
    for n in (int(s) for s in args.sizes.split(",")):
        emit(measure(n, args.repeat, options))


if __name__ == "__main__":
    main()
