"""Server-side layered layout of the asset graph: node ids + edges in, x/y arrays out.

Why on the server: browser layout libraries (dagre, elkjs) take seconds at 1,000 nodes and fail
past ~20,000, so the UI gets coordinates from the API, cached by a hash of the graph, and only
draws. The layout is a plain Sugiyama-style pipeline, every stage linear or bounded:

1. **Cycle breaking.** Asset graphs are DAGs, but a collapsed group graph need not be, and a
   layout must never hang: if a topological sort leaves nodes over, a depth-first search
   (iterative, in node order) reverses its back edges. Self-loops are kept in the output but
   ignored for placement. `GraphLayout.reversed_edges` names the edges that were reversed.
2. **Layering.** Longest path from the sources (sources at layer 0, drawn left to right like a
   lineage view); then each source is pulled right next to its nearest successor, so an
   upstream table read only deep in the graph does not draw an edge across the whole picture.
3. **Crossing reduction.** A bounded number of barycenter sweeps (down then up, `sweeps`
   times, default 2, stopping early when nothing moves). On the benchmark's layered graphs and
   on pipeline-shaped ones the first down+up pair halves the crossings and further pairs change
   nothing measurable, so the default buys no more (each pair costs ~0.25 s at 100,000 nodes).
   Long edges get no dummy nodes: a node's barycenter is the mean relative position of its
   neighbours wherever they are, which keeps the work O(E) per sweep whatever the edge spans.
   With groups, nodes of a group stay contiguous in every layer (groups ordered by their
   members' mean barycenter) and groups are spaced apart.
4. **Coordinates.** Layer -> x. Position in layer -> y by a least-squares compaction: each node
   wants the mean y of its neighbours, subject to the order and a minimum gap (an isotonic
   regression, pool-adjacent-violators, O(layer) per pass): a down pass towards the
   predecessors, then an up pass towards all neighbours.

Edges are not routed: the client draws each edge from the source's right port
(x + node_width, y + node_height / 2) to the target's left port.

Pure Python (the sweeps and the compaction go layer after layer over layers of ~10 nodes, which
numpy cannot vectorise) and deterministic (same input and options -> the same layout); no I/O,
no imports of other Headwater layers. The input is positional: node i is `node_ids[i]`, an
edge is a pair of node indices (upstream, downstream).
"""

from __future__ import annotations

import gc
import hashlib
import json
import marshal
import sys
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from itertools import accumulate, chain, repeat
from operator import add, ge, mul, sub

Edge = tuple[int, int]


@dataclass(frozen=True)
class LayoutOptions:
    """Sizes (in drawing units, e.g. CSS pixels) and the crossing-reduction budget."""

    node_width: float = 240.0
    node_height: float = 48.0
    layer_gap: float = 96.0  # horizontal space between two layers
    node_gap: float = 16.0  # vertical space between two nodes of a layer
    group_gap: float = 32.0  # extra vertical space between two groups in a layer
    sweeps: int = 2  # down+up barycenter sweep pairs, at most (see the module docstring)
    tighten_sources: bool = True  # pull each source next to its nearest successor


