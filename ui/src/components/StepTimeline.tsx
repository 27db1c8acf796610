// The run's steps as a Gantt chart: a row per step, a bar from its start to its end coloured by
// outcome; a running step's bar grows with the clock (re-drawn twice a second while any step
// runs). A bar selects its step (the page then filters the log and shows what the step
// printed); a checkbox per row picks steps to re-execute. Rows have one height, so only those
// in the scrolled window are in the DOM (a run of 10,000 steps draws a few dozen rows).

import { useEffect, useState } from "react";

import { formatSeconds, type StepSpan } from "../steps";

const ROW = 24; // px, as .timeline-row's height
const VIEW = 360; // px, as .timeline-rows' max-height
const OVERSCAN = 10; // rows drawn above and below the window

const OUTCOME_LABEL: Record<StepSpan["outcome"], string> = {
  running: "running",
  success: "succeeded",
  failure: "failed",
  skipped: "skipped",
  interrupted: "interrupted",
};

function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now() / 1000);
    const timer = setInterval(() => setNow(Date.now() / 1000), 500);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

export interface StepTimelineProps {
  steps: readonly StepSpan[];
  /** The step whose bar was clicked (the log's filter), or null. */
  focused: string | null;
  onFocus: (step: string | null) => void;
  /** Steps picked for re-execution. */
  picked: ReadonlySet<string>;
  onPick: (step: string, picked: boolean) => void;
}

export function StepTimeline({ steps, focused, onFocus, picked, onPick }: StepTimelineProps) {
  const running = steps.some((s) => s.outcome === "running");
  const now = useNow(running);
  const [scrollTop, setScrollTop] = useState(0);
  if (steps.length === 0) {
    return <p className="muted">No step has started yet.</p>;
  }
  // (loops, not Math.min(...xs): a spread of 100,000 arguments overflows the stack)
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const s of steps) {
    if (s.start !== null && s.start < t0) t0 = s.start;
    const end = s.end ?? (s.outcome === "running" ? now : s.start);
    if (end !== null && end > t1) t1 = end;
  }
  if (t0 === Infinity) t0 = now;
  t1 = Math.max(t0 + 0.001, t1);
  const span = t1 - t0;
  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(steps.length, Math.ceil((scrollTop + VIEW) / ROW) + OVERSCAN);
  return (
    <div className="timeline">
      <div className="timeline-axis muted small" aria-hidden="true">
        <span>0 s</span>
        <span>{formatSeconds(span)}</span>
      </div>
      <ul
        className="timeline-rows"
        aria-label="Step timeline"
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      >
        {first > 0 && <li aria-hidden="true" style={{ height: first * ROW }} />}
        {steps.slice(first, last).map((s) => {
          const start = s.start ?? s.end ?? t0;
          const end = s.end ?? (s.outcome === "running" ? now : start);
          const left = ((start - t0) / span) * 100;
          const width = Math.max(0.5, ((end - start) / span) * 100);
          const took = s.start === null ? "" : `, ${formatSeconds(Math.max(0, end - start))}`;
          const label = `${s.key}: ${OUTCOME_LABEL[s.outcome]}${took}`;
          return (
            <li
              key={s.key}
              className={`timeline-row${focused === s.key ? " focused" : ""}`}
              data-step={s.key}
              data-outcome={s.outcome}
            >
              <input
                type="checkbox"
                aria-label={`Pick ${s.key} to re-execute`}
                checked={picked.has(s.key)}
                onChange={(event) => onPick(s.key, event.target.checked)}
              />
              <span className="timeline-key" title={s.key}>
                {s.key}
              </span>
              <span className="timeline-track">
                <button
                  type="button"
                  className={`timeline-bar bar-${s.outcome}`}
                  style={{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }}
                  aria-label={label}
                  title={label}
                  aria-pressed={focused === s.key}
                  onClick={() => onFocus(focused === s.key ? null : s.key)}
                />
              </span>
              <span className="timeline-took muted small">
                {OUTCOME_LABEL[s.outcome]}
                {took}
                {s.attempts > 1 ? ` (${s.attempts} attempts)` : ""}
              </span>
            </li>
          );
        })}
        {last < steps.length && <li aria-hidden="true" style={{ height: (steps.length - last) * ROW }} />}
      </ul>
    </div>
  );
}
