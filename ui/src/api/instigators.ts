import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { apiGet, apiPost } from "./client";
import type { Page, Schedule, Sensor, Tick } from "./types";

/** The two kinds of instigator, as they appear in the API's and the UI's paths. */
export type InstigatorKind = "schedules" | "sensors";

export const TICKS_PAGE_SIZE = 25;

function instigatorPath(kind: InstigatorKind, location: string, name: string): string {
  return `/${kind}/${encodeURIComponent(location)}/${encodeURIComponent(name)}`;
}

export function useSchedules() {
  return useQuery({
    queryKey: ["schedules"],
    queryFn: ({ signal }) => apiGet<{ items: Schedule[] }>("/schedules", {}, signal),
  });
}

export function useSensors() {
  return useQuery({
    queryKey: ["sensors"],
    queryFn: ({ signal }) => apiGet<{ items: Sensor[] }>("/sensors", {}, signal),
  });
}

/** A schedule's or sensor's ticks, newest first; `fetchNextPage` follows the cursor. */
export function useTicks(kind: InstigatorKind, location: string, name: string) {
  return useInfiniteQuery({
    queryKey: ["ticks", kind, location, name],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      apiGet<Page<Tick>>(
        `${instigatorPath(kind, location, name)}/ticks`,
        { limit: TICKS_PAGE_SIZE, cursor: pageParam },
        signal,
      ),
    getNextPageParam: (last) => last.next_cursor,
  });
}

export interface ToggleArgs {
  location: string;
  name: string;
  running: boolean;
}

/** Turn a schedule or sensor on (`running`) or off; the lists are read again after. */
export function useToggleInstigator(kind: InstigatorKind) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ location, name, running }: ToggleArgs) =>
      apiPost<Schedule | Sensor>(
        `${instigatorPath(kind, location, name)}/${running ? "start" : "stop"}`,
      ),
    onSettled: () => client.invalidateQueries({ queryKey: [kind] }),
  });
}
