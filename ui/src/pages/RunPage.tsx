import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { Link, useParams } from "react-router";

import { useRunEventLog } from "../api/events";
import { FINISHED_STATUSES, useCancelRun, useRun } from "../api/runs";
import { useReadOnly } from "../api/serverInfo";
import type { RunEvent } from "../api/types";
import { ComputeLogs } from "../components/ComputeLogs";
import { EventLog } from "../components/EventLog";
import { ReexecuteButtons } from "../components/ReexecuteButtons";
import { StepFailures } from "../components/StepFailures";
import { StepTimeline } from "../components/StepTimeline";
import { formatTimestamp } from "../format";
import { deriveSteps } from "../steps";
import { LoadError } from "../components/LoadError";

/** Run-level events (start, success, failure, cancel...) change what /runs/{id} answers. */
function changesRunStatus(batch: RunEvent[]): boolean {
  return batch.length === 0 || batch.some((e) => e.step_key === null && /^(PIPELINE|RUN)_/.test(e.event_type));
}

function duration(start: number | string | null, end: number | string | null): string {
  if (typeof start !== "number") return "—";
  const seconds = (typeof end === "number" ? end : Date.now() / 1000) - start;
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** One run: its status and times, cancel while it runs, re-execute once finished; the failed
 * steps' errors, the step timeline, what a step printed, and the event log, live. */
export function RunPage() {
  const runId = useParams().runId ?? "";
  // A new run id is a new page: the picked and focused steps belong to one run.
  return <RunView key={runId} runId={runId} />;
}

function RunView({ runId }: { runId: string }) {
  const run = useRun(runId);
  const [focused, setFocused] = useState<string | null>(null);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const cancel = useCancelRun(runId);
  const readOnly = useReadOnly();
  const client = useQueryClient();
  const onBatch = useCallback(
    (batch: RunEvent[]) => {
      if (changesRunStatus(batch)) void client.invalidateQueries({ queryKey: ["run", runId] });
    },
    [client, runId],
  );
  const log = useRunEventLog(runId, onBatch);
  const finishedStatus = run.data ? FINISHED_STATUSES.has(run.data.status) : false;
  const endTime = typeof run.data?.end_time === "number" ? run.data.end_time : null;
  const steps = useMemo(
    () => deriveSteps(log.events, finishedStatus, endTime),
    // `log.version` changes whenever events were appended to the same array.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [log.events, log.version, finishedStatus, endTime],
  );
  const onPick = useCallback((step: string, on: boolean) => {
    setPicked((current) => {
      const next = new Set(current);
      if (on) next.add(step);
      else next.delete(step);
      return next;
    });
  }, []);

  if (run.isPending) {
    return (
      <section>
        <h1>Run {runId.slice(0, 8)}</h1>
        <p className="muted" role="status">
          Loading the run…
        </p>
      </section>
    );
  }
  if (run.isError) {
    return (
      <section>
        <h1>Run {runId.slice(0, 8)}</h1>
        <LoadError what="The run" message={run.error.message} />
      </section>
    );
  }
  const r = run.data;
  const finished = FINISHED_STATUSES.has(r.status);
  return (
    <section className="run-page">
      <p className="breadcrumb">
        <Link to="/runs">Runs</Link> /
      </p>
      <div className="run-head">
        <h1>
          Run <code title={r.run_id}>{r.run_id.slice(0, 8)}</code>
        </h1>
        <span className={`status status-${r.status.toLowerCase()}`} data-testid="run-status">
          {r.status}
        </span>
        {!finished && r.status !== "CANCELING" && (
          <button
            type="button"
            onClick={() => cancel.mutate()}
            disabled={readOnly.readOnly || cancel.isPending}
            title={readOnly.title}
          >
            {cancel.isPending ? "Canceling…" : "Cancel run"}
          </button>
        )}
      </div>
      <ReexecuteButtons run={r} finished={finished} picked={steps.filter((s) => picked.has(s.key)).map((s) => s.key)} />
      {cancel.isError && (
        <p className="state state-error" role="alert">
          The run could not be canceled: {cancel.error.message}
        </p>
      )}
      <dl className="facts facts-row">
        <dt>Job</dt>
        <dd>{r.job_name}</dd>
        <dt>Started</dt>
        <dd>{formatTimestamp(r.start_time)}</dd>
        <dt>Ended</dt>
        <dd>{formatTimestamp(r.end_time)}</dd>
        <dt>Duration</dt>
        <dd>{duration(r.start_time, r.end_time)}</dd>
        {r.partition_key && (
          <>
            <dt>Partition</dt>
            <dd>{r.partition_key}</dd>
          </>
        )}
      </dl>
      <StepFailures steps={steps} onFocus={setFocused} />
      <h2>Steps</h2>
      <StepTimeline
        steps={steps}
        focused={focused}
        onFocus={setFocused}
        picked={picked}
        onPick={onPick}
      />
      {focused ? (
        <ComputeLogs
          runId={runId}
          stepKey={focused}
          follow={!finished && steps.some((s) => s.key === focused && s.outcome === "running")}
        />
      ) : (
        steps.length > 0 && <p className="muted small">Click a step's bar to see what it printed and its events only.</p>
      )}
      <h2>
        Events{" "}
        <span className="muted small">
          {log.phase === "loading" ? "loading…" : log.phase === "live" ? "live" : ""}
        </span>
      </h2>
      {log.error && (
        <p className="state state-error" role="alert">
          The event log could not be loaded: {log.error}
        </p>
      )}
      <EventLog
        events={log.events}
        version={log.version}
        step={focused ?? ""}
        onStepChange={(step) => setFocused(step || null)}
      />
    </section>
  );
}
