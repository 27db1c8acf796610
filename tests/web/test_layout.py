"""The server-side graph layout: layering, crossing reduction, coordinates, groups, cache."""

from __future__ import annotations

import random

import pytest

from headwater.web.layout import (
    GraphLayout,
    LayoutCache,
    LayoutOptions,
    collapse_groups,
    graph_hash,
    layout_graph,
)


def names(n: int) -> list[str]:
    return [f"n{i}" for i in range(n)]


def layered_dag(n: int, width: int = 10, seed: int = 0) -> tuple[list[str], list[tuple[int, int]],
                                                                  list[str]]:
    """A shuffled layered DAG like the benchmark's: edges to 1-3 nodes of earlier layers."""
    rng = random.Random(seed)
    perm = list(range(n))
    rng.shuffle(perm)
    edges = []
    for i in range(width, n):
        layer = i // width
        ups = {(layer - rng.randint(1, min(3, layer))) * width + rng.randrange(width)
               for _ in range(rng.randint(1, 3))}
        edges.extend((perm[u], perm[i]) for u in sorted(ups))
    groups = [""] * n
    for i in range(n):
        groups[perm[i]] = f"g{i // 50}"
    return names(n), edges, groups


def assert_well_formed(layout: GraphLayout, edges: list[tuple[int, int]]) -> None:
    """Every node placed; edges (after cycle breaking) go to a higher layer; x follows the
    layer; no two boxes of a layer overlap."""
    n = len(layout.node_ids)
    assert len(layout.x) == len(layout.y) == len(layout.layer) == n
    flipped = set(layout.reversed_edges)
    for k, (s, t) in enumerate(edges):
        if s == t:
            continue
        if k in flipped:
            s, t = t, s
        assert layout.layer[s] < layout.layer[t], (k, s, t)
    opts = layout.options
    step = opts.node_width + opts.layer_gap
    by_layer: dict[int, list[float]] = {}
    for v in range(n):
        assert layout.x[v] == layout.layer[v] * step
        assert 0 <= layout.y[v] <= layout.height - opts.node_height + 1e-6
        by_layer.setdefault(layout.layer[v], []).append(layout.y[v])
    for ys in by_layer.values():
        ys.sort()
        for a, b in zip(ys, ys[1:], strict=False):
            assert b - a >= opts.node_height + opts.node_gap - 1e-6
    if n:
        assert layout.layer_count == max(layout.layer) + 1
        assert layout.width == layout.layer_count * step - opts.layer_gap


def test_chain_is_one_row_left_to_right() -> None:
    edges = [(0, 1), (1, 2), (2, 3)]
    layout = layout_graph(names(4), edges)
    assert layout.layer == (0, 1, 2, 3)
    assert layout.x == tuple(sorted(layout.x))
    assert len(set(layout.y)) == 1
    assert layout.height == layout.options.node_height
    assert_well_formed(layout, edges)


def test_diamond_centres_the_ends_between_the_middle() -> None:
    edges = [(0, 1), (0, 2), (1, 3), (2, 3)]
    layout = layout_graph(names(4), edges)
    assert layout.layer == (0, 1, 1, 2)
    assert layout.y[0] == pytest.approx((layout.y[1] + layout.y[2]) / 2)
    assert layout.y[3] == pytest.approx(layout.y[0])
    assert_well_formed(layout, edges)


def test_wide_fan_in_stacks_the_sources_and_centres_the_sink() -> None:
    n = 200
    edges = [(i, n) for i in range(n)]
    layout = layout_graph(names(n + 1), edges)
    assert layout.layer == (0,) * n + (1,)
    assert layout.layer_count == 2
    sources = layout.y[:n]
    assert layout.y[n] == pytest.approx(sum(sources) / n)
    assert_well_formed(layout, edges)


def test_source_is_pulled_next_to_its_only_successor() -> None:
    # 0 -> 1 -> 2 -> 3 and a source 4 read only by 3: 4 sits in layer 2, not 0.
    edges = [(0, 1), (1, 2), (2, 3), (4, 3)]
    assert layout_graph(names(5), edges).layer == (0, 1, 2, 3, 2)
    loose = layout_graph(names(5), edges, options=LayoutOptions(tighten_sources=False))
    assert loose.layer == (0, 1, 2, 3, 0)


def test_disconnected_components_and_isolated_nodes_are_all_placed() -> None:
    edges = [(0, 1), (2, 3), (3, 4)]
    layout = layout_graph(names(6), edges)  # node 5 has no edge
    assert layout.layer == (0, 1, 0, 1, 2, 0)
    assert_well_formed(layout, edges)


