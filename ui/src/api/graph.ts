import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { apiGet } from "./client";
import type { AssetGraph, GraphStatus } from "./types";

/** The graph with its layout; `expand` names collapsed groups to open. The browser revalidates
 * with the ETag, so a refetch of an unchanged graph costs a 304. */
export function useAssetGraph(expand: readonly string[]) {
  return useQuery({
    queryKey: ["asset_graph", { expand }],
    queryFn: ({ signal }) =>
      apiGet<AssetGraph>("/asset_graph", { expand: expand.length ? expand : null }, signal),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export function useGraphStatus() {
  return useQuery({
    queryKey: ["asset_graph", "status"],
    queryFn: ({ signal }) => apiGet<GraphStatus>("/asset_graph/status", {}, signal),
  });
}
