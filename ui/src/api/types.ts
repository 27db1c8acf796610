// Response shapes of the /api/v1 routes the UI uses. Hand-written for now; to be generated from
// the server's OpenAPI document (/api/openapi.json) once the API settles.

/** A cursor page: pass `next_cursor` back as `?cursor=` for the next page; null at the end. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Epoch seconds (float) or an ISO 8601 string; null while not started / not finished. */
export type Timestamp = number | string | null;

export interface RunSummary {
  run_id: string;
  job_name: string;
  status: string;
  start_time: Timestamp;
  end_time: Timestamp;
}