def test_cycle_terminates_and_reverses_a_back_edge() -> None:
    edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 3)]  # a 3-cycle and a self-loop
    layout = layout_graph(names(4), edges)
    assert len(layout.reversed_edges) == 1
    assert layout.reversed_edges == (2,)  # DFS from node 0 meets 2 -> 0 as the back edge
    assert_well_formed(layout, edges)


def test_dense_cyclic_graph_terminates() -> None:
    rng = random.Random(3)
    n = 300
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(1500)]
    layout = layout_graph(names(n), edges)
    assert layout.reversed_edges
    assert_well_formed(layout, edges)


def test_layered_dag_respects_edges_and_does_not_overlap() -> None:
    ids, edges, groups = layered_dag(2000)
    assert_well_formed(layout_graph(ids, edges), edges)
    assert_well_formed(layout_graph(ids, edges, groups), edges)


def test_groups_are_contiguous_within_each_layer() -> None:
    ids, edges, groups = layered_dag(1000)
    layout = layout_graph(ids, edges, groups)
    by_layer: dict[int, list[tuple[float, str]]] = {}
    for v in range(len(ids)):
        by_layer.setdefault(layout.layer[v], []).append((layout.y[v], groups[v]))
    for column in by_layer.values():
        seq = [g for _, g in sorted(column)]
        runs = [g for i, g in enumerate(seq) if i == 0 or seq[i - 1] != g]
        assert len(runs) == len(set(runs)), seq
    bounds = layout.group_bounds()
    assert set(bounds) == set(groups)
    assert layout_graph(ids, edges).group_bounds() == {}


def test_same_input_gives_the_same_layout() -> None:
    ids, edges, groups = layered_dag(1500, seed=7)
    assert layout_graph(ids, edges, groups) == layout_graph(list(ids), list(edges), groups)


def test_barycenter_sweeps_untangle_a_crossed_pair() -> None:
    # Layer 1 is given in the order (3, 2), which crosses the edges 0->2 and 1->3.
    edges = [(0, 2), (1, 3)]
    layout = layout_graph(["a", "b", "d", "c"], edges)
    assert (layout.y[0] < layout.y[1]) == (layout.y[2] < layout.y[3])
    ids = ["a", "b", "d", "c"]
    swapped = layout_graph(ids, [(0, 3), (1, 2)])
    assert (swapped.y[0] < swapped.y[1]) == (swapped.y[3] < swapped.y[2])


def test_compaction_is_the_least_squares_placement_with_gaps() -> None:
    from headwater.web.layout import _place

    # Two nodes want y=0 and one wants 100, with a gap of 10: the pair splits around 0.
    assert _place([0.0, 0.0, 100.0], [0.0, 10.0, 20.0]) == pytest.approx([-5.0, 5.0, 100.0])
    # All want the same place: the whole layer centred on it.
    assert _place([7.0, 7.0, 7.0], [0.0, 10.0, 20.0]) == pytest.approx([-3.0, 7.0, 17.0])
    # Already apart: unchanged.
    assert _place([0.0, 50.0], [0.0, 10.0]) == pytest.approx([0.0, 50.0])


def test_empty_graph() -> None:
    layout = layout_graph([], [])
    assert layout.layer_count == 0 and layout.width == 0.0 and layout.x == ()


def test_bad_input_names_the_problem() -> None:
    with pytest.raises(ValueError, match=r"edge \(0, 5\).*outside 0..2"):
        layout_graph(names(3), [(0, 5)])
    with pytest.raises(ValueError, match="2 groups for 3 nodes"):
        layout_graph(names(3), [], ["a", "b"])


def test_as_dict_is_plain_json_arrays() -> None:
    layout = layout_graph(names(3), [(0, 1), (1, 2)], ["g", "g", "h"])
    data = layout.as_dict()
    assert data["node_ids"] == ["n0", "n1", "n2"]
    assert data["edge_sources"] == [0, 1] and data["edge_targets"] == [1, 2]
    assert data["layer"] == [0, 1, 2]
    assert data["groups"] == ["g", "g", "h"]


