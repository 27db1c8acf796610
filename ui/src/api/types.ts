// Response shapes of the /api/v1 routes the UI uses, written after the server's pydantic models
// (headwater/web/api/*.py; the OpenAPI document at /api/openapi.json). To be generated from that
// document once the API settles.

/** A cursor page: pass `next_cursor` back as `?cursor=` for the next page; null at the end. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Epoch seconds (float) or an ISO 8601 string; null while not started / not finished. */
export type Timestamp = number | string | null;

// --- runs (api/runs.py) ---

export type RunStatus =
  | "QUEUED"
  | "NOT_STARTED"
  | "MANAGED"
  | "STARTING"
  | "STARTED"
  | "SUCCESS"
  | "FAILURE"
  | "CANCELING"
  | "CANCELED";

export interface RunSummary {
  run_id: string;
  job_name: string;
  status: string;
  start_time: Timestamp;
  end_time: Timestamp;
  created_at?: number;
  updated_at?: number;
  tags?: Record<string, string>;
  partition_key?: string | null;
  code_location?: string | null;
  parent_run_id?: string | null;
  root_run_id?: string | null;
}

export interface RunDetail extends RunSummary {
  created_at: number;
  updated_at: number;
  tags: Record<string, string>;
  asset_selection: string[][] | null;
  op_selection: string[] | null;
  step_keys_to_execute: string[] | null;
}

export interface CancelResult {
  run_id: string;
  status: string;
}

// --- a run's events (api/events.py) ---

export interface ErrorInfo {
  message: string;
  cls_name: string | null;
  stack: string[];
  cause?: ErrorInfo | null;
}

export interface RunEvent {
  storage_id: number;
  run_id: string;
  timestamp: number;
  event_type: string;
  level: string;
  message: string;
  step_key: string | null;
  asset_key: string[] | null;
  partition: string | null;
  error: ErrorInfo | null;
  data?: unknown;
}

export interface EventsPage {
  items: RunEvent[];
  next_cursor: number | null;
  has_more: boolean;
}

// --- assets (api/assets.py) ---

/** A metadata entry: [kind, value] (kinds: text, int, float, bool, json, md, url, path, ...). */
export type MetadataEntry = [string, unknown];

export interface Materialization {
  storage_id: number;
  run_id: string;
  timestamp: number;
  partition: string | null;
  metadata: Record<string, MetadataEntry>;
}

export interface PartitionsInfo {
  kind: string;
  name?: string | null;
  cron_schedule?: string | null;
  timezone?: string | null;
  start?: string | null;
  end?: string | null;
  count?: number | null;
}

export interface Asset {
  key: string[];
  key_string: string;
  location: string;
  group: string;
  description: string | null;
  kinds: string[];
  owners: string[];
  tags: Record<string, string>;
  is_executable: boolean;
  partitions: PartitionsInfo | null;
  job_names: string[];
  check_names: string[];
  latest_materialization: Materialization | null;
}

export interface AssetDetail extends Asset {
  upstream: string[];
  downstream: string[];
  code_version: string | null;
  metadata: Record<string, MetadataEntry>;
}