@dataclass(frozen=True)
class GraphLayout:
    """The layout as compact parallel arrays, index i being node i of the input.

    `x`, `y` are the top-left corner of each node's box; `layer` its column; `edge_sources` /
    `edge_targets` the edges as given (in input order); `reversed_edges` the indices of the
    edges reversed to break cycles. Shared by `LayoutCache`: treat as read-only.
    """

    node_ids: tuple[str, ...]
    x: tuple[float, ...]
    y: tuple[float, ...]
    layer: tuple[int, ...]
    edge_sources: tuple[int, ...]
    edge_targets: tuple[int, ...]
    reversed_edges: tuple[int, ...]
    layer_count: int
    width: float
    height: float
    options: LayoutOptions
    groups: tuple[str, ...] | None = None

    def group_bounds(self) -> dict[str, tuple[float, float, float, float]]:
        """Bounding box (x0, y0, x1, y1) of each group's nodes. Groups are contiguous within a
        layer but not across layers, so two groups' boxes may overlap."""
        if self.groups is None:
            return {}
        w, h = self.options.node_width, self.options.node_height
        bounds: dict[str, list[float]] = {}
        for g, x, y in zip(self.groups, self.x, self.y, strict=True):
            b = bounds.get(g)
            if b is None:
                bounds[g] = [x, y, x + w, y + h]
            else:
                b[0] = min(b[0], x)
                b[1] = min(b[1], y)
                b[2] = max(b[2], x + w)
                b[3] = max(b[3], y + h)
        return {g: (b[0], b[1], b[2], b[3]) for g, b in bounds.items()}

    def as_dict(self) -> dict[str, object]:
        """JSON-ready arrays (what the API sends; the browser turns them into typed arrays)."""
        return {
            "node_ids": list(self.node_ids),
            "x": list(self.x),
            "y": list(self.y),
            "layer": list(self.layer),
            "edge_sources": list(self.edge_sources),
            "edge_targets": list(self.edge_targets),
            "reversed_edges": list(self.reversed_edges),
            "layer_count": self.layer_count,
            "width": self.width,
            "height": self.height,
            "node_width": self.options.node_width,
            "node_height": self.options.node_height,
            "groups": None if self.groups is None else list(self.groups),
        }


@dataclass(frozen=True)
class CollapsedGraph:
    """A graph with groups collapsed: each collapsed group is one node, each node of an
    expanded group stays itself; `edges[k]` stands for `edge_counts[k]` input edges.

    Per result node: `node_ids` (the group name for a collapsed group, else the input node's
    id), `groups` (its group), `collapsed`, `sizes` (input nodes it stands for) and
    `internal_edges` (input edges inside it, 0 for a single node). `node_of[i]` is the result
    node of input node i. Lay it out with `layout_graph(c.node_ids, c.edges, c.groups)`.
    """

    node_ids: tuple[str, ...]
    groups: tuple[str, ...]
    collapsed: tuple[bool, ...]
    sizes: tuple[int, ...]
    node_of: tuple[int, ...]
    edges: tuple[Edge, ...]
    edge_counts: tuple[int, ...]
    internal_edges: tuple[int, ...]


def collapse_groups(node_ids: Sequence[str], edges: Sequence[Edge], groups: Sequence[str],
                    expanded: Collection[str] = ()) -> CollapsedGraph:
    """Collapse every group not in `expanded` into one node (what the UI shows by default past
    a few thousand assets; the user expands groups one by one).

    Result nodes come in order of first appearance; edges between distinct result nodes are
    aggregated with counts and sorted by (source, target). The result can have cycles (group
    A -> B through one asset pair, B -> A through another); `layout_graph` breaks them.
    """
    if len(groups) != len(node_ids):
        raise ValueError(
            f"collapse_groups: {len(groups)} groups for {len(node_ids)} nodes; give one group "
            "name per node"
        )
    expanded = frozenset(expanded)
    group_node: dict[str, int] = {}
    ids: list[str] = []
    out_groups: list[str] = []
    node_of: list[int] = []
    for node_id, g in zip(node_ids, groups, strict=True):
        if g in expanded:
            node_of.append(len(ids))
            ids.append(node_id)
            out_groups.append(g)
            continue
        k = group_node.get(g)
        if k is None:
            k = group_node[g] = len(ids)
            ids.append(g)
            out_groups.append(g)
        node_of.append(k)
    m = len(ids)
    sizes = [0] * m
    for k in node_of:
        sizes[k] += 1
    internal = [0] * m
    counts: dict[Edge, int] = {}
    n = len(node_ids)
    for s, t in edges:
        _check_edge(s, t, n)
        a, b = node_of[s], node_of[t]
        if a == b:
            internal[a] += 1
        else:
            counts[(a, b)] = counts.get((a, b), 0) + 1
    pairs = sorted(counts)
    collapsed = [g not in expanded for g in out_groups]
    return CollapsedGraph(
        node_ids=tuple(ids),
        groups=tuple(out_groups),
        collapsed=tuple(collapsed),
        sizes=tuple(sizes),
        node_of=tuple(node_of),
        edges=tuple(pairs),
        edge_counts=tuple(counts[p] for p in pairs),
        internal_edges=tuple(internal),
    )


