import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { apiGet, apiPost } from "./client";
import type { CodeLocation } from "./types";

export function useCodeLocations() {
  return useQuery({
    queryKey: ["code_locations"],
    queryFn: ({ signal }) => apiGet<{ items: CodeLocation[] }>("/code_locations", {}, signal),
  });
}

/** Reload one location; its definitions (hence the graph and assets) may have changed. */
export function useReloadLocation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      apiPost<CodeLocation>(`/code_locations/${encodeURIComponent(name)}/reload`),
    onSettled: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: ["code_locations"] }),
        client.invalidateQueries({ queryKey: ["asset_graph"] }),
        client.invalidateQueries({ queryKey: ["asset"] }),
      ]),
  });
}
