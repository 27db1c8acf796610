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
    x: Float64Array.from(l.x),
    y: Float64Array.from(l.y),
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

/** The node under the world point (wx, wy), or -1. */
export function hitTest(model: GraphModel, wx: number, wy: number): number {
  const { x, y, w, h } = model;
  for (let i = model.count - 1; i >= 0; i--) {
    const xi = x[i]!;
    const yi = y[i]!;
    if (wx >= xi && wx <= xi + w && wy >= yi && wy <= yi + h) return i;
  }
  return -1;
}
