import { useState } from "react";
import { Link } from "react-router";

import { useBackfills } from "../api/backfills";
import { useReadOnly } from "../api/serverInfo";
import type { Backfill } from "../api/types";
import { BackfillLaunchForm } from "../components/BackfillLaunchForm";
import { BackfillProgressBar } from "../components/BackfillProgress";
import { formatTimestamp } from "../format";
import { LoadError } from "../components/LoadError";

/** Its title, else what it materializes: the assets' keys, else the job (a backfill of
 * assets also names the implicit asset job, `__ASSET_JOB`, which says nothing to the user). */
export function backfillLabel(backfill: Backfill): string {
  return backfill.title || selectionLabel(backfill);
}

export function selectionLabel(backfill: Backfill): string {
  const keys = backfill.asset_selection.map((path) => path.join("/"));
  if (keys.length === 0) return backfill.job_name ?? "—";
  return keys.length > 3 ? `${keys.slice(0, 3).join(", ")} and ${keys.length - 3} more` : keys.join(", ");
}

export function partitionsLabel(backfill: Backfill): string {
  if (backfill.partition_count === 0) return "no partitions";
  if (backfill.partition_count === 1) return backfill.first_partition ?? "1 partition";
  return `${backfill.partition_count} partitions (${backfill.first_partition} … ${backfill.last_partition})`;
}

function BackfillsTable({ items }: { items: Backfill[] }) {
  return (
    <table className="table" aria-label="Backfills">
      <thead>
        <tr>
          <th scope="col">ID</th>
          <th scope="col">Selection</th>
          <th scope="col">Partitions</th>
          <th scope="col">Status</th>
          <th scope="col">Progress</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {items.map((b) => (
          <tr key={b.backfill_id} data-backfill-id={b.backfill_id}>
            <td>
              <Link to={`/backfills/${encodeURIComponent(b.backfill_id)}`}>
                <code>{b.backfill_id}</code>
              </Link>
            </td>
            <td>{backfillLabel(b)}</td>
            <td>{partitionsLabel(b)}</td>
            <td>
              <span className={`status status-${b.status.toLowerCase()}`}>{b.status}</span>
            </td>
            <td>
              <BackfillProgressBar progress={b.progress} />
            </td>
            <td>{formatTimestamp(b.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The latest backfills, newest first, with their progress ("Load more" follows the
 * cursor), and a form to launch one. */
export function BackfillsPage() {
  const backfills = useBackfills();
  const [launching, setLaunching] = useState(false);
  const readOnly = useReadOnly();
  const items = backfills.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section>
      <header className="run-head">
        <h1>Backfills</h1>
        <button
          type="button"
          aria-expanded={launching && !readOnly.readOnly}
          disabled={readOnly.readOnly}
          title={readOnly.title}
          onClick={() => setLaunching(!launching)}
        >
          Launch a backfill
        </button>
      </header>
      {launching && !readOnly.readOnly && <BackfillLaunchForm onCancel={() => setLaunching(false)} />}
      {backfills.isPending ? (
        <p className="muted" role="status">
          Loading backfills…
        </p>
      ) : backfills.isError ? (
        <LoadError what="The backfills" message={backfills.error.message} retry={() => void backfills.refetch()} />
      ) : items.length === 0 ? (
        <div className="state state-empty">
          <p>
            <strong>No backfills yet.</strong> Launch one here or with{" "}
            <code>headwater backfill launch</code>.
          </p>
        </div>
      ) : (
        <>
          <BackfillsTable items={items} />
          {backfills.hasNextPage && (
            <button
              type="button"
              disabled={backfills.isFetchingNextPage}
              onClick={() => void backfills.fetchNextPage()}
            >
              {backfills.isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          )}
        </>
      )}
    </section>
  );
}
