import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { apiGet, apiPost } from "./client";
import type { Backfill, BackfillDetail, Page } from "./types";

export const BACKFILLS_PAGE_SIZE = 50;

/** A backfill in one of these states will not change again. */
export const FINISHED_BACKFILL_STATUSES: ReadonlySet<string> = new Set([
  "COMPLETED",
  "COMPLETED_SUCCESS",
  "COMPLETED_FAILED",
  "FAILED",
  "CANCELED",
]);

/** How often an unfinished backfill's page reads its progress again. */
const PROGRESS_REFRESH_MS = 2_000;

export function useBackfills(limit: number = BACKFILLS_PAGE_SIZE) {
  return useQuery({
    queryKey: ["backfills", { limit }],
    queryFn: ({ signal }) => apiGet<Page<Backfill>>("/backfills", { limit }, signal),
  });
}

export function useBackfill(backfillId: string) {
  return useQuery({
    queryKey: ["backfill", backfillId],
    queryFn: ({ signal }) =>
      apiGet<BackfillDetail>(`/backfills/${encodeURIComponent(backfillId)}`, {}, signal),
    refetchInterval: (query) =>
      query.state.data && FINISHED_BACKFILL_STATUSES.has(query.state.data.status)
        ? false
        : PROGRESS_REFRESH_MS,
  });
}

export function useCancelBackfill(backfillId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      apiPost<BackfillDetail>(`/backfills/${encodeURIComponent(backfillId)}/cancel`),
    onSuccess: (detail) => client.setQueryData(["backfill", backfillId], detail),
    onSettled: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: ["backfill", backfillId] }),
        client.invalidateQueries({ queryKey: ["backfills"] }),
      ]),
  });
}
