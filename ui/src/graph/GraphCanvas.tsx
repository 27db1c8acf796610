// The overview of the asset graph: two stacked canvases. The lower one is drawn with WebGL2
// (glRenderer.ts: nodes and edges, two draw calls a frame, pan and zoom as uniforms); the upper
// one is a 2D canvas with the labels of the nodes in view, once they are big enough to read.
// Where WebGL2 is unavailable or rendered in software (no GPU: SwiftShader under Chromium's
// --disable-gpu, where a frame of 10,000 instances took ~1 s against ~30 ms for the culled 2D
// canvas), the upper canvas draws everything (canvas2d.ts); `?renderer=webgl` or `?renderer=2d`
// overrides the choice, and data-webgl says what the browser offered (gpu, software, none). No DOM per node either way. Drag pans, the wheel zooms around the cursor, a
// click (a press that did not move) selects the node under it (shift/ctrl/cmd-click: picks it
// for a launch), hovering shows its key: hit tests go through the layout's grid (model.ts).
//
// The view transform is kept in a ref and drawn on the next animation frame: panning never
// re-renders React. It is mirrored on the element as data-scale / data-tx / data-ty (CSS
// pixels), with data-drawn = the hash of the graph drawn, data-status-drawn = whether the
// statuses had arrived, data-labels = how many labels are on screen and data-renderer = webgl
// or 2d, for tests and tools that need to find a node on screen or know what drew it.

import { useCallback, useEffect, useImperativeHandle, useRef, useState } from "react";
import type { Ref } from "react";

import { STATUS_STYLES, statusStyle } from "../status";
import { draw2d, DOWNSTREAM_COLOUR, EDGE_COLOUR, UPSTREAM_COLOUR } from "./canvas2d";
import { GlRenderer } from "./glRenderer";
import { drawLabels, labelsVisible, visibleNodes } from "./labels";
import { clampScale, fitView, hitTest } from "./model";
import type { GraphModel, Lineage, View } from "./model";
import { MATCH_COLOUR, PICKED_COLOUR, SELECTED_COLOUR, describeCounts, nodeStyle } from "./nodeStyle";
import type { GroupCounts } from "./nodeStyle";

const CLICK_SLOP = 4; // px a press may move and still be a click
const BACKGROUND = "#fbfcfd";

export type RendererKind = "webgl" | "2d";

export interface GraphCanvasHandle {
  fit(): void;
  /** Centre a node in the canvas less `rightInset` px on the right (a panel over it). */
  centerOn(node: number, rightInset?: number): void;
}

interface Props {
  model: GraphModel;
  /** Per node: its status character (M, F, R, -); groups are drawn in their own style. */
  statuses: string[];
  groupCounts: GroupCounts | null;
  /** Whether `statuses` came from the server yet (mirrored as data-status-drawn). */
  statusReady: boolean;
  selected: number;
  lineage: Lineage | null;
  /** Per node: 1 if it matches the search. */
  matches: Uint8Array | null;
  /** Per node: 1 if it is picked for a launch. */
  picked: Uint8Array | null;
  /** A click on a node (-1: on nothing); `extend` when shift, ctrl or cmd was held. */
  onSelect(node: number, extend: boolean): void;
  handle?: Ref<GraphCanvasHandle>;
}

/** What the page asks for with `?renderer=`: webgl, 2d, or (by default) auto: WebGL on a GPU,
 * the 2D canvas where WebGL would be rendered in software. */
function requestedRenderer(): "webgl" | "2d" | "auto" {
  const asked = new URLSearchParams(window.location.search).get("renderer");
  return asked === "webgl" || asked === "2d" ? asked : "auto";
}

