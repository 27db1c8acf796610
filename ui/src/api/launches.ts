// Starting runs from the UI: POST /launches (a job, or an asset selection, with a partition,
// run config and tags) and POST /runs/{id}/reexecute. Both queue the run for the daemon, as
// `headwater job launch` does; the answer names the new run so the page can open it.
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { apiPostJson } from "./client";

export interface LaunchBody {
  location: string;
  job_name?: string | null;
  /** Asset key paths, or a selection string such as "*total". */
  asset_selection?: string[][] | string | null;
  op_selection?: string[] | null;
  /** One partition, or a range "START...END" run in one run. */
  partition_key?: string | null;
  run_config?: Record<string, unknown> | null;
  tags?: Record<string, string> | null;
}

export interface LaunchResult {
  run_id: string;
  status: string;
  job_name: string;
  location: string;
  asset_selection: string[][] | null;
  partition_key: string | null;
}

export type ReexecutionStrategy = "ALL_STEPS" | "FROM_FAILURE" | "SELECTED";

export interface ReexecuteBody {
  strategy: ReexecutionStrategy;
  step_keys?: string[] | null;
  location?: string | null;
  tags?: Record<string, string> | null;
}

/** Launch a run; on success the runs list is refetched. */
export function useLaunch() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LaunchBody) => apiPostJson<LaunchResult>("/launches", body),
    onSuccess: () => client.invalidateQueries({ queryKey: ["runs"] }),
  });
}

/** Re-execute a finished run. */
export function useReexecute(runId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ReexecuteBody) =>
      apiPostJson<LaunchResult>(`/runs/${encodeURIComponent(runId)}/reexecute`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ["runs"] }),
  });
}