def graph_hash(node_ids: Sequence[str], edges: Sequence[Edge],
               groups: Sequence[str] | None = None,
               options: LayoutOptions | None = None) -> str:
    """A stable hex digest of the graph and the layout options (usable as an HTTP ETag).

    Stable across processes, platforms and Python versions: strings and edges are encoded
    unambiguously and independently of the machine. Any change to a node id, an
    edge, the edge order, a group or an option changes it. Costs tens of milliseconds at
    100,000 nodes; a caller that already has a snapshot id should key `LayoutCache` by that.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(b"headwater-layout-v1\0")
    h.update(_encode_strings(node_ids))
    h.update(_encode_edges(edges))
    h.update(b"null" if groups is None else _encode_strings(groups))
    h.update(json.dumps(asdict(options or LayoutOptions()), sort_keys=True).encode())
    return h.hexdigest()


def _encode_edges(edges: Sequence[Edge]) -> bytes:
    """marshal format 2 (fixed since Python 2.5, little-endian, no back-references, so equal
    values always encode the same) is the fastest exact encoding: ~3x `array`. Pairs given as
    lists encode differently from tuples (a cache miss, never a wrong hit). Values marshal
    refuses (numpy integers) are packed as 64-bit integers instead."""
    try:
        return b"M" + marshal.dumps(list(edges), 2)
    except ValueError:
        packed = array("q", chain.from_iterable(edges))
        if sys.byteorder == "big":
            packed.byteswap()
        return b"A" + len(packed).to_bytes(8, "little") + packed.tobytes()


def _encode_strings(strings: Sequence[str]) -> bytes:
    """Count, then the strings NUL-separated (JSON if one of them holds a NUL), so that no
    two different sequences encode the same."""
    joined = "\0".join(strings)
    if joined.count("\0") != max(len(strings) - 1, 0):
        joined = json.dumps(list(strings))
        return b"J" + len(strings).to_bytes(8, "little") + joined.encode() + b"\0"
    encoded = joined.encode("utf-8", "surrogatepass")
    return b"S" + len(strings).to_bytes(8, "little") + encoded + b"\0"


class LayoutCache:
    """A small thread-safe LRU of layouts keyed by `graph_hash` (or a key the caller already
    has, e.g. a snapshot id plus options), so a repeated request costs a hash, not a layout."""

    def __init__(self, maxsize: int = 8) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[str, GraphLayout] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> GraphLayout | None:
        with self._lock:
            layout = self._entries.get(key)
            if layout is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return layout

    def put(self, key: str, layout: GraphLayout) -> None:
        with self._lock:
            self._entries[key] = layout
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def layout(self, node_ids: Sequence[str], edges: Sequence[Edge],
               groups: Sequence[str] | None = None, options: LayoutOptions | None = None,
               key: str | None = None) -> tuple[str, GraphLayout]:
        """(key, layout): the cached layout if present, else computed and stored. Two threads
        missing the same key at once both compute it (same result); the cache is not a lock."""
        options = options or LayoutOptions()
        if key is None:
            key = graph_hash(node_ids, edges, groups, options)
        cached = self.get(key)
        if cached is not None:
            return key, cached
        with self._lock:
            self.misses += 1
        layout = layout_graph(node_ids, edges, groups, options)
        self.put(key, layout)
        return key, layout

    def __len__(self) -> int:
        return len(self._entries)


def layout_graph(node_ids: Sequence[str], edges: Sequence[Edge],
                 groups: Sequence[str] | None = None,
                 options: LayoutOptions | None = None) -> GraphLayout:
    """Lay out the graph (see the module docstring for the stages). `groups`, one name per
    node, keeps each group's nodes together within a layer and spaces groups apart.

    The cyclic garbage collector is paused meanwhile (and restored): the layout allocates
    hundreds of thousands of small lists that live to the end, which made the collector walk
    them again and again (a third of the time at 100,000 nodes), and it creates no cycles.
    """
    with _gc_paused():
        return _layout_graph(node_ids, edges, groups, options or LayoutOptions())


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _layout_graph(node_ids: Sequence[str], edges: Sequence[Edge], groups: Sequence[str] | None,
                  opts: LayoutOptions) -> GraphLayout:
    n = len(node_ids)
    if groups is not None and len(groups) != n:
        raise ValueError(
            f"layout_graph: {len(groups)} groups for {len(node_ids)} nodes; give one group "
            "name per node, or none"
        )
    if n == 0:
        if edges:
            _check_edge(*edges[0], 0)
        return GraphLayout((), (), (), (), (), (), (), 0, 0.0, 0.0, opts,
                           None if groups is None else ())

    # Stages 1 and 2 on the input numbering: successors only, then the layers.
    succs, indegree = _successors(edges, n, frozenset())
    flipped: frozenset[Edge] = frozenset()
    layer = _longest_path_layers(succs, list(indegree))
    if layer is None:
        flipped = frozenset(_back_edges(succs))
        succs, indegree = _successors(edges, n, flipped)
        layer = _longest_path_layers(succs, list(indegree))
        assert layer is not None, "cycle breaking left a cycle"
    if opts.tighten_sources:
        for v in range(n):
            if not indegree[v] and succs[v]:
                layer[v] = min(map(layer.__getitem__, succs[v])) - 1
    layer_count = max(layer) + 1

    # Stages 3 and 4 on nodes renumbered layer by layer (in input order within a layer): the
    # sweeps then walk memory in order, about 2x faster at 100,000 nodes given in an order
    # unrelated to the layers.
    old_of = sorted(range(n), key=layer.__getitem__)  # stable
    new_of = [0] * n
    for i, v in enumerate(old_of):
        new_of[v] = i
    sizes = Counter(layer)
    r_layers = []
    start = 0
    for i in range(layer_count):
        r_layers.append(list(range(start, start + sizes[i])))
        start += sizes[i]
    r_preds, r_succs, reversed_edges = _renumbered_adjacency(edges, new_of, flipped)
    r_groups = None
    if groups is not None:
        index: dict[str, int] = {}
        r_groups = [index.setdefault(g, len(index)) for g in map(groups.__getitem__, old_of)]
    _reduce_crossings(r_layers, r_preds, r_succs, r_groups, opts.sweeps)
    r_ys = _coordinates(r_layers, r_preds, r_succs, r_groups, opts)

    top = min(r_ys)
    r_ys = [y - top for y in r_ys]
    step = opts.node_width + opts.layer_gap
    layer_x = [i * step for i in range(layer_count)]
    sources, targets = (tuple(c) for c in zip(*edges, strict=True)) if edges else ((), ())
    return GraphLayout(
        node_ids=tuple(node_ids),
        x=tuple(map(layer_x.__getitem__, layer)),
        y=tuple(map(r_ys.__getitem__, new_of)),
        layer=tuple(layer),
        edge_sources=sources,
        edge_targets=targets,
        reversed_edges=reversed_edges,
        layer_count=layer_count,
        width=layer_count * step - opts.layer_gap,
        height=max(r_ys) + opts.node_height,
        options=opts,
        groups=None if groups is None else tuple(groups),
    )


def _check_edge(s: int, t: int, n: int) -> None:
    if not (0 <= s < n and 0 <= t < n):
        raise ValueError(
            f"edge ({s}, {t}) names a node index outside 0..{n - 1}; edges are pairs of indices "
            "into node_ids"
        )


# --- stage 1 and 2: cycle breaking, layering --------------------------------------------------


def _successors(edges: Sequence[Edge], n: int,
                flipped: frozenset[Edge]) -> tuple[list[list[int]], list[int]]:
    """Successor lists and in-degrees, self-loops left out, the `flipped` edges reversed.
    Checks every edge's indices."""
    succs: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for s, t in edges:
        if not (0 <= s < n and 0 <= t < n):
            _check_edge(s, t, n)
        if s == t:
            continue
        if flipped and (s, t) in flipped:
            s, t = t, s
        succs[s].append(t)
        indegree[t] += 1
    return succs, indegree