def test_collapse_groups_aggregates_edges_between_groups() -> None:
    ids = names(6)
    groups = ["raw", "raw", "clean", "clean", "mart", "raw"]
    edges = [(0, 2), (1, 2), (1, 3), (2, 3), (3, 4), (2, 4), (4, 5), (0, 1)]
    collapsed = collapse_groups(ids, edges, groups)
    assert collapsed.node_ids == collapsed.groups == ("raw", "clean", "mart")
    assert collapsed.collapsed == (True, True, True)
    assert collapsed.sizes == (3, 2, 1)
    assert collapsed.node_of == (0, 0, 1, 1, 2, 0)
    assert dict(zip(collapsed.edges, collapsed.edge_counts, strict=True)) == {
        (0, 1): 3, (1, 2): 2, (2, 0): 1}
    assert collapsed.internal_edges == (1, 1, 0)
    # The group graph has a cycle (raw -> clean -> mart -> raw); its layout still terminates.
    layout = layout_graph(collapsed.node_ids, collapsed.edges, collapsed.groups)
    assert len(layout.reversed_edges) == 1
    assert_well_formed(layout, list(collapsed.edges))


def test_collapse_groups_keeps_expanded_groups_as_nodes() -> None:
    ids = names(6)
    groups = ["raw", "raw", "clean", "clean", "mart", "raw"]
    edges = [(0, 2), (1, 2), (1, 3), (2, 3), (3, 4), (2, 4), (4, 5), (0, 1)]
    c = collapse_groups(ids, edges, groups, expanded={"clean"})
    assert c.node_ids == ("raw", "n2", "n3", "mart")
    assert c.groups == ("raw", "clean", "clean", "mart")
    assert c.collapsed == (True, False, False, True)
    assert c.sizes == (3, 1, 1, 1)
    assert c.node_of == (0, 0, 1, 2, 3, 0)
    assert dict(zip(c.edges, c.edge_counts, strict=True)) == {
        (0, 1): 2, (0, 2): 1, (1, 2): 1, (1, 3): 1, (2, 3): 1, (3, 0): 1}
    assert c.internal_edges == (1, 0, 0, 0)
    assert sum(c.edge_counts) + sum(c.internal_edges) == len(edges)
    everything = collapse_groups(ids, edges, groups, expanded=set(groups))
    assert everything.node_ids == tuple(ids) and everything.node_of == tuple(range(6))
    assert len(everything.edges) == len(edges)


def test_graph_hash_is_stable_and_changes_with_the_graph() -> None:
    ids, edges, groups = layered_dag(500)
    h = graph_hash(ids, edges, groups)
    assert h == graph_hash(list(ids), [tuple(e) for e in edges], list(groups))
    assert len(h) == 32 and int(h, 16) >= 0
    changed = list(edges)
    changed[10] = (changed[10][0], changed[10][1] + 1)
    assert graph_hash(ids, changed, groups) != h
    assert graph_hash(ids, edges[:-1], groups) != h
    assert graph_hash(ids, edges, None) != h
    assert graph_hash(ids[:-1] + ["other"], edges, groups) != h
    assert graph_hash(ids, edges, groups, LayoutOptions(sweeps=3)) != h
    # Integers that marshal refuses are packed instead (same graph, same hash every time).
    class Index(int):
        pass

    odd = [(Index(s), Index(t)) for s, t in edges]
    assert graph_hash(ids, odd, groups) == graph_hash(ids, odd, groups) != h
    # Ids are encoded unambiguously, even with a NUL inside one.
    assert graph_hash(["a\0b"], []) != graph_hash(["a", "b"], [])
    assert graph_hash([""], []) != graph_hash([], [])
    # Pinned: the same graph hashes the same in every process (no salted str hash); a change
    # of this value invalidates every client's ETag, so make it on purpose.
    assert graph_hash(("a", "b"), ((0, 1),)) == "ce382234976b080e3d53fa3aedeff9de"


def test_cache_hit_returns_the_same_object() -> None:
    ids, edges, groups = layered_dag(300)
    cache = LayoutCache(maxsize=2)
    key, first = cache.layout(ids, edges, groups)
    key2, second = cache.layout(list(ids), list(edges), list(groups))
    assert key == key2 == graph_hash(ids, edges, groups)
    assert second is first
    assert (cache.hits, cache.misses) == (1, 1)
    _, other = cache.layout(ids, edges[:-1], groups)
    assert other is not first


def test_cache_evicts_the_least_recently_used() -> None:
    cache = LayoutCache(maxsize=2)
    ka, a = cache.layout(["a"], [])
    kb, _ = cache.layout(["b"], [])
    assert cache.layout(["a"], [])[1] is a  # a is now the most recent
    cache.layout(["c"], [])
    assert len(cache) == 2
    assert cache.get(kb) is None and cache.get(ka) is a


def test_cache_accepts_a_key_the_caller_already_has() -> None:
    cache = LayoutCache()
    key, layout = cache.layout(names(2), [(0, 1)], key="snapshot-1")
    assert key == "snapshot-1" and cache.get("snapshot-1") is layout
