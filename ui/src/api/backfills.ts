import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { apiGet, apiPost, apiPostJson } from "./client";
import type { Asset, Backfill, BackfillDetail, Page } from "./types";

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

/** Backfills, newest first; `fetchNextPage` follows the cursor ("Load more"). */
export function useBackfills(limit: number = BACKFILLS_PAGE_SIZE) {
  return useInfiniteQuery({
    queryKey: ["backfills", { limit }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      apiGet<Page<Backfill>>("/backfills", { limit, cursor: pageParam }, signal),
    getNextPageParam: (last) => last.next_cursor,
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

/** The body of POST /backfills (api/backfills.py's BackfillLaunch). */
export interface BackfillLaunchBody {
  location: string;
  /** Asset key paths (or a selection string); or `job_name`. */
  asset_selection?: string[][] | string | null;
  job_name?: string | null;
  /** Exactly one of partition_keys, partition_range, all_partitions. */
  partition_keys?: string[] | null;
  partition_range?: { start: string; end: string } | null;
  all_partitions?: boolean;
  /** auto (the assets' BackfillPolicy), single-run, per-partition, multi-run:N. */
  policy?: string;
  title?: string | null;
  tags?: Record<string, string> | null;
}

/** Store a backfill for the daemon; the answer is the new backfill (its page can open). */
export function useLaunchBackfill() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: BackfillLaunchBody) => apiPostJson<BackfillDetail>("/backfills", body),
    onSuccess: (detail) => {
      client.setQueryData(["backfill", detail.backfill_id], detail);
      return client.invalidateQueries({ queryKey: ["backfills"] });
    },
  });
}

/** A location's partitioned assets that can run (what a backfill may select). */
export function usePartitionedAssets(location: string | null) {
  return useQuery({
    queryKey: ["assets", "partitioned", location],
    enabled: location !== null,
    queryFn: async ({ signal }) => {
      const page = await apiGet<Page<Asset> & { total: number }>(
        "/assets",
        { location, limit: 5000 },
        signal,
      );
      return page.items.filter((a) => a.partitions !== null && a.is_executable);
    },
  });
}
