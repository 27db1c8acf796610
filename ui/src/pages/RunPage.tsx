import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { Link, useParams } from "react-router";

import { useRunEventLog } from "../api/events";
import { FINISHED_STATUSES, useCancelRun, useRun } from "../api/runs";
import type { RunEvent } from "../api/types";
import { EventLog } from "../components/EventLog";
import { formatTimestamp } from "../format";

/** Run-level events (start, success, failure, cancel...) change what /runs/{id} answers. */
function changesRunStatus(batch: RunEvent[]): boolean {
  return batch.length === 0 || batch.some((e) => e.step_key === null && /^(PIPELINE|RUN)_/.test(e.event_type));
}

function duration(start: number | string | null, end: number | string | null): string {
  if (typeof start !== "number") return "—";
  const seconds = (typeof end === "number" ? end : Date.now() / 1000) - start;
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** One run: its status and times, cancel while it runs, and its event log, live. */
export function RunPage() {
  const runId = useParams().runId ?? "";
  const run = useRun(runId);
  const cancel = useCancelRun(runId);
  const client = useQueryClient();
  const onBatch = useCallback(
    (batch: RunEvent[]) => {
      if (changesRunStatus(batch)) void client.invalidateQueries({ queryKey: ["run", runId] });
    },
    [client, runId],
  );
  const log = useRunEventLog(runId, onBatch);

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
        <div className="state state-error" role="alert">
          <p>
            <strong>The run could not be loaded.</strong> {run.error.message}
          </p>
        </div>
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
          <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? "Canceling…" : "Cancel run"}
          </button>
        )}
      </div>
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
      <EventLog events={log.events} version={log.version} />
    </section>
  );
}
