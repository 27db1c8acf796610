// What one step printed to stdout or stderr, followed while the step runs.

import { useEffect, useLayoutEffect, useRef, useState } from "react";

import { useComputeLog } from "../api/computeLogs";
import type { ComputeLogIo } from "../api/types";

export function ComputeLogs({ runId, stepKey, follow }: { runId: string; stepKey: string; follow: boolean }) {
  const [io, setIo] = useState<ComputeLogIo>("stdout");
  const log = useComputeLog(runId, stepKey, io, follow);
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    stick.current = true;
  }, [stepKey, io]);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [log.text]);
  return (
    <section className="compute-logs" aria-label={`Captured output of ${stepKey}`}>
      <div className="compute-logs-head">
        <h3>
          Output of <code>{stepKey}</code>
        </h3>
        <div className="tabs" role="group" aria-label="Stream">
          {(["stdout", "stderr"] as const).map((name) => (
            <button
              key={name}
              type="button"
              aria-pressed={io === name}
              onClick={() => setIo(name)}
            >
              {name}
            </button>
          ))}
        </div>
        <span className="muted small" role="status">
          {follow ? "following" : ""}
        </span>
      </div>
      {log.error && (
        <p className="state state-error" role="alert">
          The {io} of {stepKey} could not be read: {log.error}
        </p>
      )}
      <pre
        ref={box}
        className="compute-log"
        role="log"
        aria-label={`${io} of ${stepKey}`}
        onScroll={(event) => {
          const el = event.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
        }}
      >
        {log.text}
      </pre>
      {log.loaded && !log.text && (
        <p className="muted small">
          {stepKey} wrote nothing to {io}
          {follow ? " yet" : ""}.
        </p>
      )}
    </section>
  );
}
