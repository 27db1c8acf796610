// The asset graph as the canvas uses it: typed arrays built once per layout, adjacency in CSR
// form (for the lineage of a selected node), and the view transform (screen = world * scale + t).

import type { AssetGraph } from "../api/types";

export interface GraphModel {
  /** The graph's hash (the layout it was built from). */
  hash: string;
  count: number;
  ids: string[];
  lowerIds: string[];
  isGroup: Uint8Array;
  sizes: number[];
  groups: (string | null)[];
  locations: (string | null)[];
  x: Float64Array;
  y: Float64Array;
  w: number;
  h: number;
  width: number;
  height: number;
  src: Int32Array;
  dst: Int32Array;
  /** Out-edges of node i: outEdges[outStart[i] .. outStart[i + 1]) (edge indices). */
  outStart: Int32Array;
  outEdges: Int32Array;
  inStart: Int32Array;
  inEdges: Int32Array;
  index: Map<string, number>;
  /** Nodes bucketed by layout cell, for hit-testing and for finding what is in view. */
  grid: SpatialGrid;
}

/** A uniform grid over the layout: cell c holds the nodes whose box overlaps it, in
 * cellNodes[cellStart[c] .. cellStart[c + 1]). Built once per layout (O(n)); a hit test or a
 * viewport query then looks only at the cells it touches, not at every node. */
export interface SpatialGrid {
  cell: number;
  cols: number;
  rows: number;
  cellStart: Int32Array;
  cellNodes: Int32Array;
}

function buildGrid(x: Float64Array, y: Float64Array, w: number, h: number): SpatialGrid {
  const count = x.length;
  let maxX = 0;
  let maxY = 0;
  for (let i = 0; i < count; i++) {
    maxX = Math.max(maxX, x[i]! + w);
    maxY = Math.max(maxY, y[i]! + h);
  }
  // About one node per cell on average, never finer than a node (a node then spans <= 4 cells).
  const cell = Math.max(w, h, Math.sqrt((Math.max(maxX, 1) * Math.max(maxY, 1)) / Math.max(count, 1)));
  const cols = Math.max(1, Math.ceil(maxX / cell) + 1);
  const rows = Math.max(1, Math.ceil(maxY / cell) + 1);
  const cellOf = (v: number, n: number) => Math.min(n - 1, Math.max(0, Math.floor(v / cell)));
  const cellStart = new Int32Array(cols * rows + 1);
  const visit = (i: number, fn: (c: number) => void) => {
    const c0 = cellOf(x[i]!, cols);
    const c1 = cellOf(x[i]! + w, cols);
    const r0 = cellOf(y[i]!, rows);
    const r1 = cellOf(y[i]! + h, rows);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) fn(r * cols + c);
  };
  for (let i = 0; i < count; i++) visit(i, (c) => cellStart[c + 1]!++);
  for (let c = 0; c < cols * rows; c++) cellStart[c + 1]! += cellStart[c]!;
  const fill = cellStart.slice(0, cols * rows);
  const cellNodes = new Int32Array(cellStart[cols * rows]!);
  for (let i = 0; i < count; i++) visit(i, (c) => (cellNodes[fill[c]!++] = i));
  return { cell, cols, rows, cellStart, cellNodes };
}

function csr(count: number, from: Int32Array): [Int32Array, Int32Array] {
  const start = new Int32Array(count + 1);
  for (let e = 0; e < from.length; e++) start[from[e]! + 1]!++;
  for (let i = 0; i < count; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, count);
  const edges = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) edges[fill[from[e]!]!++] = e;
  return [start, edges];
}

export function buildModel(graph: AssetGraph): GraphModel {
  const l = graph.layout;
  const count = l.node_ids.length;
  const src = Int32Array.from(l.edge_sources);
  const dst = Int32Array.from(l.edge_targets);
  const [outStart, outEdges] = csr(count, src);
  const [inStart, inEdges] = csr(count, dst);
  const x = Float64Array.from(l.x);
  const y = Float64Array.from(l.y);
  const isGroup = new Uint8Array(count);
  graph.node_kinds.forEach((kind, i) => (isGroup[i] = kind === "group" ? 1 : 0));
  return {
    hash: graph.hash,
    count,
    ids: l.node_ids,
    lowerIds: l.node_ids.map((id) => id.toLowerCase()),
    isGroup,
    sizes: graph.node_sizes,
    groups: l.groups ?? l.node_ids.map(() => null),
    locations: graph.locations,
    x,
    y,
    w: l.node_width,
    h: l.node_height,
    width: l.width,
    height: l.height,
    src,
    dst,
    outStart,
    outEdges,
    inStart,
    inEdges,
    index: new Map(l.node_ids.map((id, i) => [id, i])),
    grid: buildGrid(x, y, l.node_width, l.node_height),
  };
}

