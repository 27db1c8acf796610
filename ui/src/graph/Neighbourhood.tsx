// The neighbourhood of one asset as SVG: its upstream and downstream within a few edges, one
// column per distance, each node a real element with a readable label, its status colours and
// a link to its asset page. A neighbourhood holds tens to hundreds of nodes, where DOM nodes
// are affordable and give text, focus, links and accessibility for free; the overview
// (thousands of nodes) stays on the GPU.

import { useMemo } from "react";
import { useNavigate } from "react-router";

import { keyPath } from "../api/client";
import { GROUP_STYLE, statusStyle } from "../status";
import { neighbourhood } from "./model";
import type { GraphModel } from "./model";
import { describeCounts, SELECTED_COLOUR } from "./nodeStyle";
import type { GroupCounts } from "./nodeStyle";

const NODE_W = 220;
const NODE_H = 40;
const COL_GAP = 90;
const ROW_GAP = 14;
const PAD = 20;
const MAX_PER_COLUMN = 50;

interface Props {
  model: GraphModel;
  node: number;
  depth: number;
  statuses: string[];
  groupCounts: GroupCounts | null;
  onExpand(group: string): void;
}

interface Placed {
  node: number;
  /** Signed distance from the centre: negative upstream, positive downstream. */
  d: number;
  x: number;
  y: number;
}

function clip(text: string, max: number): string {
  return text.length > max ? "…" + text.slice(text.length - max + 1) : text;
}

export function Neighbourhood({ model, node, depth, statuses, groupCounts, onExpand }: Props) {
  const navigate = useNavigate();
  const scene = useMemo(() => {
    const dist = neighbourhood(model, node, depth);
    const columns = new Map<number, number[]>();
    for (const [n, d] of dist) {
      const list = columns.get(d) ?? [];
      list.push(n);
      columns.set(d, list);
    }
    const placed = new Map<number, Placed>();
    const hidden = new Map<number, number>(); // column distance -> nodes not shown
    let rows = 1;
    const ds = [...columns.keys()].sort((a, b) => a - b);
    const minD = ds[0] ?? 0;
    for (const d of ds) {
      const list = columns.get(d)!;
      list.sort((a, b) => model.y[a]! - model.y[b]! || model.x[a]! - model.x[b]!);
      const shown = list.slice(0, MAX_PER_COLUMN);
      if (list.length > shown.length) hidden.set(d, list.length - shown.length);
      rows = Math.max(rows, shown.length + (hidden.has(d) ? 1 : 0));
      shown.forEach((n, k) =>
        placed.set(n, { node: n, d, x: PAD + (d - minD) * (NODE_W + COL_GAP), y: PAD + k * (NODE_H + ROW_GAP) }),
      );
    }
    // Centre each column vertically on the tallest one.
    const height = 2 * PAD + rows * (NODE_H + ROW_GAP) - ROW_GAP;
    for (const d of ds) {
      const count = Math.min(columns.get(d)!.length, MAX_PER_COLUMN) + (hidden.has(d) ? 1 : 0);
      const offset = (height - 2 * PAD - (count * (NODE_H + ROW_GAP) - ROW_GAP)) / 2;
      for (const n of columns.get(d)!.slice(0, MAX_PER_COLUMN)) placed.get(n)!.y += offset;
    }
    const edges: [Placed, Placed][] = [];
    for (const p of placed.values()) {
      for (let k = model.outStart[p.node]!; k < model.outStart[p.node + 1]!; k++) {
        const q = placed.get(model.dst[model.outEdges[k]!]!);
        if (q) edges.push([p, q]);
      }
    }
    const width = 2 * PAD + (ds.length ? ds[ds.length - 1]! - minD + 1 : 1) * (NODE_W + COL_GAP) - COL_GAP;
    return { placed: [...placed.values()], edges, hidden, minD, width, height, size: dist.size };
  }, [model, node, depth]);

  const id = model.ids[node]!;
  return (
    <section className="neighbourhood" aria-label={`Lineage of ${id}`}>
      <p className="muted neighbourhood-caption">
        {scene.size - 1} asset{scene.size === 2 ? "" : "s"} within {depth} step{depth === 1 ? "" : "s"} of{" "}
        <code>{id}</code>: upstream on the left, downstream on the right.
      </p>
      <svg
        width={scene.width}
        height={scene.height}
        viewBox={`0 0 ${scene.width} ${scene.height}`}
        data-testid="lineage-svg"
        role="group"
        aria-label="Lineage graph"
      >
        <g fill="none" stroke="#b6bec8" strokeWidth={1.2}>
          {scene.edges.map(([a, b]) => {
            const sx = a.x + NODE_W;
            const sy = a.y + NODE_H / 2;
            const ex = b.x;
            const ey = b.y + NODE_H / 2;
            const dx = Math.max(24, Math.abs(ex - sx) / 2);
            return (
              <path
                key={`${a.node}-${b.node}`}
                d={`M${sx},${sy} C${sx + dx},${sy} ${ex - dx},${ey} ${ex},${ey}`}
              />
            );
          })}
        </g>
        {scene.placed.map((p) => {
          const nodeId = model.ids[p.node]!;
          const group = model.isGroup[p.node] === 1;
          const style = group ? GROUP_STYLE : statusStyle(statuses[p.node]);
          const centre = p.node === node;
          const sub = group
            ? `group · ${model.sizes[p.node]} assets`
            : statusStyle(statuses[p.node]).label;
          const body = (
            <>
              <title>{group ? `${nodeId}: ${describeCounts(groupCounts?.[nodeId])}` : nodeId}</title>
              <rect
                width={NODE_W}
                height={NODE_H}
                rx={4}
                fill={style.fill}
                stroke={centre ? SELECTED_COLOUR : style.stroke}
                strokeWidth={centre ? 3 : 1}
                strokeDasharray={group ? "4 3" : undefined}
              />
              <text x={8} y={16} className="neighbourhood-label">
                {clip(nodeId, 30)}
              </text>
              <text x={8} y={32} className="neighbourhood-sub">
                {sub}
              </text>
            </>
          );
          return group ? (
            <g
              key={p.node}
              transform={`translate(${p.x},${p.y})`}
              role="button"
              tabIndex={0}
              aria-label={`Expand group ${nodeId}`}
              className="neighbourhood-node"
              onClick={() => onExpand(nodeId)}
              onKeyDown={(event) => event.key === "Enter" && onExpand(nodeId)}
            >
              {body}
            </g>
          ) : (
            <a
              key={p.node}
              href={`/assets/${keyPath(nodeId)}`}
              className="neighbourhood-node"
              data-distance={p.d}
              aria-label={nodeId}
              onClick={(event) => {
                if (event.shiftKey || event.ctrlKey || event.metaKey) return;
                event.preventDefault();
                navigate(`/assets/${keyPath(nodeId)}`);
              }}
            >
              <g transform={`translate(${p.x},${p.y})`}>{body}</g>
            </a>
          );
        })}
        {[...scene.hidden].map(([d, more]) => {
          const x = PAD + (d - scene.minD) * (NODE_W + COL_GAP);
          return (
            <text key={`more${d}`} x={x + 8} y={scene.height - PAD - 12} className="neighbourhood-sub">
              and {more} more
            </text>
          );
        })}
      </svg>
    </section>
  );
}
