// The failed steps' errors, above everything else on a failed run's page: the user's own
// exception (not the step's wrapper) with its frames, and the errors it was raised from.

import type { ErrorInfo } from "../api/types";
import { errorHeadline } from "../format";
import { type StepSpan, userError } from "../steps";

const SHOWN = 5;

function chainText(error: ErrorInfo): string {
  const parts: string[] = [];
  for (let e: ErrorInfo | null | undefined = error; e; e = e.cause) {
    if (parts.length) parts.push("\nThe above was caused by:\n");
    parts.push("Traceback (most recent call last):\n" + e.stack.join(""));
    parts.push(errorHeadline(e));
  }
  return parts.join("").trimEnd();
}

export function StepFailures({ steps, onFocus }: { steps: readonly StepSpan[]; onFocus: (step: string) => void }) {
  const failed = steps.filter((s) => s.outcome === "failure" && s.error);
  if (failed.length === 0) return null;
  return (
    <div className="step-failures">
      {failed.slice(0, SHOWN).map((s) => {
        const error = userError(s.error!);
        return (
          <section key={s.key} className="step-failure" aria-label={`Failure of step ${s.key}`}>
            <h2>
              Step{" "}
              <button type="button" className="link-button" onClick={() => onFocus(s.key)}>
                {s.key}
              </button>{" "}
              failed
            </h2>
            <p className="step-failure-headline">{errorHeadline(error)}</p>
            <pre className="stack">{chainText(error)}</pre>
          </section>
        );
      })}
      {failed.length > SHOWN && (
        <p className="muted">and {failed.length - SHOWN} more failed steps (see the timeline)</p>
      )}
    </div>
  );
}