export interface MaterializationsPage {
  items: Materialization[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface StatusRange {
  start_index: number;
  end_index: number;
  start: string;
  end: string;
  status: string;
}

export interface PartitionStatus {
  total: number;
  counts: Record<string, number>;
  /** One character per partition: M materialized, F failed, R in progress, - missing. */
  statuses: string;
  ranges: StatusRange[];
  ranges_truncated: boolean;
}

// --- the asset graph (api/graph.py) ---

export interface GraphLayout {
  node_ids: string[];
  x: number[];
  y: number[];
  layer: number[];
  edge_sources: number[];
  edge_targets: number[];
  reversed_edges: number[];
  layer_count: number;
  width: number;
  height: number;
  node_width: number;
  node_height: number;
  groups: string[] | null;
}

export interface AssetGraph {
  hash: string;
  collapsed: boolean;
  node_kinds: ("asset" | "group")[];
  node_sizes: number[];
  edge_counts: number[];
  locations: (string | null)[];
  layout: GraphLayout;
}

export interface GraphStatus {
  node_ids: string[];
  /** One character per asset, aligned with `node_ids`: M, F, R or - (never). */
  statuses: string;
  /** Per group name: how many of its assets have each status (a collapsed group's box). */
  group_counts?: Record<string, Record<string, number>>;
}

// --- code locations (api/locations.py) ---

export interface CodeLocation {
  name: string;
  status: "LOADED" | "FAILED" | "UNAVAILABLE" | string;
  origin: string;
  loaded_at: number | null;
  asset_count: number;
  job_count: number;
  schedule_count: number;
  sensor_count: number;
  error: ErrorInfo | null;
}

// --- schedules and sensors (api/instigators.py) ---

export type TickStatus = "STARTED" | "SKIPPED" | "SUCCESS" | "FAILURE";

export interface Tick {
  tick_id: number;
  status: TickStatus;
  timestamp: number;
  end_timestamp: number | null;
  run_ids: string[];
  run_keys: string[];
  skip_reason: string | null;
  error: string | null;
  cursor: string | null;
}

/** RUNNING or STOPPED: the stored state, else the code's default. */
export type InstigatorStatus = "RUNNING" | "STOPPED";

export interface Schedule {
  name: string;
  location: string;
  status: InstigatorStatus;
  default_status: string;
  cron_schedule: string[];
  execution_timezone: string | null;
  job_name: string | null;
  description: string | null;
  next_tick_time: number | null;
  latest_tick: Tick | null;
}

export interface Sensor {
  name: string;
  location: string;
  status: InstigatorStatus;
  default_status: string;
  kind: string;
  minimum_interval_seconds: number;
  job_names: string[];
  description: string | null;
  asset_keys: string[][];
  cursor: string | null;
  latest_tick: Tick | null;
}

// --- backfills (api/backfills.py) ---

export type BackfillStatus =
  | "REQUESTED"
  | "COMPLETED"
  | "FAILED"
  | "CANCELING"
  | "CANCELED"
  | "COMPLETED_SUCCESS"
  | "COMPLETED_FAILED"
  | "FAILING";

export interface BackfillProgress {
  requested: number;
  succeeded: number;
  failed: number;
  in_progress: number;
  pending: number;
  later_stage_runs: number;
  later_stage_succeeded: number;
  later_stage_failed: number;
}

export interface Backfill {
  backfill_id: string;
  status: BackfillStatus;
  title: string | null;
  created_at: number;
  updated_at: number | null;
  end_time: number | null;
  location: string | null;
  job_name: string | null;
  asset_selection: string[][];
  partition_count: number;
  first_partition: string | null;
  last_partition: string | null;
  max_partitions_per_run: number | null;
  tags: Record<string, string>;
  error: string | null;
  progress: BackfillProgress;
}

export interface BackfillRun {
  run_id: string;
  status: string;
  partition_key: string | null;
  partition_range_start: string | null;
  partition_range_end: string | null;
  stage: string | null;
}

export interface BackfillDetail extends Backfill {
  run_count: number;
  runs: BackfillRun[];
}

// --- an asset's checks (api/asset_checks.py) ---

/** A failure at severity WARN is WARNED. */
export type CheckOutcome = "PASSED" | "FAILED" | "WARNED";

export interface CheckEvaluation {
  evaluation_id: number;
  check_name: string;
  outcome: CheckOutcome;
  passed: boolean;
  severity: "ERROR" | "WARN";
  blocking: boolean;
  description: string | null;
  metadata: Record<string, MetadataEntry>;
  run_id: string;
  timestamp: number;
  partition: string | null;
}

export interface AssetCheck {
  name: string;
  description: string | null;
  latest: CheckEvaluation | null;
}

// --- numeric metadata over time (api/asset_metadata.py) ---

export interface MetadataSeries {
  key: string;
  kind: "int" | "float";
  /** Aligned with the page's `timestamps`; null where that materialization lacks it. */
  values: (number | null)[];
}

export interface MetadataSeriesPage {
  timestamps: number[];
  run_ids: string[];
  partitions: (string | null)[];
  series: MetadataSeries[];
  total_shown: number;
  truncated: boolean;
}

// --- a run's captured output (api/compute_logs.py) ---

export type ComputeLogIo = "stdout" | "stderr";

export interface ComputeLogChunk {
  step_key: string;
  io: ComputeLogIo;
  data: string;
  next_offset: number;
  /** More was written than this answer holds: read on from next_offset. */
  more: boolean;
}

// --- an asset's partition keys (api/assets.py: /assets/{key}/partition_keys) ---

export interface PartitionKeyItem {
  key: string;
  index: number;
  /** M, F, R or - (as in PartitionStatus.statuses). */
  status: string;
}

export interface PartitionKeysPage {
  items: PartitionKeyItem[];
  next_cursor: number | null;
  total: number;
}
