import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { apiGet } from "./client";
import type { AssetGraph, GraphStatus } from "./types";

/** How groups are drawn: the server's choice (collapsed past a few thousand assets), all
 * collapsed into group boxes, or every asset. */
export type CollapseMode = "auto" | "all" | "none";

/** The graph with its layout; `expand` names collapsed groups to open. The browser revalidates
 * with the ETag, so a refetch of an unchanged graph costs a 304. */
export function useAssetGraph(collapse: CollapseMode, expand: readonly string[]) {
  return useQuery({
    queryKey: ["asset_graph", { collapse, expand }],
    queryFn: ({ signal }) =>
      apiGet<AssetGraph>(
        "/asset_graph",
        { collapse: collapse === "auto" ? null : collapse, expand: expand.length ? expand : null },
        signal,
      ),
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