def _renumbered_adjacency(edges: Sequence[Edge], new_of: list[int], flipped: frozenset[Edge]
                          ) -> tuple[list[list[int]], list[list[int]], tuple[int, ...]]:
    """Predecessor and successor lists in the new numbering; the indices of flipped edges."""
    n = len(new_of)
    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    if not flipped:
        for s, t in edges:
            if s != t:
                a = new_of[s]
                b = new_of[t]
                succs[a].append(b)
                preds[b].append(a)
        return preds, succs, ()
    reversed_idx = []
    for k, (s, t) in enumerate(edges):
        if s == t:
            continue
        if (s, t) in flipped:
            s, t = t, s
            reversed_idx.append(k)
        a = new_of[s]
        b = new_of[t]
        succs[a].append(b)
        preds[b].append(a)
    return preds, succs, tuple(reversed_idx)


def _longest_path_layers(succs: list[list[int]], indegree: list[int]) -> list[int] | None:
    """Layer of each node = longest path from a source (Kahn's order; consumes `indegree`);
    None if there is a cycle (some node never reaches in-degree zero)."""
    n = len(succs)
    layer = [0] * n
    ready = [v for v in range(n) if not indegree[v]]
    seen = 0
    while ready:
        v = ready.pop()
        seen += 1
        nxt = layer[v] + 1
        for w in succs[v]:
            if layer[w] < nxt:
                layer[w] = nxt
            indegree[w] -= 1
            if not indegree[w]:
                ready.append(w)
    return layer if seen == n else None


