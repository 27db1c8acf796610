import { Link } from "react-router";

import { keyPath } from "../api/client";
import type { MetadataEntry } from "../api/types";
import { formatTimestamp } from "../format";

function asText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** One metadata value, rendered by its kind; kinds without a rendering of their own as JSON. */
export function MetadataValue({ entry }: { entry: MetadataEntry }) {
  const [kind, value] = entry;
  switch (kind) {
    case "text":
    case "path":
    case "notebook":
      return <span className="md-text">{asText(value)}</span>;
    case "int":
    case "float":
      return <span className="md-number">{typeof value === "number" ? value.toLocaleString("en-US", { maximumFractionDigits: 6 }) : asText(value)}</span>;
    case "bool":
      return <span>{String(value)}</span>;
    case "null":
      return <span className="muted">null</span>;
    case "url":
      return (
        <a href={asText(value)} target="_blank" rel="noreferrer noopener">
          {asText(value)}
        </a>
      );
    case "md":
      return <pre className="md-markdown">{asText(value)}</pre>;
    case "timestamp":
      return <span>{typeof value === "number" ? formatTimestamp(value) : asText(value)}</span>;
    case "run":
      return <Link to={`/runs/${encodeURIComponent(asText(value))}`}>{asText(value)}</Link>;
    case "asset":
      return Array.isArray(value) ? (
        <Link to={`/assets/${keyPath(value as string[])}`}>{(value as string[]).join("/")}</Link>
      ) : (
        <span>{asText(value)}</span>
      );
    default:
      return <pre className="md-json">{JSON.stringify(value, null, 2)}</pre>;
  }
}

export function MetadataList({ metadata }: { metadata: Record<string, MetadataEntry> }) {
  const names = Object.keys(metadata);
  if (names.length === 0) return <span className="muted">No metadata</span>;
  return (
    <dl className="metadata">
      {names.map((name) => {
        const entry = metadata[name]!;
        return (
          <div key={name} className="metadata-row" data-kind={entry[0]}>
            <dt>{name}</dt>
            <dd>
              <MetadataValue entry={entry} />
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
