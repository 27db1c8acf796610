// Re-executing a finished run: every step (of a run that succeeded), from failure (a run that
// failed or was canceled), or the steps picked in the timeline. The server queues the new run
// (POST /runs/{id}/reexecute) and the page opens it.

import { useNavigate } from "react-router";

import { useReexecute, type ReexecuteBody } from "../api/launches";
import { useReadOnly } from "../api/serverInfo";
import type { RunDetail } from "../api/types";

export function ReexecuteButtons({
  run,
  finished,
  picked,
}: {
  run: RunDetail;
  finished: boolean;
  picked: readonly string[];
}) {
  const reexecute = useReexecute(run.run_id);
  const navigate = useNavigate();
  const readOnly = useReadOnly();
  const launch = (body: ReexecuteBody) =>
    reexecute.mutate(body, {
      onSuccess: (result) => void navigate(`/runs/${encodeURIComponent(result.run_id)}`),
    });
  const why = readOnly.title
    ? readOnly.title
    : !finished
    ? "The run has not finished yet."
    : !run.code_location
      ? "This run was not launched in a code location (it ran in process): launch its assets again instead."
      : null;
  const busy = reexecute.isPending;
  return (
    <div className="reexecute">
      <div className="button-row" role="group" aria-label="Re-execute">
        <button
          type="button"
          disabled={busy || why !== null || run.status !== "SUCCESS"}
          title={why ?? (run.status !== "SUCCESS" ? "Only a run that succeeded re-runs every step; re-execute from failure." : undefined)}
          onClick={() => launch({ strategy: "ALL_STEPS" })}
        >
          Re-execute all steps
        </button>
        <button
          type="button"
          disabled={busy || why !== null || (run.status !== "FAILURE" && run.status !== "CANCELED")}
          title={why ?? undefined}
          onClick={() => launch({ strategy: "FROM_FAILURE" })}
        >
          Re-execute from failure
        </button>
        <button
          type="button"
          disabled={busy || why !== null || picked.length === 0}
          title={why ?? (picked.length === 0 ? "Pick steps in the timeline first." : undefined)}
          onClick={() => launch({ strategy: "SELECTED", step_keys: [...picked] })}
        >
          {picked.length ? `Re-execute ${picked.length} picked step${picked.length > 1 ? "s" : ""}` : "Re-execute picked steps"}
        </button>
        {why && (finished || readOnly.readOnly) && <span className="muted small">{why}</span>}
      </div>
      {reexecute.isError && (
        <p className="state state-error" role="alert">
          The run could not be re-executed: {reexecute.error.message}
        </p>
      )}
    </div>
  );
}
