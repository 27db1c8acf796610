import type { BackfillProgress as Progress } from "../api/types";

const PARTS: readonly { key: keyof Progress; label: string; className: string }[] = [
  { key: "succeeded", label: "succeeded", className: "progress-succeeded" },
  { key: "failed", label: "failed", className: "progress-failed" },
  { key: "in_progress", label: "in progress", className: "progress-in-progress" },
  { key: "pending", label: "pending", className: "progress-pending" },
];

/** A backfill's partitions as a stacked bar: succeeded, failed, in progress, pending. */
export function BackfillProgressBar({ progress }: { progress: Progress }) {
  const total = Math.max(progress.requested, 1);
  const summary = `${progress.succeeded} of ${progress.requested} partitions succeeded`;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label="Backfill progress"
      aria-valuemin={0}
      aria-valuemax={progress.requested}
      aria-valuenow={progress.succeeded}
      aria-valuetext={summary}
      title={PARTS.map((p) => `${progress[p.key]} ${p.label}`).join(", ")}
    >
      {PARTS.map((p) =>
        progress[p.key] > 0 ? (
          <span
            key={p.key}
            className={p.className}
            style={{ width: `${(100 * progress[p.key]) / total}%` }}
          />
        ) : null,
      )}
    </div>
  );
}

/** The counts under the bar, one per kind, each with its number in `<strong>`. */
export function BackfillProgressCounts({ progress }: { progress: Progress }) {
  return (
    <ul className="inline-list progress-counts" aria-label="Progress counts">
      <li data-count="requested">
        <strong>{progress.requested}</strong> requested
      </li>
      {PARTS.map((p) => (
        <li key={p.key} data-count={p.key}>
          <span className={`swatch ${p.className}`} /> <strong>{progress[p.key]}</strong> {p.label}
        </li>
      ))}
      {progress.later_stage_runs > 0 && (
        <li data-count="later_stage_runs">
          <strong>{progress.later_stage_runs}</strong> later-stage runs (
          {progress.later_stage_succeeded} succeeded, {progress.later_stage_failed} failed)
        </li>
      )}
    </ul>
  );
}
