import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { apiGet, apiPost } from "./client";
import type { CancelResult, Page, RunDetail, RunSummary } from "./types";

export const RUNS_PAGE_SIZE = 50;

/** A run in one of these states will not change again. */
export const FINISHED_STATUSES: ReadonlySet<string> = new Set(["SUCCESS", "FAILURE", "CANCELED"]);

export function useRuns(limit: number = RUNS_PAGE_SIZE) {
  return useQuery({
    queryKey: ["runs", { limit }],
    queryFn: ({ signal }) => apiGet<Page<RunSummary>>("/runs", { limit }, signal),
  });
}

export function useRun(runId: string) {
  return useQuery({
    queryKey: ["run", runId],
    queryFn: ({ signal }) => apiGet<RunDetail>(`/runs/${encodeURIComponent(runId)}`, {}, signal),
  });
}

export function useCancelRun(runId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiPost<CancelResult>(`/runs/${encodeURIComponent(runId)}/cancel`),
    onSettled: () => client.invalidateQueries({ queryKey: ["run", runId] }),
  });
}
