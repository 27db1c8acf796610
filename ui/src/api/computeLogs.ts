// What a step printed (GET /runs/{id}/compute_logs/read): read from an offset, again and again
// while `follow` is true (the step runs), so the text grows as the step writes. When `follow`
// turns false one last read picks up the end. The text is kept per (run, step, stream).

import { useEffect, useRef, useState } from "react";

import { apiGet } from "./client";
import type { ComputeLogChunk, ComputeLogIo } from "./types";

const POLL_MS = 750;

export interface ComputeLog {
  text: string;
  loaded: boolean;
  error: string | null;
}

export function useComputeLog(
  runId: string,
  stepKey: string,
  io: ComputeLogIo,
  follow: boolean,
): ComputeLog {
  const state = useRef({ key: "", text: "", offset: 0, loaded: false });
  const [, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const key = `${runId}\n${stepKey}\n${io}`;
  if (state.current.key !== key) state.current = { key, text: "", offset: 0, loaded: false };

  useEffect(() => {
    const s = state.current;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        for (;;) {
          const chunk = await apiGet<ComputeLogChunk>(
            `/runs/${encodeURIComponent(runId)}/compute_logs/read`,
            { step_key: stepKey, io, offset: s.offset },
            abort.signal,
          );
          if (abort.signal.aborted) return;
          s.text += chunk.data;
          s.offset = chunk.next_offset;
          if (!chunk.more) break;
        }
        s.loaded = true;
        setError(null);
        setVersion((v) => v + 1);
        if (follow) timer = setTimeout(() => void read(), POLL_MS);
      } catch (cause: unknown) {
        if (abort.signal.aborted) return;
        setError(cause instanceof Error ? cause.message : String(cause));
      }
    };
    void read();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [runId, stepKey, io, follow, key]);

  return { text: state.current.text, loaded: state.current.loaded, error };
}
