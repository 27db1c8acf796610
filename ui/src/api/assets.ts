import { useQuery } from "@tanstack/react-query";

import { apiGet, keyPath } from "./client";
import type { AssetDetail, MaterializationsPage, PartitionKeysPage, PartitionStatus } from "./types";

export function useAsset(key: string) {
  return useQuery({
    queryKey: ["asset", key],
    queryFn: ({ signal }) => apiGet<AssetDetail>(`/assets/${keyPath(key)}`, {}, signal),
  });
}

export function useMaterializations(key: string, limit = 20) {
  return useQuery({
    queryKey: ["asset", key, "materializations", { limit }],
    queryFn: ({ signal }) =>
      apiGet<MaterializationsPage>(`/assets/${keyPath(key)}/materializations`, { limit }, signal),
  });
}

/** Only for a partitioned asset (`enabled`); the server answers 422 otherwise. */
export function usePartitionStatus(key: string, enabled: boolean) {
  return useQuery({
    queryKey: ["asset", key, "partitions"],
    queryFn: ({ signal }) =>
      apiGet<PartitionStatus>(`/assets/${keyPath(key)}/partitions`, { max_ranges: 1000 }, signal),
    enabled,
  });
}

/** A page of a partitioned asset's keys containing `search`, newest first (a picker's list). */
export function usePartitionKeys(key: string, search: string, limit = 50) {
  return useQuery({
    queryKey: ["asset", key, "partition_keys", { search, limit }],
    queryFn: ({ signal }) =>
      apiGet<PartitionKeysPage>(
        `/assets/${keyPath(key)}/partition_keys`,
        { search: search || null, limit },
        signal,
      ),
    placeholderData: (previous) => previous,
  });
}