def _back_edges(succs: list[list[int]]) -> set[Edge]:
    """The back edges of an iterative depth-first search from every node in index order:
    reversing them all leaves a DAG."""
    n = len(succs)
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    back: set[Edge] = set()
    for root in range(n):
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(succs[root]))]
        while stack:
            v, it = stack[-1]
            for w in it:
                if state[w] == 0:
                    state[w] = 1
                    stack.append((w, iter(succs[w])))
                    break
                if state[w] == 1:
                    back.add((v, w))
            else:
                state[v] = 2
                stack.pop()
    return back


# --- stage 3: crossing reduction --------------------------------------------------------------


def _reduce_crossings(layers: list[list[int]], preds: list[list[int]], succs: list[list[int]],
                      group_index: list[int] | None, sweeps: int) -> None:
    """Reorder each layer in place by barycenter sweeps; at most `sweeps` down+up pairs.

    A node's barycenter is the mean relative position (in (0, 1)) of its neighbours on the
    side the sweep comes from; a node without any keeps its own. The sort is stable, so ties
    keep the current order and the result is deterministic. (Hot loop: written for CPython.)
    """
    pos = [0.0] * len(preds)  # relative position of each node in its layer, in (0, 1)
    for nodes in layers:
        _set_positions(nodes, pos)
    multi = [False] * len(layers)  # layers holding more than one group
    if group_index is not None:
        # Start with groups contiguous, in order of first appearance in the layer.
        for i, nodes in enumerate(layers):
            first: dict[int, int] = {}
            for v in nodes:
                first.setdefault(group_index[v], len(first))
            if len(first) > 1:
                multi[i] = True
                nodes.sort(key=lambda v: first[group_index[v]])  # type: ignore[index]
                _set_positions(nodes, pos)
    fractions = {len(nodes): tuple((i + 0.5) / len(nodes) for i in range(len(nodes)))
                 for nodes in layers}
    count = len(layers)
    down = [(i, preds) for i in range(1, count)]
    up = [(i, succs) for i in range(count - 2, -1, -1)]
    for _ in range(sweeps):
        moved = False
        for i, adj in chain(down, up):
            nodes = layers[i]
            if len(nodes) < 2:
                continue
            keys = _neighbour_means(nodes, adj, pos)
            if multi[i]:
                gkeys = _group_keys(nodes, keys, group_index)  # type: ignore[arg-type]
                keyed = dict(zip(nodes, zip(gkeys, keys, strict=True), strict=True))
                new = sorted(nodes, key=keyed.__getitem__)
            else:
                new = sorted(nodes, key=dict(zip(nodes, keys, strict=True)).__getitem__)
            if new != nodes:
                moved = True
                nodes[:] = new
                for v, p in zip(new, fractions[len(new)], strict=True):
                    pos[v] = p
        if not moved:
            break


