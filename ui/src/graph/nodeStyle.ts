// What each node looks like, computed once per change of status, selection or search (never
// per frame): its status colours, its rings (selected, picked for a launch, matching the search)
// and, for a collapsed group, how its assets split by status (the bar along its bottom).

import { GROUP_STYLE, STATUS_ORDER, STATUS_STYLES, statusStyle } from "../status";
import type { StatusCode } from "../status";
import {
  FLAG_BAR,
  FLAG_GROUP,
  FLAG_MATCH,
  FLAG_PICKED,
  FLAG_SELECTED,
  NODE_STRIDE,
} from "./glRenderer";
import type { GraphModel } from "./model";

/** Per group name: assets by status character (from /asset_graph/status). */
export type GroupCounts = Record<string, Record<string, number>>;

export const SELECTED_COLOUR = "#1f6feb";
export const PICKED_COLOUR = "#bf3989";
export const MATCH_COLOUR = "#fb8500";

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Cumulative fractions of M, F, R (then -) of a group's assets, or null if unknown. */
export function groupBar(counts: Record<string, number> | undefined): [number, number, number] | null {
  if (!counts) return null;
  const total = STATUS_ORDER.reduce((sum, code) => sum + (counts[code] ?? 0), 0);
  if (!total) return null;
  const m = (counts.M ?? 0) / total;
  const f = m + (counts.F ?? 0) / total;
  const r = f + (counts.R ?? 0) / total;
  return [m, f, r];
}

const SHORT_LABELS: Record<StatusCode, string> = {
  M: "materialized",
  F: "failed",
  R: "running",
  "-": "missing",
};

/** "3 materialized · 1 failed ..." for a group's counts (the statuses it has). */
export function describeCounts(counts: Record<string, number> | undefined): string {
  if (!counts) return "";
  return STATUS_ORDER.filter((code) => counts[code])
    .map((code) => `${counts[code]} ${SHORT_LABELS[code]}`)
    .join(" · ");
}

export interface StyleInput {
  model: GraphModel;
  statuses: string[];
  groupCounts: GroupCounts | null;
  selected: number;
  matches: Uint8Array | null;
  /** Per node: 1 if it is picked for a launch. */
  picked: Uint8Array | null;
}

/** The per-node records the WebGL renderer draws (NODE_STRIDE bytes each: fill rgba, stroke
 * rgba, group bar fractions, flags). */
export function nodeStyle({ model, statuses, groupCounts, selected, matches, picked }: StyleInput): Uint8Array {
  const out = new Uint8Array(model.count * NODE_STRIDE);
  const palette = new Map<string, [number[], number[]]>();
  for (const code of STATUS_ORDER) {
    palette.set(code, [rgb(STATUS_STYLES[code].fill), rgb(STATUS_STYLES[code].stroke)]);
  }
  const group: [number[], number[]] = [rgb(GROUP_STYLE.fill), rgb(GROUP_STYLE.stroke)];
  for (let i = 0; i < model.count; i++) {
    const o = i * NODE_STRIDE;
    const isGroup = model.isGroup[i] === 1;
    const [fill, stroke] = isGroup ? group : palette.get(statusStyle(statuses[i]).code)!;
    out.set(fill, o);
    out[o + 3] = 255;
    out.set(stroke, o + 4);
    out[o + 7] = 255;
    let flags = 0;
    if (isGroup) {
      flags |= FLAG_GROUP;
      const bar = groupBar(groupCounts?.[model.ids[i]!]);
      if (bar) {
        flags |= FLAG_BAR;
        out[o + 8] = Math.round(bar[0] * 255);
        out[o + 9] = Math.round(bar[1] * 255);
        out[o + 10] = Math.round(bar[2] * 255);
        out[o + 11] = 255;
      }
    }
    if (i === selected) flags |= FLAG_SELECTED;
    if (matches?.[i]) flags |= FLAG_MATCH;
    if (picked?.[i]) flags |= FLAG_PICKED;
    out[o + 12] = flags;
  }
  return out;
}