export function GraphCanvas(props: Props) {
  const { model, handle } = props;
  const boxRef = useRef<HTMLDivElement>(null);
  const glCanvasRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const tipRef = useRef<HTMLDivElement>(null);
  const gl = useRef<GlRenderer | null>(null);
  const [renderer, setRenderer] = useState<RendererKind | null>(null);
  const view = useRef<View>({ scale: 1, tx: 0, ty: 0 });
  const size = useRef({ width: 0, height: 0 });
  const frame = useRef(0);
  const fitted = useRef<GraphModel | null>(null);
  const hovered = useRef(-1);
  const current = useRef(props);
  current.current = props;
  // What the GPU holds, by identity: re-uploaded only when one of these changes.
  const uploaded = useRef<{ model?: GraphModel; style?: unknown[]; lineage?: Lineage | null }>({});

  const draw = useCallback(() => {
    frame.current = 0;
    const box = boxRef.current;
    const overlay = overlayRef.current;
    const ctx = overlay?.getContext("2d");
    if (!box || !overlay || !ctx) return;
    const p = current.current;
    const m = p.model;
    const { width, height } = size.current;
    // Nothing is drawn (nor mirrored for tests) before the box has a size and the layout has
    // been fitted to it.
    if (!width || !height || fitted.current !== m) return;
    const dpr = window.devicePixelRatio || 1;
    const v = view.current;
    const glr = gl.current;
    if (glr) {
      const up = uploaded.current;
      if (up.model !== m) {
        glr.setModel(m);
        up.model = m;
        up.style = undefined;
        up.lineage = undefined;
      }
      const style = [p.statuses, p.groupCounts, p.selected, p.matches, p.picked];
      if (!up.style || style.some((value, k) => value !== up.style![k])) {
        glr.setNodeStyle(nodeStyle({ model: m, statuses: p.statuses, groupCounts: p.groupCounts,
          selected: p.selected, matches: p.matches, picked: p.picked }));
        up.style = style;
      }
      if (up.lineage !== p.lineage) {
        glr.setEdgeMarks(p.lineage?.edges ?? null);
        up.lineage = p.lineage;
      }
      glr.draw(v, width, height, dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      let labels = 0;
      if (labelsVisible(m, v)) {
        const nodes = visibleNodes(m, v, width, height);
        drawLabels(ctx, m, v, nodes, p.groupCounts);
        labels = nodes.length;
      }
      box.dataset.labels = String(labels);
    } else {
      draw2d(ctx, p, v, width, height, dpr);
    }
    box.dataset.scale = String(v.scale);
    box.dataset.tx = String(v.tx);
    box.dataset.ty = String(v.ty);
    box.dataset.drawn = m.hash;
    box.dataset.statusDrawn = String(p.statusReady);
  }, []);

  const requestDraw = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  const fit = useCallback(() => {
    const { width, height } = size.current;
    if (!width || !height) return;
    view.current = fitView(current.current.model, width, height);
    fitted.current = current.current.model;
    requestDraw();
  }, [requestDraw]);

  useImperativeHandle(
    handle,
    () => ({
      fit,
      centerOn(node: number, rightInset = 0) {
        const m = current.current.model;
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

  // Pick the renderer once: WebGL2 if the browser gives a context (software rendering counts),
  // else the 2D canvas. A lost context falls back to 2D for the rest of the page's life.
  useEffect(() => {
    const canvas = glCanvasRef.current!;
    const asked = requestedRenderer();
    let glr = asked !== "2d"
      ? GlRenderer.create(canvas, {
          background: BACKGROUND,
          edge: EDGE_COLOUR,
          upstream: UPSTREAM_COLOUR,
          downstream: DOWNSTREAM_COLOUR,
          selected: SELECTED_COLOUR,
          picked: PICKED_COLOUR,
          match: MATCH_COLOUR,
          status: [STATUS_STYLES.M.stroke, STATUS_STYLES.F.stroke, STATUS_STYLES.R.stroke,
            STATUS_STYLES["-"].stroke],
        })
      : null;
    const box = boxRef.current!;
    box.dataset.webgl = glr ? (glr.software ? "software" : "gpu") : "none";
    if (glr && asked === "auto" && glr.software) {
      glr.dispose();
      glr = null;
    }
    gl.current = glr;
    uploaded.current = {};
    setRenderer(glr ? "webgl" : "2d");
    const onLost = (event: Event) => {
      event.preventDefault();
      gl.current = null;
      setRenderer("2d");
      requestDraw();
    };
    canvas.addEventListener("webglcontextlost", onLost);
    requestDraw();
    return () => {
      canvas.removeEventListener("webglcontextlost", onLost);
      glr?.dispose();
      gl.current = null;
    };
  }, [requestDraw]);

  // A new layout is fitted to the screen (and what was hovered is gone); any other change only
  // redraws.
  useEffect(() => {
    if (fitted.current !== props.model) {
      hovered.current = -1;
      if (tipRef.current) tipRef.current.hidden = true;
      fit();
    } else requestDraw();
  }, [props.model, props.statuses, props.statusReady, props.groupCounts, props.selected, props.lineage,
    props.matches, props.picked, fit, requestDraw]);

  // The canvases follow their box's size (in device pixels, for sharp lines).
  useEffect(() => {
    const box = boxRef.current!;
    const observer = new ResizeObserver(() => {
      const dpr = window.devicePixelRatio || 1;
      size.current = { width: box.clientWidth, height: box.clientHeight };
      for (const canvas of [glCanvasRef.current, overlayRef.current]) {
        if (!canvas) continue;
        canvas.width = Math.round(box.clientWidth * dpr);
        canvas.height = Math.round(box.clientHeight * dpr);
      }
      if (fitted.current !== current.current.model) fit();
      else draw();
    });
    observer.observe(box);
    return () => {
      observer.disconnect();
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [draw, fit]);

  // Wheel zoom around the cursor (a non-passive listener, to keep the page from scrolling).
  useEffect(() => {
    const box = boxRef.current!;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = box.getBoundingClientRect();
      const mx = event.clientX - rect.left;
      const my = event.clientY - rect.top;
      const v = view.current;
      const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
      const scale = clampScale(v.scale * Math.exp(-delta * 0.0015));
      const k = scale / v.scale;
      view.current = { scale, tx: mx - (mx - v.tx) * k, ty: my - (my - v.ty) * k };
      requestDraw();
    };
    box.addEventListener("wheel", onWheel, { passive: false });
    return () => box.removeEventListener("wheel", onWheel);
  }, [requestDraw]);

  const nodeAt = (event: React.PointerEvent<HTMLDivElement>): number => {
    const rect = event.currentTarget.getBoundingClientRect();
    const v = view.current;
    const wx = (event.clientX - rect.left - v.tx) / v.scale;
    const wy = (event.clientY - rect.top - v.ty) / v.scale;
    return hitTest(current.current.model, wx, wy);
  };

  // Hover: the key (and status) of the node under the pointer, in a tooltip moved by hand.
  const hover = (event: React.PointerEvent<HTMLDivElement> | null) => {
    const tip = tipRef.current;
    const box = boxRef.current;
    if (!tip || !box) return;
    const node = event ? nodeAt(event) : -1;
    if (node !== hovered.current) {
      hovered.current = node;
      box.style.cursor = node >= 0 ? "pointer" : "";
      if (node < 0) {
        tip.hidden = true;
        return;
      }
      const p = current.current;
      const id = p.model.ids[node]!;
      tip.textContent = p.model.isGroup[node]
        ? `${id} · group of ${p.model.sizes[node]} · ${describeCounts(p.groupCounts?.[id]) || "status unknown"}`
        : `${id} · ${statusStyle(p.statuses[node]).label}`;
      tip.hidden = false;
    }
    if (event && node >= 0) {
      const rect = box.getBoundingClientRect();
      tip.style.left = `${event.clientX - rect.left + 12}px`;
      tip.style.top = `${event.clientY - rect.top + 12}px`;
    }
  };

  // Drag to pan; a press that does not move is a click.
  const press = useRef<{ x: number; y: number; tx: number; ty: number; moved: boolean } | null>(
    null,
  );
  const onPointerDown = (event: React.PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const v = view.current;
    press.current = { x: event.clientX, y: event.clientY, tx: v.tx, ty: v.ty, moved: false };
  };
  const onPointerMove = (event: React.PointerEvent<HTMLDivElement>) => {
    const p = press.current;
    if (!p) {
      hover(event);
      return;
    }
    const dx = event.clientX - p.x;
    const dy = event.clientY - p.y;
    if (!p.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
    if (!p.moved) hover(null);
    p.moved = true;
    view.current = { ...view.current, tx: p.tx + dx, ty: p.ty + dy };
    requestDraw();
  };
  const onPointerUp = (event: React.PointerEvent<HTMLDivElement>) => {
    const p = press.current;
    press.current = null;
    if (!p || p.moved) return;
    props.onSelect(nodeAt(event), event.shiftKey || event.ctrlKey || event.metaKey);
  };

  return (
    <div
      ref={boxRef}
      className="graph-canvas"
      data-testid="asset-graph-canvas"
      data-node-count={model.count}
      data-renderer={renderer ?? undefined}
      aria-label={`Asset graph: ${model.count} nodes; use the search box to find one`}
      role="img"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerLeave={() => hover(null)}
      onPointerCancel={() => (press.current = null)}
    >
      <canvas ref={glCanvasRef} className="graph-layer" hidden={renderer === "2d"} />
      <canvas ref={overlayRef} className="graph-layer" />
      <div ref={tipRef} className="graph-tooltip" role="tooltip" hidden />
    </div>
  );
}
