import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { apiGet, apiPost } from "./client";
import type { CancelResult, Page, RunDetail, RunSummary } from "./types";

export const RUNS_PAGE_SIZE = 50;

/** A run in one of these states will not change again. */
export const FINISHED_STATUSES: ReadonlySet<string> = new Set(["SUCCESS", "FAILURE", "CANCELED"]);

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

/** What the run list is narrowed to (all optional); kept in the page's URL. */
export interface RunFilters {
  statuses: string[];
  job: string;
  /** "KEY=VALUE" each; every one must match. */
  tags: string[];
}

/** The run list's pages under `filters`, newest first; `fetchNextPage` follows the cursor.
 * The first page is read again every few seconds so new and finishing runs show up. */
export function useRunPages(filters: RunFilters, limit: number = RUNS_PAGE_SIZE) {
  return useInfiniteQuery({
    queryKey: ["runs", "pages", filters, limit],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      apiGet<Page<RunSummary>>(
        "/runs",
        {
          status: filters.statuses,
          job_name: filters.job || null,
          tag: filters.tags,
          cursor: pageParam,
          limit,
        },
        signal,
      ),
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: 5_000,
  });
}
