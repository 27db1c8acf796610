// Draws the asset graph on one <canvas> (2D context): no DOM per node, so it stays interactive
// at 10,000 nodes. Only what is in the viewport is drawn; nodes are filled in one path per
// colour; edges are straight lines when zoomed out and curves when zoomed in; labels only once a
// node is tall enough on screen to read one. Drag pans, the wheel zooms around the cursor, a
// click (a press that did not move) selects the node under it.
//
// The view transform is kept in a ref and drawn on the next animation frame: panning never
// re-renders React. It is mirrored on the canvas as data-scale / data-tx / data-ty (CSS pixels),
// with data-drawn = the hash of the graph drawn, for tests and tools that need to find a node on
// screen.

import { useCallback, useEffect, useImperativeHandle, useRef } from "react";
import type { Ref } from "react";

import { GROUP_STYLE, STATUS_ORDER, STATUS_STYLES } from "../status";
import type { StatusCode } from "../status";
import { clampScale, fitView, hitTest } from "./model";
import type { GraphModel, Lineage, View } from "./model";

const LABEL_MIN_HEIGHT = 18; // px on screen: below this, boxes carry no text
const CURVES_MIN_SCALE = 0.25;
const CLICK_SLOP = 4; // px a press may move and still be a click
const EDGE_COLOUR = "#b6bec8";
const UPSTREAM_COLOUR = "#8250df";
const DOWNSTREAM_COLOUR = "#1f6feb";
const MATCH_COLOUR = "#fb8500";

export interface GraphCanvasHandle {
  fit(): void;
  /** Centre a node in the canvas less `rightInset` px on the right (a panel over it). */
  centerOn(node: number, rightInset?: number): void;
}

interface Props {
  model: GraphModel;
  /** Per node: its status character (M, F, R, -); groups are drawn in their own style. */
  statuses: string[];
  selected: number;
  lineage: Lineage | null;
  /** Per node: 1 if it matches the search. */
  matches: Uint8Array | null;
  onSelect(node: number): void;
  handle?: Ref<GraphCanvasHandle>;
}

