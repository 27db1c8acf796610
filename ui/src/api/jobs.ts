// Jobs: the list, one job (its op graph laid out by the server, its config schema and a
// starting config), its partition keys, and run-config validation for the launchpad.
import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { apiGet, apiPostJson } from "./client";

/** A run-config schema node (the server's `config_schema`, see headwater/locations/job_info.py). */
export interface ConfigNode {
  kind: "int" | "float" | "string" | "bool" | "any" | "list" | "map" | "optional" | "enum" | "shape";
  of?: ConfigNode;
  values?: string[];
  fields?: Record<string, ConfigField>;
  permissive?: boolean;
}

export interface ConfigField {
  type: ConfigNode;
  required: boolean;
  default?: unknown;
  description?: string;
}

export interface Job {
  name: string;
  location: string;
  description: string | null;
  kind: "asset" | "op";
  partitioned: boolean;
  partitions_kind: string | null;
}

export interface OpLayout {
  node_ids: string[];
  x: number[];
  y: number[];
  edge_sources: number[];
  edge_targets: number[];
  width: number;
  height: number;
  node_width: number;
  node_height: number;
}

export interface JobOp {
  name: string;
  upstream: string[];
  config: ConfigNode | null;
}

export interface JobPartitions {
  kind: string;
  name: string | null;
  cron_schedule: string | null;
  timezone: string | null;
  start: string | null;
  end: string | null;
  count: number | null;
}

export interface JobDetail extends Job {
  tags: Record<string, string>;
  asset_keys: string[][];
  ops: JobOp[];
  layout: OpLayout | null;
  config_schema: ConfigNode | null;
  default_config: Record<string, unknown>;
  partitions: JobPartitions | null;
}

export interface ConfigProblem {
  path: string;
  message: string;
}

export interface Validation {
  valid: boolean;
  problems: ConfigProblem[];
}

function jobPath(location: string, name: string): string {
  return `/jobs/${encodeURIComponent(location)}/${encodeURIComponent(name)}`;
}

export function useJobs() {
  return useQuery({
    queryKey: ["jobs"],
    queryFn: ({ signal }) =>
      apiGet<{ items: Job[]; unloaded_locations: string[] }>("/jobs", {}, signal),
  });
}

export function useJob(location: string, name: string) {
  return useQuery({
    queryKey: ["job", location, name],
    queryFn: ({ signal }) => apiGet<JobDetail>(jobPath(location, name), {}, signal),
  });
}

/** A partitioned job's keys, newest first, filtered by `search` (enabled for partitioned jobs). */
export function useJobPartitionKeys(location: string, name: string, search: string, enabled: boolean) {
  return useQuery({
    queryKey: ["job", location, name, "partition_keys", search],
    queryFn: ({ signal }) =>
      apiGet<{ keys: string[]; total: number }>(
        `${jobPath(location, name)}/partition_keys`,
        { search: search || null, limit: 200 },
        signal,
      ),
    enabled,
    placeholderData: keepPreviousData,
  });
}

/** Validate `config` (already parsed) for the job; `config` undefined disables the query. */
export function useValidation(location: string, name: string, config: Record<string, unknown> | undefined) {
  const text = config === undefined ? null : JSON.stringify(config);
  return useQuery({
    queryKey: ["validate", location, name, text],
    queryFn: ({ signal }) =>
      apiPostJson<Validation>(
        "/run_config/validate",
        { location, job_name: name, run_config: config ?? null },
        signal,
      ),
    enabled: config !== undefined,
    staleTime: 30_000,
  });
}
