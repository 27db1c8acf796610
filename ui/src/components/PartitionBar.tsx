// A partition status bar on a canvas: one pixel column per bucket of consecutive partitions,
// read straight from the status string (one character per partition), so 100,000 partitions
// cost one pass over a string and one fillRect per column. A column shows the share of its
// partitions that are materialized (green, from the bottom); any failure paints it red, any
// run in progress amber.

import { useEffect, useRef, useState } from "react";

import type { PartitionStatus } from "../api/types";
import { PARTITION_COUNT_CODES, STATUS_ORDER, STATUS_STYLES } from "../status";

const HEIGHT = 28;
const M = "M".charCodeAt(0);
const F = "F".charCodeAt(0);
const R = "R".charCodeAt(0);

function drawBar(canvas: HTMLCanvasElement, statuses: string) {
  const dpr = window.devicePixelRatio || 1;
  const columns = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const height = Math.round(HEIGHT * dpr);
  canvas.width = columns;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const n = statuses.length;
  ctx.fillStyle = STATUS_STYLES["-"].fill;
  ctx.fillRect(0, 0, columns, height);
  if (n === 0) return;
  for (let c = 0; c < columns; c++) {
    const start = Math.floor((c * n) / columns);
    const end = Math.max(start + 1, Math.floor(((c + 1) * n) / columns));
    let m = 0;
    let f = 0;
    let r = 0;
    for (let i = start; i < end; i++) {
      const code = statuses.charCodeAt(i);
      if (code === M) m++;
      else if (code === F) f++;
      else if (code === R) r++;
    }
    if (f) {
      ctx.fillStyle = STATUS_STYLES.F.stroke;
      ctx.fillRect(c, 0, 1, height);
    } else if (r) {
      ctx.fillStyle = STATUS_STYLES.R.stroke;
      ctx.fillRect(c, 0, 1, height);
    } else if (m) {
      const filled = Math.max(1, Math.round((height * m) / (end - start)));
      ctx.fillStyle = STATUS_STYLES.M.stroke;
      ctx.fillRect(c, height - filled, 1, filled);
    }
  }
}

function rangeAt(status: PartitionStatus, index: number): string | null {
  const ranges = status.ranges;
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (r.end_index < index) lo = mid + 1;
    else if (r.start_index > index) hi = mid - 1;
    else {
      const label = STATUS_STYLES[PARTITION_COUNT_CODES[r.status] ?? "-"].label;
      return r.start === r.end ? `${r.start}: ${label}` : `${r.start} … ${r.end}: ${label}`;
    }
  }
  return null;
}

export function PartitionBar({ status }: { status: PartitionStatus }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<string | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current!;
    const observer = new ResizeObserver(() => drawBar(canvas, status.statuses));
    observer.observe(canvas);
    return () => observer.disconnect();
  }, [status.statuses]);

  const onMove = (event: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const index = Math.floor(((event.clientX - rect.left) / rect.width) * status.total);
    const inRange = Math.min(status.total - 1, Math.max(0, index));
    setHover(rangeAt(status, inRange) ?? `partition ${inRange + 1} of ${status.total}`);
  };

  return (
    <div className="partition-bar">
      <ul className="partition-counts" aria-label="Partition counts">
        <li data-status="TOTAL">
          <strong>{status.total.toLocaleString("en-US")}</strong> partitions
        </li>
        {STATUS_ORDER.map((code) => {
          const name = Object.keys(PARTITION_COUNT_CODES).find((k) => PARTITION_COUNT_CODES[k] === code)!;
          return (
            <li key={code} data-status={name}>
              <span className="swatch" style={{ background: STATUS_STYLES[code].stroke }} />
              {STATUS_STYLES[code].label}: <strong>{(status.counts[name] ?? 0).toLocaleString("en-US")}</strong>
            </li>
          );
        })}
      </ul>
      <canvas
        ref={canvasRef}
        role="img"
        aria-label={`Partition status of ${status.total} partitions`}
        data-testid="partition-bar"
        onPointerMove={onMove}
        onPointerLeave={() => setHover(null)}
      />
      <div className="muted partition-hover" aria-live="polite">
        {hover ?? "\u00a0"}
      </div>
    </div>
  );
}
