// An asset's history beyond its materializations: check results, numeric metadata over time,
// and its partition keys (for pickers).
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";

import { apiGet, keyPath } from "./client";
import type {
  AssetCheck,
  CheckEvaluation,
  MetadataSeriesPage,
  Page,
  PartitionKeysPage,
} from "./types";

export const CHECK_HISTORY_PAGE_SIZE = 10;
/** Points per plot: the latest this many materializations. */
export const SERIES_POINTS = 200;

export function useAssetChecks(key: string, enabled = true) {
  return useQuery({
    queryKey: ["asset", key, "checks"],
    queryFn: ({ signal }) =>
      apiGet<{ items: AssetCheck[] }>(`/assets/${keyPath(key)}/checks`, {}, signal),
    enabled,
  });
}

/** One check's evaluations, newest first; `fetchNextPage` follows the cursor. */
export function useCheckHistory(key: string, check: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: ["asset", key, "checks", check, "evaluations"],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      apiGet<Page<CheckEvaluation>>(
        `/assets/${keyPath(key)}/checks/${encodeURIComponent(check)}/evaluations`,
        { limit: CHECK_HISTORY_PAGE_SIZE, cursor: pageParam },
        signal,
      ),
    getNextPageParam: (last) => last.next_cursor,
    enabled,
  });
}

export function useMetadataSeries(key: string, limit = SERIES_POINTS) {
  return useQuery({
    queryKey: ["asset", key, "metadata_series", { limit }],
    queryFn: ({ signal }) =>
      apiGet<MetadataSeriesPage>(`/assets/${keyPath(key)}/metadata_series`, { limit }, signal),
  });
}

/** Up to `limit` keys from the start, and the last key (for a range picker's defaults). */
export function usePartitionKeys(key: string | null, limit = 5000) {
  return useQuery({
    queryKey: ["asset", key, "partition_keys", { limit }],
    enabled: key !== null,
    queryFn: async ({ signal }) => {
      const path = `/assets/${keyPath(key ?? "")}/partition_keys`;
      const first = await apiGet<PartitionKeysPage>(
        path,
        { limit, newest_first: false },
        signal,
      );
      const keys = first.items.map((item) => item.key);
      if (first.next_cursor === null || first.total === 0) {
        return { keys, total: first.total, last: keys.at(-1) ?? null };
      }
      const last = await apiGet<PartitionKeysPage>(path, { limit: 1 }, signal); // newest first
      return { keys, total: first.total, last: last.items[0]?.key ?? null };
    },
  });
}

/** The partitions of an asset not materialized (missing, or whose latest run failed), in
 * order: each key's status comes with it. */
export function useUnmaterializedPartitions(key: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ["asset", key, "unmaterialized_partitions"],
    enabled: enabled && key !== null,
    queryFn: async ({ signal }) => {
      const path = `/assets/${keyPath(key ?? "")}/partition_keys`;
      const keys: string[] = [];
      let cursor: number | null = null;
      do {
        const page: PartitionKeysPage = await apiGet<PartitionKeysPage>(
          path,
          { cursor, limit: 10_000, newest_first: false },
          signal,
        );
        for (const item of page.items) {
          if (item.status === "-" || item.status === "F") keys.push(item.key);
        }
        cursor = page.next_cursor;
      } while (cursor !== null);
      return keys;
    },
  });
}
