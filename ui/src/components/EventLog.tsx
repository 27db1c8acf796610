// A run's event log as a windowed list: every row's height is known from its content (one line,
// plus one fixed-height line per line of an error's stack), so the offsets are a prefix sum and
// only the rows in the scrolled window (plus a margin) are in the DOM, whatever the log's size.

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import type { ErrorInfo, RunEvent } from "../api/types";
import { errorHeadline } from "../format";

const ROW = 26; // px: one event line
const LINE = 16; // px: one line of an error block (white-space: pre, fixed line height)
const OVERSCAN = 400; // px rendered above and below the window
// A step menu longer than this is no use to anyone and costs seconds of DOM work per batch on
// a run of 10,000 steps: past it the menu holds the chosen step only (the text filter and the
// step timeline find the others).
const MAX_STEP_OPTIONS = 500;

function errorLines(error: ErrorInfo | null | undefined): string[] {
  const lines: string[] = [];
  let e = error;
  let first = true;
  while (e) {
    if (!first) lines.push("", "The above was caused by:");
    lines.push(errorHeadline(e));
    for (const frame of e.stack) lines.push(...frame.replace(/\n$/, "").split("\n"));
    e = e.cause;
    first = false;
  }
  return lines.flatMap((line) => line.split("\n"));
}

function time(ts: number): string {
  const d = new Date(ts * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

interface Row {
  event: RunEvent;
  lines: string[] | null;
}

export interface EventLogProps {
  events: readonly RunEvent[];
  version: number;
  /** The step filter, when the page owns it (the step timeline sets it); "" for every step. */
  step?: string;
  onStepChange?: (step: string) => void;
}

export function EventLog({ events, version, step: stepProp, onStepChange }: EventLogProps) {
  const [text, setText] = useState("");
  const [ownStep, setOwnStep] = useState("");
  const step = stepProp ?? ownStep;
  const setStep = onStepChange ?? setOwnStep;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const stick = useRef(true);

  // `version` changes whenever events were appended to the same array.
  const steps = useMemo(() => {
    const seen = new Set<string>();
    for (const e of events) if (e.step_key) seen.add(e.step_key);
    return [...seen].sort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [events, version]);

  const { rows, offsets } = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const rows: Row[] = [];
    for (const event of events) {
      if (step && event.step_key !== step) continue;
      if (
        needle &&
        !event.message.toLowerCase().includes(needle) &&
        !event.event_type.toLowerCase().includes(needle) &&
        !(event.step_key ?? "").toLowerCase().includes(needle)
      )
        continue;
      rows.push({ event, lines: event.error ? errorLines(event.error) : null });
    }
    const offsets = new Float64Array(rows.length + 1);
    for (let i = 0; i < rows.length; i++) {
      const lines = rows[i]!.lines;
      offsets[i + 1] = offsets[i]! + ROW + (lines ? lines.length * LINE + 12 : 0);
    }
    return { rows, offsets };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [events, version, text, step]);

  const total = offsets[rows.length]!;

  useEffect(() => {
    const el = scroller.current!;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Follow the tail while the reader is at the bottom.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [total]);

  // The first row whose bottom is below the window's top (binary search over the offsets).
  const top = Math.max(0, scrollTop - OVERSCAN);
  const bottom = scrollTop + viewport + OVERSCAN;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1]! <= top) lo = mid + 1;
    else hi = mid;
  }
  const visible: number[] = [];
  for (let i = lo; i < rows.length && offsets[i]! < bottom; i++) visible.push(i);

  return (
    <div className="event-log">
      <div className="event-log-filters">
        <input
          type="search"
          placeholder="Filter events"
          aria-label="Filter events"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <select aria-label="Step" value={step} onChange={(event) => setStep(event.target.value)}>
          <option value="">All steps</option>
          {(steps.length > MAX_STEP_OPTIONS ? (step ? [step] : []) : steps).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
          {steps.length > MAX_STEP_OPTIONS && (
            <option disabled value="-">
              {steps.length} steps: pick one in the timeline, or filter by text
            </option>
          )}
        </select>
        <span className="muted" role="status">
          {rows.length === events.length
            ? `${events.length} events`
            : `${rows.length} of ${events.length} events`}
        </span>
      </div>
      <div className="event-log-head" aria-hidden="true">
        <span>Time</span>
        <span>Level</span>
        <span>Step</span>
        <span>Type</span>
        <span>Message</span>
      </div>
      <div
        className="event-log-scroll"
        ref={scroller}
        role="log"
        aria-label="Event log"
        onScroll={(event) => {
          const el = event.currentTarget;
          setScrollTop(el.scrollTop);
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
        }}
      >
        <div style={{ height: total, position: "relative" }}>
          {visible.map((i) => {
            const { event, lines } = rows[i]!;
            return (
              <div
                key={event.storage_id}
                className={`event-row level-${event.level.toLowerCase()}${lines ? " has-error" : ""}`}
                style={{ top: offsets[i], height: offsets[i + 1]! - offsets[i]! }}
                data-event-type={event.event_type}
              >
                <div className="event-line">
                  <span className="event-time">{time(event.timestamp)}</span>
                  <span className="event-level">{event.level}</span>
                  <span className="event-step" title={event.step_key ?? ""}>
                    {event.step_key ?? ""}
                  </span>
                  <span className="event-type">{event.event_type}</span>
                  <span className="event-message" title={event.message}>
                    {event.message}
                  </span>
                </div>
                {lines && <pre className="event-error">{lines.join("\n")}</pre>}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