export function GraphCanvas({ model, statuses, selected, lineage, matches, onSelect, handle }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const view = useRef<View>({ scale: 1, tx: 0, ty: 0 });
  const size = useRef({ width: 0, height: 0 });
  const frame = useRef(0);
  const fitted = useRef<GraphModel | null>(null);
  const props = useRef({ model, statuses, selected, lineage, matches });
  props.current = { model, statuses, selected, lineage, matches };

  const draw = useCallback(() => {
    frame.current = 0;
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) return;
    const { model: m, statuses: st, selected: sel, lineage: lin, matches: hits } = props.current;
    const { width, height } = size.current;
    const dpr = window.devicePixelRatio || 1;
    const { scale, tx, ty } = view.current;
    canvas.dataset.scale = String(scale);
    canvas.dataset.tx = String(tx);
    canvas.dataset.ty = String(ty);
    canvas.dataset.drawn = m.hash;

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
    // Group boxes: a second outline, so they read as containers.
    if (!tiny && groups.length) {
      ctx.beginPath();
      const inset = 4;
      for (const i of groups) ctx.rect(x[i]! + inset, y[i]! + inset, w - 2 * inset, h - 2 * inset);
      ctx.strokeStyle = GROUP_STYLE.stroke;
      ctx.setLineDash([4 / scale, 3 / scale]);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (hits) {
      ctx.beginPath();
      for (const i of visible) if (hits[i]) ctx.rect(x[i]! - 3, y[i]! - 3, w + 6, h + 6);
      ctx.lineWidth = Math.max(2, 3 / scale);
      ctx.strokeStyle = MATCH_COLOUR;
      ctx.stroke();
    }
    if (sel >= 0) {
      ctx.beginPath();
      ctx.rect(x[sel]! - 4, y[sel]! - 4, w + 8, h + 8);
      ctx.lineWidth = Math.max(3, 4 / scale);
      ctx.strokeStyle = DOWNSTREAM_COLOUR;
      ctx.stroke();
    }

    // Labels, in screen space, once a box is tall enough to hold one.
    if (h * scale >= LABEL_MIN_HEIGHT) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const fontPx = Math.min(13, Math.max(10, h * scale * 0.3));
      ctx.font = `${fontPx}px system-ui, sans-serif`;
      ctx.fillStyle = "#1d232b";
      ctx.textBaseline = "middle";
      const maxChars = Math.max(3, Math.floor((w * scale - 12) / (fontPx * 0.58)));
      const twoLines = h * scale >= 2.6 * fontPx;
      for (const i of visible) {
        const sx = x[i]! * scale + tx + 6;
        const sy = y[i]! * scale + ty + (h * scale) / 2;
        let label = m.ids[i]!;
        if (label.length > maxChars) label = "…" + label.slice(label.length - maxChars + 1);
        if (m.isGroup[i] && twoLines) {
          ctx.fillText(label, sx, sy - fontPx * 0.6);
          ctx.fillStyle = "#5d6875";
          ctx.fillText(`group · ${m.sizes[i]} assets`, sx, sy + fontPx * 0.7);
          ctx.fillStyle = "#1d232b";
        } else {
          ctx.fillText(m.isGroup[i] ? `${label} (${m.sizes[i]})` : label, sx, sy);
        }
      }
    }
  }, []);

  const requestDraw = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  const fit = useCallback(() => {
    const { width, height } = size.current;
    if (!width || !height) return;
    view.current = fitView(props.current.model, width, height);
    fitted.current = props.current.model;
    requestDraw();
  }, [requestDraw]);

  useImperativeHandle(
    handle,
    () => ({
      fit,
      centerOn(node: number, rightInset = 0) {
        const m = props.current.model;
        const { width, height } = size.current;
        const scale = Math.max(view.current.scale, 0.8);
        view.current = {
          scale,
          tx: Math.max(0, width - rightInset) / 2 - (m.x[node]! + m.w / 2) * scale,
          ty: height / 2 - (m.y[node]! + m.h / 2) * scale,
        };
        requestDraw();
      },
    }),
    [fit, requestDraw],
  );

  // A new layout is fitted to the screen; any other change only redraws.
  useEffect(() => {
    if (fitted.current !== model) fit();
    else requestDraw();
  }, [model, statuses, selected, lineage, matches, fit, requestDraw]);

  // The canvas follows its box's size (in device pixels, for sharp lines).
  useEffect(() => {
    const canvas = canvasRef.current!;
    const observer = new ResizeObserver(() => {
      const dpr = window.devicePixelRatio || 1;
      size.current = { width: canvas.clientWidth, height: canvas.clientHeight };
      canvas.width = Math.round(canvas.clientWidth * dpr);
      canvas.height = Math.round(canvas.clientHeight * dpr);
      if (fitted.current !== props.current.model) fit();
      else draw();
    });
    observer.observe(canvas);
    return () => {
      observer.disconnect();
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [draw, fit]);

  // Wheel zoom around the cursor (a non-passive listener, to keep the page from scrolling).
  useEffect(() => {
    const canvas = canvasRef.current!;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = canvas.getBoundingClientRect();
      const mx = event.clientX - rect.left;
      const my = event.clientY - rect.top;
      const v = view.current;
      const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
      const scale = clampScale(v.scale * Math.exp(-delta * 0.0015));
      const k = scale / v.scale;
      view.current = { scale, tx: mx - (mx - v.tx) * k, ty: my - (my - v.ty) * k };
      requestDraw();
    };
    canvas.addEventListener("wheel", onWheel, { passive: false });
    return () => canvas.removeEventListener("wheel", onWheel);
  }, [requestDraw]);

  // Drag to pan; a press that does not move is a click.
  const press = useRef<{ x: number; y: number; tx: number; ty: number; moved: boolean } | null>(
    null,
  );
  const onPointerDown = (event: React.PointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const v = view.current;
    press.current = { x: event.clientX, y: event.clientY, tx: v.tx, ty: v.ty, moved: false };
  };
  const onPointerMove = (event: React.PointerEvent<HTMLCanvasElement>) => {
    const p = press.current;
    if (!p) return;
    const dx = event.clientX - p.x;
    const dy = event.clientY - p.y;
    if (!p.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
    p.moved = true;
    view.current = { ...view.current, tx: p.tx + dx, ty: p.ty + dy };
    requestDraw();
  };
  const onPointerUp = (event: React.PointerEvent<HTMLCanvasElement>) => {
    const p = press.current;
    press.current = null;
    if (!p || p.moved) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const v = view.current;
    const wx = (event.clientX - rect.left - v.tx) / v.scale;
    const wy = (event.clientY - rect.top - v.ty) / v.scale;
    onSelect(hitTest(props.current.model, wx, wy));
  };

  return (
    <canvas
      ref={canvasRef}
      className="graph-canvas"
      data-testid="asset-graph-canvas"
      data-node-count={model.count}
      aria-label={`Asset graph: ${model.count} nodes; use the search box to find one`}
      role="img"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => (press.current = null)}
    />
  );
}
