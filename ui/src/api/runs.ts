import { useQuery } from "@tanstack/react-query";

import { apiGet } from "./client";
import type { Page, RunSummary } from "./types";

export const RUNS_PAGE_SIZE = 50;

export function useRuns(limit: number = RUNS_PAGE_SIZE) {
  return useQuery({
    queryKey: ["runs", { limit }],
    queryFn: ({ signal }) => apiGet<Page<RunSummary>>("/runs", { limit }, signal),
  });
}