export interface Lineage {
  /** Per edge: 1 on the selected node's upstream, 2 on its downstream, 0 elsewhere. */
  edges: Uint8Array;
  upstream: number;
  downstream: number;
}

/** Every edge on a path into (upstream) or out of (downstream) node `start`. */
export function lineage(model: GraphModel, start: number): Lineage {
  const edges = new Uint8Array(model.src.length);
  const walk = (
    begin: Int32Array,
    list: Int32Array,
    next: Int32Array,
    mark: number,
  ): number => {
    const seen = new Uint8Array(model.count);
    const stack = [start];
    seen[start] = 1;
    let reached = 0;
    while (stack.length) {
      const node = stack.pop()!;
      for (let k = begin[node]!; k < begin[node + 1]!; k++) {
        const e = list[k]!;
        edges[e] = mark;
        const other = next[e]!;
        if (!seen[other]) {
          seen[other] = 1;
          reached++;
          stack.push(other);
        }
      }
    }
    return reached;
  };
  const upstream = walk(model.inStart, model.inEdges, model.src, 1);
  const downstream = walk(model.outStart, model.outEdges, model.dst, 2);
  return { edges, upstream, downstream };
}

export interface View {
  scale: number;
  tx: number;
  ty: number;
}

export const MIN_SCALE = 0.002;
export const MAX_SCALE = 4;
const FIT_PADDING = 24;

export function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/** The whole layout centred in a `width` x `height` viewport (never zoomed past 1:1). */
export function fitView(model: GraphModel, width: number, height: number): View {
  const gw = Math.max(model.width, model.w);
  const gh = Math.max(model.height, model.h);
  const scale = clampScale(
    Math.min(1, (width - 2 * FIT_PADDING) / gw, (height - 2 * FIT_PADDING) / gh),
  );
  return { scale, tx: (width - gw * scale) / 2, ty: (height - gh * scale) / 2 };
}

/** The node under the world point (wx, wy), or -1 (the grid's cell there, not every node). */
export function hitTest(model: GraphModel, wx: number, wy: number): number {
  const { x, y, w, h, grid } = model;
  const c = Math.floor(wx / grid.cell);
  const r = Math.floor(wy / grid.cell);
  if (c < 0 || r < 0 || c >= grid.cols || r >= grid.rows) return -1;
  const cellIndex = r * grid.cols + c;
  let hit = -1;
  for (let k = grid.cellStart[cellIndex]!; k < grid.cellStart[cellIndex + 1]!; k++) {
    const i = grid.cellNodes[k]!;
    const xi = x[i]!;
    const yi = y[i]!;
    if (wx >= xi && wx <= xi + w && wy >= yi && wy <= yi + h && i > hit) hit = i;
  }
  return hit;
}

/** The nodes whose box meets the world rectangle [x0, x1] x [y0, y1], each once. */
export function nodesIn(model: GraphModel, x0: number, y0: number, x1: number, y1: number): number[] {
  const { x, y, w, h, grid } = model;
  const c0 = Math.max(0, Math.floor(x0 / grid.cell));
  const c1 = Math.min(grid.cols - 1, Math.floor(x1 / grid.cell));
  const r0 = Math.max(0, Math.floor(y0 / grid.cell));
  const r1 = Math.min(grid.rows - 1, Math.floor(y1 / grid.cell));
  const out: number[] = [];
  if (c0 > c1 || r0 > r1) return out;
  const seen = new Set<number>();
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cellIndex = r * grid.cols + c;
      for (let k = grid.cellStart[cellIndex]!; k < grid.cellStart[cellIndex + 1]!; k++) {
        const i = grid.cellNodes[k]!;
        if (seen.has(i)) continue;
        seen.add(i);
        if (x[i]! + w >= x0 && x[i]! <= x1 && y[i]! + h >= y0 && y[i]! <= y1) out.push(i);
      }
    }
  }
  return out;
}

/** The nodes within `depth` edges upstream (negative distance) or downstream (positive) of
 * `start`, with their distance; the start has distance 0. Breadth first, so each node gets its
 * nearest distance; a node both upstream and downstream (impossible in a DAG, possible between
 * collapsed groups) keeps the first found. */
export function neighbourhood(model: GraphModel, start: number, depth: number): Map<number, number> {
  const dist = new Map<number, number>([[start, 0]]);
  const walk = (begin: Int32Array, list: Int32Array, next: Int32Array, sign: number) => {
    let frontier = [start];
    for (let d = 1; d <= depth && frontier.length; d++) {
      const following: number[] = [];
      for (const node of frontier) {
        for (let k = begin[node]!; k < begin[node + 1]!; k++) {
          const other = next[list[k]!]!;
          if (dist.has(other)) continue;
          dist.set(other, sign * d);
          following.push(other);
        }
      }
      frontier = following;
    }
  };
  walk(model.inStart, model.inEdges, model.src, -1);
  walk(model.outStart, model.outEdges, model.dst, 1);
  return dist;
}
