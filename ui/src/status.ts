// The one mapping from an asset's or a partition's status character (as the API sends it in
// `/asset_graph/status` and `/assets/{key}/partitions`) to its label and colours: the graph,
// the partition bar and their legends all read it from here.

export type StatusCode = "M" | "F" | "R" | "-";

export interface StatusStyle {
  code: StatusCode;
  label: string;
  fill: string;
  stroke: string;
}

export const STATUS_STYLES: Record<StatusCode, StatusStyle> = {
  M: { code: "M", label: "Materialized", fill: "#d6f5dd", stroke: "#1a7f37" },
  F: { code: "F", label: "Failed", fill: "#ffdcd7", stroke: "#cf222e" },
  R: { code: "R", label: "In progress", fill: "#fff1b8", stroke: "#9a6700" },
  "-": { code: "-", label: "Never materialized", fill: "#eceff2", stroke: "#8c959f" },
};

export const STATUS_ORDER: readonly StatusCode[] = ["M", "F", "R", "-"];

/** A group box (a collapsed group of assets) has no single status. */
export const GROUP_STYLE = { fill: "#e8effc", stroke: "#1f6feb" };

export function statusStyle(code: string | undefined): StatusStyle {
  return STATUS_STYLES[(code ?? "-") as StatusCode] ?? STATUS_STYLES["-"];
}

/** The partition endpoint's count names (`MATERIALIZED`, ...) to status characters. */
export const PARTITION_COUNT_CODES: Record<string, StatusCode> = {
  MATERIALIZED: "M",
  FAILED: "F",
  IN_PROGRESS: "R",
  MISSING: "-",
};
