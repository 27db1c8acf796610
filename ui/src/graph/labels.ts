// Node labels on a 2D canvas, in screen space, only once a box is tall enough on screen to hold
// readable text, and only for the nodes in view: at that zoom the viewport holds at most a few
// hundred boxes, so the cost of text is bounded whatever the size of the graph.

import { describeCounts } from "./nodeStyle";
import type { GroupCounts } from "./nodeStyle";
import { nodesIn } from "./model";
import type { GraphModel, View } from "./model";

export const LABEL_MIN_HEIGHT = 18; // px on screen: below this, boxes carry no text

/** Whether labels are drawn at this zoom. */
export function labelsVisible(model: GraphModel, view: View): boolean {
  return model.h * view.scale >= LABEL_MIN_HEIGHT;
}

/** The nodes in a `width` x `height` viewport (found through the layout's grid). */
export function visibleNodes(model: GraphModel, view: View, width: number, height: number): number[] {
  const { scale, tx, ty } = view;
  return nodesIn(model, -tx / scale, -ty / scale, (width - tx) / scale, (height - ty) / scale);
}

/** Draw the labels of `nodes` (screen space; the context's transform is the device pixel
 * ratio only). */
export function drawLabels(
  ctx: CanvasRenderingContext2D,
  model: GraphModel,
  view: View,
  nodes: readonly number[],
  groupCounts: GroupCounts | null,
): void {
  const { scale, tx, ty } = view;
  const { x, y, w, h } = model;
  const fontPx = Math.min(13, Math.max(10, h * scale * 0.3));
  ctx.font = `${fontPx}px system-ui, sans-serif`;
  ctx.textBaseline = "middle";
  const maxChars = Math.max(3, Math.floor((w * scale - 12) / (fontPx * 0.58)));
  const twoLines = h * scale >= 2.6 * fontPx;
  const clip = (text: string) =>
    text.length > maxChars ? "…" + text.slice(text.length - maxChars + 1) : text;
  for (const i of nodes) {
    // A group's text sits inside its dashed inner outline (4 world units in).
    const sx = x[i]! * scale + tx + (model.isGroup[i] ? Math.min(40, 6 + 4 * scale) : 6);
    const sy = y[i]! * scale + ty + (h * scale) / 2;
    const label = clip(model.ids[i]!);
    ctx.fillStyle = "#1d232b";
    if (model.isGroup[i] && twoLines) {
      ctx.fillText(label, sx, sy - fontPx * 0.75);
      ctx.fillStyle = "#5d6875";
      const counts = describeCounts(groupCounts?.[model.ids[i]!]);
      let sub = `${model.sizes[i]} assets${counts ? " · " + counts : ""}`;
      if (sub.length > maxChars) sub = sub.slice(0, maxChars - 1) + "…"; // the counts come first
      ctx.fillText(sub, sx, sy + fontPx * 0.45);
    } else {
      ctx.fillText(model.isGroup[i] ? `${label} (${model.sizes[i]})` : label, sx, sy);
    }
  }
}