def _group_keys(nodes: list[int], keys: list[float], group_index: list[int]) -> list[float]:
    """Each node's group's mean barycenter: sorting by it first keeps groups contiguous."""
    sums: dict[int, float] = {}
    sizes: dict[int, int] = {}
    for v, k in zip(nodes, keys, strict=True):
        g = group_index[v]
        sums[g] = sums.get(g, 0.0) + k
        sizes[g] = sizes.get(g, 0) + 1
    return [sums[g] / sizes[g] for g in map(group_index.__getitem__, nodes)]


def _set_positions(nodes: list[int], pos: list[float]) -> None:
    scale = 1.0 / len(nodes)
    for i, v in enumerate(nodes):
        pos[v] = (i + 0.5) * scale


# --- stage 4: coordinates ---------------------------------------------------------------------


def _coordinates(layers: list[list[int]], preds: list[list[int]], succs: list[list[int]],
                 group_index: list[int] | None, opts: LayoutOptions) -> list[float]:
    """y of each node: start centred, then a down pass (towards the predecessors) and an up
    pass (towards all neighbours), each a least-squares placement per layer."""
    sep = opts.node_height + opts.node_gap
    ys = [0.0] * len(preds)
    offsets_by_layer = []
    for nodes in layers:
        offsets = [0.0] * len(nodes)
        acc = 0.0
        for i in range(1, len(nodes)):
            acc += sep
            if group_index is not None and group_index[nodes[i]] != group_index[nodes[i - 1]]:
                acc += opts.group_gap
            offsets[i] = acc
        offsets_by_layer.append(offsets)
        mid = acc / 2
        for v, off in zip(nodes, offsets, strict=True):
            ys[v] = off - mid
    count = len(layers)
    for i in range(1, count):
        nodes = layers[i]
        desired = _neighbour_means(nodes, preds, ys)
        for v, y in zip(nodes, _place(desired, offsets_by_layer[i]), strict=True):
            ys[v] = y
    for i in range(count - 1, -1, -1):
        nodes = layers[i]
        desired = []
        for v in nodes:
            ps = preds[v]
            ss = succs[v]
            k = len(ps) + len(ss)
            if k:
                total = 0.0
                for u in ps:
                    total += ys[u]
                for u in ss:
                    total += ys[u]
                desired.append(total / k)
            else:
                desired.append(ys[v])
        for v, y in zip(nodes, _place(desired, offsets_by_layer[i]), strict=True):
            ys[v] = y
    return ys


def _neighbour_means(nodes: list[int], adj: list[list[int]], at: list[float]) -> list[float]:
    """Per node, the mean position of its neighbours in ``adj`` (its own if it has none): the
    barycenter of the sweeps and the target of the compaction's down pass."""
    out = []
    for v in nodes:
        ns = adj[v]
        k = len(ns)
        if k == 1:
            out.append(at[ns[0]])
        elif k:
            total = 0.0
            for u in ns:
                total += at[u]
            out.append(total / k)
        else:
            out.append(at[v])
    return out


def _place(desired: list[float], offsets: list[float]) -> list[float]:
    """Minimise sum (y_i - desired_i)^2 subject to y_{i+1} - y_i >= offsets_{i+1} - offsets_i:
    with z_i = y_i - offsets_i that is isotonic regression of z = desired - offsets, solved by
    pool adjacent violators (linear time). Most layers end as one block (the whole layer
    shifted to the mean), which is checked first with C-level maps."""
    n = len(desired)
    if n == 1:
        return desired
    z = list(map(sub, desired, offsets))
    prefix = list(accumulate(z))
    mean = prefix[-1] / n
    # One block is optimal iff no prefix has a mean below the total's.
    if all(map(ge, prefix, map(mul, repeat(mean), range(1, n + 1)))):
        return list(map(add, offsets, repeat(mean)))
    sums: list[float] = []
    counts: list[int] = []
    for s in z:
        c = 1
        while sums and sums[-1] * c > s * counts[-1]:  # previous block's mean > this one's
            s += sums.pop()
            c += counts.pop()
        sums.append(s)
        counts.append(c)
    out: list[float] = []
    for s, c in zip(sums, counts, strict=True):
        out += [s / c] * c
    return list(map(add, out, offsets))
