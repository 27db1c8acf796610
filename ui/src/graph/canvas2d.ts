// The fallback renderer, where WebGL2 is not available: the whole graph on a 2D canvas. Only
// what is in the viewport is drawn; nodes are filled in one path per colour; edges are straight
// lines when zoomed out and curves when zoomed in. Same look as the WebGL overview.

import { GROUP_STYLE, STATUS_ORDER, STATUS_STYLES } from "../status";
import type { StatusCode } from "../status";
import { drawLabels, labelsVisible } from "./labels";
import type { GraphModel, Lineage, View } from "./model";
import { MATCH_COLOUR, PICKED_COLOUR, SELECTED_COLOUR, groupBar } from "./nodeStyle";
import type { GroupCounts } from "./nodeStyle";

const CURVES_MIN_SCALE = 0.25;
export const EDGE_COLOUR = "#b6bec8";
export const UPSTREAM_COLOUR = "#8250df";
export const DOWNSTREAM_COLOUR = "#1f6feb";

export interface Scene {
  model: GraphModel;
  statuses: string[];
  groupCounts: GroupCounts | null;
  selected: number;
  lineage: Lineage | null;
  matches: Uint8Array | null;
  picked: Uint8Array | null;
}

export function draw2d(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  view: View,
  width: number,
  height: number,
  dpr: number,
): void {
  const { model: m, statuses: st, selected: sel, lineage: lin, matches: hits, picked } = scene;
  const { scale, tx, ty } = view;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * tx, dpr * ty);

  // The viewport in world coordinates, and which nodes are in it.
  const x0 = -tx / scale - m.w;
  const x1 = (width - tx) / scale;
  const y0 = -ty / scale - m.h;
  const y1 = (height - ty) / scale;
  const { x, y, w, h } = m;
  const visible: number[] = [];
  for (let i = 0; i < m.count; i++) {
    if (x[i]! >= x0 && x[i]! <= x1 && y[i]! >= y0 && y[i]! <= y1) visible.push(i);
  }

  // Edges: source's right port to target's left port; the lineage drawn last, on top.
  const curves = scale >= CURVES_MIN_SCALE;
  const edgePath = (mark: number) => {
    ctx.beginPath();
    for (let e = 0; e < m.src.length; e++) {
      if (lin ? lin.edges[e] !== mark : mark !== 0) continue;
      const s = m.src[e]!;
      const t = m.dst[e]!;
      const sx = x[s]! + w;
      const sy = y[s]! + h / 2;
      const ex = x[t]!;
      const ey = y[t]! + h / 2;
      if ((sx < x0 && ex < x0) || (sx > x1 + w && ex > x1 + w)) continue;
      if ((sy < y0 && ey < y0) || (sy > y1 + h && ey > y1 + h)) continue;
      ctx.moveTo(sx, sy);
      if (curves) {
        const dx = Math.max(24, Math.abs(ex - sx) / 2);
        ctx.bezierCurveTo(sx + dx, sy, ex - dx, ey, ex, ey);
      } else {
        ctx.lineTo(ex, ey);
      }
    }
  };
  ctx.lineWidth = 1 / scale;
  ctx.strokeStyle = EDGE_COLOUR;
  edgePath(0);
  ctx.stroke();
  if (lin) {
    ctx.lineWidth = 2.5 / scale;
    ctx.strokeStyle = UPSTREAM_COLOUR;
    edgePath(1);
    ctx.stroke();
    ctx.strokeStyle = DOWNSTREAM_COLOUR;
    edgePath(2);
    ctx.stroke();
  }

  // Nodes: one path per fill colour.
  const groups: number[] = [];
  const buckets = new Map<string, number[]>([["G", groups]]);
  for (const code of STATUS_ORDER) buckets.set(code, []);
  for (const i of visible) {
    (m.isGroup[i] ? groups : (buckets.get(st[i] ?? "-") ?? buckets.get("-")!)).push(i);
  }
  const tiny = h * scale < 3;
  ctx.lineWidth = 1 / scale;
  for (const [code, nodes] of buckets) {
    if (!nodes.length) continue;
    const style = code === "G" ? GROUP_STYLE : STATUS_STYLES[code as StatusCode];
    ctx.beginPath();
    for (const i of nodes) ctx.rect(x[i]!, y[i]!, w, h);
    ctx.fillStyle = tiny ? style.stroke : style.fill;
    ctx.fill();
    if (!tiny) {
      ctx.strokeStyle = style.stroke;
      ctx.stroke();
    }
  }
  // Group boxes: a second outline, so they read as containers, and their status bar.
  if (!tiny && groups.length) {
    ctx.beginPath();
    const inset = 4;
    for (const i of groups) ctx.rect(x[i]! + inset, y[i]! + inset, w - 2 * inset, h - 2 * inset);
    ctx.strokeStyle = GROUP_STYLE.stroke;
    ctx.setLineDash([4 / scale, 3 / scale]);
    ctx.stroke();
    ctx.setLineDash([]);
    const barH = Math.min(8 / scale, Math.max(2 / scale, h * 0.14));
    for (const i of groups) {
      const bar = groupBar(scene.groupCounts?.[m.ids[i]!]);
      if (!bar) continue;
      const bx = x[i]! + inset;
      const bw = w - 2 * inset;
      const by = y[i]! + h - inset - barH;
      let from = 0;
      [bar[0], bar[1], bar[2], 1].forEach((to, k) => {
        if (to > from) {
          ctx.fillStyle = STATUS_STYLES[STATUS_ORDER[k]!].stroke;
          ctx.fillRect(bx + from * bw, by, (to - from) * bw, barH);
        }
        from = Math.max(from, to);
      });
    }
  }
  const ring = (flags: Uint8Array | null, colour: string, pad: number) => {
    if (!flags) return;
    ctx.beginPath();
    for (const i of visible) if (flags[i]) ctx.rect(x[i]! - pad, y[i]! - pad, w + 2 * pad, h + 2 * pad);
    ctx.lineWidth = Math.max(2, 3 / scale);
    ctx.strokeStyle = colour;
    ctx.stroke();
  };
  ring(hits, MATCH_COLOUR, 3);
  ring(picked, PICKED_COLOUR, 3);
  if (sel >= 0) {
    ctx.beginPath();
    ctx.rect(x[sel]! - 4, y[sel]! - 4, w + 8, h + 8);
    ctx.lineWidth = Math.max(3, 4 / scale);
    ctx.strokeStyle = SELECTED_COLOUR;
    ctx.stroke();
  }

  if (labelsVisible(m, view)) {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawLabels(ctx, m, view, visible, scene.groupCounts);
  }
}
