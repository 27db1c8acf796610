import { Link, useParams } from "react-router";

import { FINISHED_BACKFILL_STATUSES, useBackfill, useCancelBackfill } from "../api/backfills";
import { useReadOnly } from "../api/serverInfo";
import type { BackfillDetail, BackfillRun } from "../api/types";
import { BackfillProgressBar, BackfillProgressCounts } from "../components/BackfillProgress";
import { formatTimestamp } from "../format";
import { partitionsLabel, selectionLabel } from "./BackfillsPage";
import { LoadError } from "../components/LoadError";

function runPartitions(run: BackfillRun): string {
  if (run.partition_key) return run.partition_key;
  if (run.partition_range_start && run.partition_range_end) {
    return run.partition_range_start === run.partition_range_end
      ? run.partition_range_start
      : `${run.partition_range_start} … ${run.partition_range_end}`;
  }
  return "—";
}

function CancelButton({ backfill }: { backfill: BackfillDetail }) {
  const cancel = useCancelBackfill(backfill.backfill_id);
  const readOnly = useReadOnly();
  if (FINISHED_BACKFILL_STATUSES.has(backfill.status) || backfill.status === "CANCELING") {
    return null;
  }
  return (
    <>
      <button
        type="button"
        disabled={readOnly.readOnly || cancel.isPending}
        title={readOnly.title}
        onClick={() => cancel.mutate()}
      >
        {cancel.isPending ? "Canceling…" : "Cancel backfill"}
      </button>
      {cancel.isError && (
        <p className="state state-error" role="alert">
          Cancel failed: {cancel.error.message}
        </p>
      )}
    </>
  );
}

function BackfillBody({ backfill }: { backfill: BackfillDetail }) {
  return (
    <>
      <header className="run-head">
        <h1>Backfill {backfill.backfill_id}</h1>
        <span
          className={`status status-${backfill.status.toLowerCase()}`}
          data-testid="backfill-status"
        >
          {backfill.status}
        </span>
        <CancelButton backfill={backfill} />
      </header>
      <dl className="facts facts-row">
        {backfill.title && (
          <>
            <dt>Title</dt>
            <dd>{backfill.title}</dd>
          </>
        )}
        <dt>Selection</dt>
        <dd>{selectionLabel(backfill)}</dd>
        <dt>Partitions</dt>
        <dd>{partitionsLabel(backfill)}</dd>
        <dt>Location</dt>
        <dd>{backfill.location ?? "—"}</dd>
        <dt>Created</dt>
        <dd>{formatTimestamp(backfill.created_at)}</dd>
        <dt>Ended</dt>
        <dd>{formatTimestamp(backfill.end_time)}</dd>
      </dl>
      {backfill.error && (
        <div className="state state-error">
          <pre className="stack">{backfill.error}</pre>
        </div>
      )}
      <h2>Progress</h2>
      <BackfillProgressBar progress={backfill.progress} />
      <BackfillProgressCounts progress={backfill.progress} />
      <h2>
        Runs <span className="muted small">{backfill.run_count}</span>
      </h2>
      {backfill.runs.length === 0 ? (
        <p className="muted">No runs yet: the daemon launches them.</p>
      ) : (
        <>
          {backfill.run_count > backfill.runs.length && (
            <p className="muted small">The newest {backfill.runs.length} runs.</p>
          )}
          <table className="table" aria-label="Backfill runs">
            <thead>
              <tr>
                <th scope="col">Run ID</th>
                <th scope="col">Partitions</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {backfill.runs.map((run) => (
                <tr key={run.run_id}>
                  <td>
                    <Link to={`/runs/${encodeURIComponent(run.run_id)}`}>
                      <code title={run.run_id}>{run.run_id.slice(0, 8)}</code>
                    </Link>
                  </td>
                  <td>{runPartitions(run)}</td>
                  <td>
                    <span className={`status status-${run.status.toLowerCase()}`}>{run.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

/** One backfill: progress, its runs, cancel while it is not finished. */
export function BackfillPage() {
  const { backfillId = "" } = useParams();
  const backfill = useBackfill(backfillId);
  return (
    <section>
      <p className="breadcrumb">
        <Link to="/backfills">Backfills</Link>
      </p>
      {backfill.isPending ? (
        <p className="muted" role="status">
          Loading the backfill…
        </p>
      ) : backfill.isError ? (
        <LoadError what="The backfill" message={backfill.error.message} retry={() => void backfill.refetch()} />
      ) : (
        <BackfillBody backfill={backfill.data} />
      )}
    </section>
  );
}
