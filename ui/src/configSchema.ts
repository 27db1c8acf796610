// Reading the server's run-config schema nodes (headwater/locations/job_info.py) for people.
import type { ConfigNode } from "./api/jobs";

const SCALARS: Record<string, string> = { int: "Int", float: "Float", string: "String", bool: "Bool", any: "Any" };

/** "Int", "[String]", "Int?", "A | B", "{a, b}", "{String: Int}". */
export function typeLabel(node: ConfigNode): string {
  switch (node.kind) {
    case "list":
      return `[${node.of ? typeLabel(node.of) : "Any"}]`;
    case "map":
      return `{String: ${node.of ? typeLabel(node.of) : "Any"}}`;
    case "optional":
      return `${node.of ? typeLabel(node.of) : "Any"}?`;
    case "enum":
      return (node.values ?? []).join(" | ");
    case "shape":
      return `{${Object.keys(node.fields ?? {}).join(", ")}}`;
    default:
      return SCALARS[node.kind] ?? node.kind;
  }
}

/** Show a default value as YAML would write a scalar (JSON for the rest). */
export function defaultLabel(value: unknown): string {
  if (typeof value === "string") return value === "" ? '""' : value;
  return JSON.stringify(value);
}
