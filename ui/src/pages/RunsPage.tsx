import { Link } from "react-router";

import { useRuns } from "../api/runs";
import type { RunSummary } from "../api/types";
import { formatTimestamp } from "../format";

function RunsTable({ runs }: { runs: RunSummary[] }) {
  return (
    <table className="table" aria-label="Runs">
      <thead>
        <tr>
          <th scope="col">Run ID</th>
          <th scope="col">Job</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Ended</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.run_id}>
            <td>
              <Link to={`/runs/${encodeURIComponent(run.run_id)}`}>
                <code title={run.run_id}>{run.run_id.slice(0, 8)}</code>
              </Link>
            </td>
            <td>{run.job_name}</td>
            <td>
              <span className={`status status-${run.status.toLowerCase()}`}>{run.status}</span>
            </td>
            <td>{formatTimestamp(run.start_time)}</td>
            <td>{formatTimestamp(run.end_time)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The latest runs, newest first (the server's order). */
export function RunsPage() {
  const runs = useRuns();
  return (
    <section>
      <h1>Runs</h1>
      {runs.isPending ? (
        <p className="muted" role="status">
          Loading runs…
        </p>
      ) : runs.isError ? (
        <div className="state state-error" role="alert">
          <p>
            <strong>The runs could not be loaded.</strong> {runs.error.message}
          </p>
          <button type="button" onClick={() => void runs.refetch()}>
            Try again
          </button>
        </div>
      ) : runs.data.items.length === 0 ? (
        <div className="state state-empty">
          <p>
            <strong>No runs yet.</strong> Launch a job or materialize an asset to start one.
          </p>
        </div>
      ) : (
        <RunsTable runs={runs.data.items} />
      )}
    </section>
  );
}
