// A run's steps as the step timeline and the failure panel show them, derived from the run's
// event log alone: STEP_START opens a step (its first start is where its bar begins), and
// STEP_SUCCESS / STEP_FAILURE / STEP_SKIPPED close it. A retry (STEP_UP_FOR_RETRY, then
// STEP_RESTARTED) keeps the bar open. A step still open when the run has finished was cut off
// (canceled, or its process died): it ends where the run ended.

import type { ErrorInfo, RunEvent } from "./api/types";

export type StepOutcome = "running" | "success" | "failure" | "skipped" | "interrupted";

export interface StepSpan {
  key: string;
  /** Epoch seconds; null for a step that was skipped without starting. */
  start: number | null;
  end: number | null;
  outcome: StepOutcome;
  attempts: number;
  error: ErrorInfo | null;
}

export function deriveSteps(
  events: readonly RunEvent[],
  runFinished: boolean,
  runEnd: number | null,
): StepSpan[] {
  const byKey = new Map<string, StepSpan>();
  let lastTimestamp: number | null = null;
  for (const e of events) {
    lastTimestamp = e.timestamp;
    const key = e.step_key;
    if (!key) continue;
    let step = byKey.get(key);
    const open = () => {
      if (!step) {
        step = { key, start: null, end: null, outcome: "running", attempts: 0, error: null };
        byKey.set(key, step);
      }
      return step;
    };
    switch (e.event_type) {
      case "STEP_START":
      case "STEP_RESTARTED": {
        const s = open();
        if (s.start === null) s.start = e.timestamp;
        s.attempts += 1;
        s.outcome = "running";
        s.end = null;
        break;
      }
      case "STEP_SUCCESS": {
        const s = open();
        s.outcome = "success";
        s.end = e.timestamp;
        break;
      }
      case "STEP_FAILURE": {
        const s = open();
        s.outcome = "failure";
        s.end = e.timestamp;
        s.error = e.error;
        break;
      }
      case "STEP_SKIPPED": {
        const s = open();
        s.outcome = "skipped";
        s.end = e.timestamp;
        break;
      }
      default:
        break;
    }
  }
  const steps = [...byKey.values()];
  if (runFinished) {
    for (const s of steps) {
      if (s.outcome === "running") {
        s.outcome = "interrupted";
        s.end = runEnd ?? lastTimestamp;
      }
    }
  }
  // In the order they started (steps that never started last, by key).
  return steps.sort((a, b) => {
    if (a.start === null || b.start === null) {
      return a.start === null && b.start === null
        ? a.key.localeCompare(b.key)
        : a.start === null
          ? 1
          : -1;
    }
    return a.start - b.start || a.key.localeCompare(b.key);
  });
}

/** The error a user wrote or raised: the first in the chain that has frames (the step's own
 * wrapper has none), else the outermost. */
export function userError(error: ErrorInfo): ErrorInfo {
  for (let e: ErrorInfo | null | undefined = error; e; e = e.cause) {
    if (e.stack.length > 0) return e;
  }
  return error;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
