// An asset's checks on its page: each check's latest result (passed, failed, warned), when,
// in which run and partition, and its history on demand (cursor pages).
import { useState } from "react";
import { Link } from "react-router";

import { useAssetChecks, useCheckHistory } from "../api/assetHistory";
import type { AssetCheck, CheckEvaluation, CheckOutcome } from "../api/types";
import { formatTimestamp } from "../format";
import { MetadataList } from "./MetadataValue";

const OUTCOME_LABEL: Record<CheckOutcome, string> = {
  PASSED: "Passed",
  FAILED: "Failed",
  WARNED: "Warning",
};

const OUTCOME_CLASS: Record<CheckOutcome, string> = {
  PASSED: "status-success",
  FAILED: "status-failure",
  WARNED: "status-started",
};

export function CheckOutcomeBadge({ evaluation }: { evaluation: CheckEvaluation | null }) {
  if (evaluation === null) return <span className="status check-outcome">Not evaluated</span>;
  return (
    <span
      className={`status check-outcome ${OUTCOME_CLASS[evaluation.outcome]}`}
      data-outcome={evaluation.outcome}
    >
      {OUTCOME_LABEL[evaluation.outcome]}
    </span>
  );
}

function RunLink({ runId }: { runId: string }) {
  return (
    <Link to={`/runs/${encodeURIComponent(runId)}`}>
      <code title={runId}>{runId.slice(0, 8)}</code>
    </Link>
  );
}

function EvaluationCells({ evaluation }: { evaluation: CheckEvaluation }) {
  return (
    <>
      <td>{formatTimestamp(evaluation.timestamp)}</td>
      <td>
        <RunLink runId={evaluation.run_id} />
      </td>
      <td>{evaluation.partition ?? <span className="muted">—</span>}</td>
      <td className="wrap">
        {evaluation.description && <p className="check-description">{evaluation.description}</p>}
        <MetadataList metadata={evaluation.metadata} />
      </td>
    </>
  );
}

function CheckHistory({ assetKey, check }: { assetKey: string; check: string }) {
  const history = useCheckHistory(assetKey, check, true);
  const items = history.data?.pages.flatMap((page) => page.items) ?? [];
  if (history.isPending) return <p className="muted">Loading the history…</p>;
  if (history.isError) {
    return (
      <p className="state state-error" role="alert">
        The history could not be loaded: {history.error.message}
      </p>
    );
  }
  return (
    <>
      <table className="table check-history" aria-label={`History of ${check}`}>
        <thead>
          <tr>
            <th scope="col">Result</th>
            <th scope="col">Time</th>
            <th scope="col">Run</th>
            <th scope="col">Partition</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {items.map((evaluation) => (
            <tr key={evaluation.evaluation_id}>
              <td>
                <CheckOutcomeBadge evaluation={evaluation} />
              </td>
              <EvaluationCells evaluation={evaluation} />
            </tr>
          ))}
        </tbody>
      </table>
      {history.hasNextPage && (
        <button
          type="button"
          disabled={history.isFetchingNextPage}
          onClick={() => void history.fetchNextPage()}
        >
          {history.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
    </>
  );
}

function CheckRow({ assetKey, check }: { assetKey: string; check: AssetCheck }) {
  const [open, setOpen] = useState(false);
  const latest = check.latest;
  const historyId = `check-history-${check.name}`;
  return (
    <>
      <tr data-check-name={check.name}>
        <th scope="row">
          {check.name}
          {check.description && <div className="check-definition muted">{check.description}</div>}
        </th>
        <td>
          <CheckOutcomeBadge evaluation={latest} />
        </td>
        {latest ? <EvaluationCells evaluation={latest} /> : <td colSpan={4} className="muted">—</td>}
        <td>
          <button
            type="button"
            className="link-button"
            aria-expanded={open}
            aria-controls={historyId}
            disabled={latest === null}
            onClick={() => setOpen(!open)}
          >
            {open ? `Hide history of ${check.name}` : `Show history of ${check.name}`}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={historyId} className="check-history-row">
          <td colSpan={7}>
            <CheckHistory assetKey={assetKey} check={check.name} />
          </td>
        </tr>
      )}
    </>
  );
}

/** The Checks section of an asset page (only for an asset that has checks). */
export function AssetChecks({ assetKey }: { assetKey: string }) {
  const checks = useAssetChecks(assetKey);
  return (
    <section aria-labelledby="checks">
      <h2 id="checks">Checks</h2>
      {checks.isPending ? (
        <p className="muted">Loading checks…</p>
      ) : checks.isError ? (
        <p className="state state-error" role="alert">
          The checks could not be loaded: {checks.error.message}
        </p>
      ) : checks.data.items.length === 0 ? (
        <p className="muted">No checks.</p>
      ) : (
        <table className="table checks" aria-label="Checks">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Latest result</th>
              <th scope="col">Time</th>
              <th scope="col">Run</th>
              <th scope="col">Partition</th>
              <th scope="col">Details</th>
              <th scope="col">History</th>
            </tr>
          </thead>
          <tbody>
            {checks.data.items.map((check) => (
              <CheckRow key={check.name} assetKey={assetKey} check={check} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
