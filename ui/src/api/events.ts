// A run's event log: the stored pages first (/events, by storage id), then the live tail by
// Server-Sent Events (/events/stream, from the last id read) until the server says `end`.
// Events accumulate in one array owned by a ref (appending never copies it); `version` changes
// on every append so that components re-render.

import { useEffect, useRef, useState } from "react";

import { apiGet, apiUrl } from "./client";
import type { EventsPage, RunEvent } from "./types";

const PAGE_SIZE = 1000;

export type LogPhase = "loading" | "live" | "done" | "error";

export interface RunEventLog {
  events: readonly RunEvent[];
  version: number;
  phase: LogPhase;
  error: string | null;
}

export function useRunEventLog(runId: string, onBatch?: (batch: RunEvent[]) => void): RunEventLog {
  const events = useRef<RunEvent[]>([]);
  const [version, setVersion] = useState(0);
  const [phase, setPhase] = useState<LogPhase>("loading");
  const [error, setError] = useState<string | null>(null);
  const batchCallback = useRef(onBatch);
  batchCallback.current = onBatch;

  useEffect(() => {
    events.current = [];
    setVersion((v) => v + 1);
    setPhase("loading");
    setError(null);
    const abort = new AbortController();
    let source: EventSource | null = null;

    const append = (batch: RunEvent[]) => {
      if (batch.length === 0) return;
      const log = events.current;
      const last = log.length ? log[log.length - 1]!.storage_id : -1;
      for (const event of batch) if (event.storage_id > last) log.push(event);
      setVersion((v) => v + 1);
      batchCallback.current?.(batch);
    };

    const follow = (cursor: number | null) => {
      source = new EventSource(
        apiUrl(`/runs/${encodeURIComponent(runId)}/events/stream`, { cursor }),
      );
      setPhase("live");
      source.addEventListener("events", (message) => {
        append(JSON.parse((message as MessageEvent<string>).data) as RunEvent[]);
      });
      source.addEventListener("end", () => {
        source?.close();
        setPhase("done");
        batchCallback.current?.([]);
      });
      // On a dropped connection EventSource reconnects by itself (with Last-Event-ID).
    };

    const load = async () => {
      let cursor: number | null = null;
      for (;;) {
        const page: EventsPage = await apiGet<EventsPage>(
          `/runs/${encodeURIComponent(runId)}/events`,
          { cursor, limit: PAGE_SIZE },
          abort.signal,
        );
        append(page.items);
        cursor = page.next_cursor;
        if (!page.has_more) break;
      }
      if (!abort.signal.aborted) follow(cursor);
    };
    load().catch((cause: unknown) => {
      if (abort.signal.aborted) return;
      setPhase("error");
      setError(cause instanceof Error ? cause.message : String(cause));
    });

    return () => {
      abort.abort();
      source?.close();
    };
  }, [runId]);

  return { events: events.current, version, phase, error };
}
