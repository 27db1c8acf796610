import { Link, useParams } from "react-router";

import type { InstigatorKind } from "../api/instigators";
import { useTicks } from "../api/instigators";
import type { Tick } from "../api/types";
import { formatTimestamp } from "../format";
import { LoadError } from "../components/LoadError";

function TickRow({ tick }: { tick: Tick }) {
  return (
    <tr data-status={tick.status}>
      <td>
        <span className={`status status-${tick.status.toLowerCase()}`}>{tick.status}</span>
      </td>
      <td>{formatTimestamp(tick.timestamp)}</td>
      <td>
        {tick.run_ids.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="inline-list">
            {tick.run_ids.map((runId) => (
              <li key={runId}>
                <Link to={`/runs/${encodeURIComponent(runId)}`}>
                  <code title={runId}>{runId.slice(0, 8)}</code>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="wrap">
        {tick.skip_reason && <span className="skip-reason">{tick.skip_reason}</span>}
        {tick.error && <pre className="stack tick-error">{tick.error}</pre>}
      </td>
    </tr>
  );
}

/** A schedule's or sensor's ticks, newest first, with "Load more" following the cursor. */
export function TicksPage({ kind }: { kind: InstigatorKind }) {
  const { location = "", name = "" } = useParams();
  const ticks = useTicks(kind, location, name);
  const items = ticks.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section>
      <p className="breadcrumb">
        <Link to="/automation">Automation</Link> / {kind === "schedules" ? "Schedule" : "Sensor"} in{" "}
        {location}
      </p>
      <h1>{name}</h1>
      {ticks.isPending ? (
        <p className="muted" role="status">
          Loading ticks…
        </p>
      ) : ticks.isError ? (
        <LoadError what="The ticks" message={ticks.error.message} retry={() => void ticks.refetch()} />
      ) : items.length === 0 ? (
        <div className="state state-empty">
          <p>
            <strong>No ticks yet.</strong> The daemon ticks it while it is running.
          </p>
        </div>
      ) : (
        <>
          <table className="table" aria-label="Ticks">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Time</th>
                <th scope="col">Runs</th>
                <th scope="col">Skip reason / error</th>
              </tr>
            </thead>
            <tbody>
              {items.map((tick) => (
                <TickRow key={tick.tick_id} tick={tick} />
              ))}
            </tbody>
          </table>
          {ticks.hasNextPage && (
            <button
              type="button"
              disabled={ticks.isFetchingNextPage}
              onClick={() => void ticks.fetchNextPage()}
            >
              {ticks.isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          )}
        </>
      )}
    </section>
  );
}
