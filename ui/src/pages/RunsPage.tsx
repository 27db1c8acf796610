import { type FormEvent, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";

import { type RunFilters, useRunPages } from "../api/runs";
import type { RunSummary } from "../api/types";
import { formatTimestamp } from "../format";
import { LoadError } from "../components/LoadError";

/** The statuses a run can be in, in the order a run moves through them. */
export const RUN_STATUSES = [
  "QUEUED",
  "NOT_STARTED",
  "STARTING",
  "STARTED",
  "SUCCESS",
  "FAILURE",
  "CANCELING",
  "CANCELED",
] as const;

function seconds(value: RunSummary["start_time"]): number | null {
  if (typeof value === "number") return value;
  if (!value) return null;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed / 1000;
}

function duration(run: RunSummary): string {
  const start = seconds(run.start_time);
  if (start === null) return "—";
  const end = seconds(run.end_time);
  if (end === null) return "running";
  const elapsed = Math.max(0, end - start);
  if (elapsed < 1) return `${Math.round(elapsed * 1000)} ms`;
  if (elapsed < 120) return `${elapsed.toFixed(1)} s`;
  return `${Math.floor(elapsed / 60)} min ${Math.round(elapsed % 60)} s`;
}

function RunsTable({ runs }: { runs: RunSummary[] }) {
  return (
    <table className="table" aria-label="Runs">
      <thead>
        <tr>
          <th scope="col">Run ID</th>
          <th scope="col">Job</th>
          <th scope="col">Status</th>
          <th scope="col">Partition</th>
          <th scope="col">Started</th>
          <th scope="col">Ended</th>
          <th scope="col">Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.run_id}>
            <td>
              <Link to={`/runs/${encodeURIComponent(run.run_id)}`}>
                <code title={run.run_id}>{run.run_id.slice(0, 8)}</code>
              </Link>
            </td>
            <td>{run.job_name}</td>
            <td>
              <span className={`status status-${run.status.toLowerCase()}`}>{run.status}</span>
            </td>
            <td>{run.partition_key ?? "—"}</td>
            <td>{formatTimestamp(run.start_time)}</td>
            <td>{formatTimestamp(run.end_time)}</td>
            <td>{duration(run)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function filtersFrom(params: URLSearchParams): RunFilters {
  return {
    statuses: params.getAll("status"),
    job: params.get("job") ?? "",
    tags: params.getAll("tag"),
  };
}

/** Status toggles, a job name and tags; applied by writing them into the URL. */
function FilterBar({
  filters,
  onChange,
}: {
  filters: RunFilters;
  onChange: (next: RunFilters) => void;
}) {
  const [job, setJob] = useState(filters.job);
  // The URL is the truth: a link, Back or "Clear filters" changes it under the input.
  useEffect(() => setJob(filters.job), [filters.job]);
  const [tag, setTag] = useState("");
  const [tagProblem, setTagProblem] = useState<string | null>(null);

  // Checked at once (the URL, and so `filters`, follows a moment later: a navigation).
  const [statuses, setStatuses] = useState(filters.statuses);
  const statusKey = filters.statuses.join(",");
  useEffect(() => setStatuses(statusKey ? statusKey.split(",") : []), [statusKey]);

  function toggleStatus(status: string) {
    const next = statuses.includes(status)
      ? statuses.filter((s) => s !== status)
      : [...statuses, status];
    setStatuses(next);
    onChange({ ...filters, statuses: next });
  }

  function applyJob(event: FormEvent) {
    event.preventDefault();
    onChange({ ...filters, job: job.trim() });
  }

  function addTag(event: FormEvent) {
    event.preventDefault();
    const value = tag.trim();
    if (!value) return;
    if (!/^[^=]+=.*$/.test(value)) {
      setTagProblem("A tag filter is KEY=VALUE, e.g. team=data.");
      return;
    }
    setTagProblem(null);
    setTag("");
    if (!filters.tags.includes(value)) onChange({ ...filters, tags: [...filters.tags, value] });
  }

  const active = filters.statuses.length > 0 || filters.job !== "" || filters.tags.length > 0;
  return (
    <div className="run-filters" role="search" aria-label="Filter runs">
      <fieldset className="run-filter-statuses">
        <legend>Status</legend>
        {RUN_STATUSES.map((status) => (
          <label key={status} className="run-filter-status">
            <input
              type="checkbox"
              checked={statuses.includes(status)}
              onChange={() => toggleStatus(status)}
            />
            {status}
          </label>
        ))}
      </fieldset>
      <form onSubmit={applyJob} className="run-filter-form">
        <label>
          Job{" "}
          <input
            type="search"
            aria-label="Job name"
            placeholder="job name"
            value={job}
            onChange={(e) => setJob(e.target.value)}
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      <form onSubmit={addTag} className="run-filter-form">
        <label>
          Tag{" "}
          <input
            type="text"
            aria-label="Tag filter"
            placeholder="KEY=VALUE"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
          />
        </label>
        <button type="submit">Add</button>
      </form>
      {tagProblem && (
        <p className="field-problem" role="alert">
          {tagProblem}
        </p>
      )}
      {filters.tags.length > 0 && (
        <ul className="run-filter-tags" aria-label="Tag filters">
          {filters.tags.map((t) => (
            <li key={t}>
              <code>{t}</code>{" "}
              <button
                type="button"
                aria-label={`Remove tag filter ${t}`}
                onClick={() => onChange({ ...filters, tags: filters.tags.filter((x) => x !== t) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {active && (
        <button
          type="button"
          onClick={() => onChange({ statuses: [], job: "", tags: [] })}
        >
          Clear filters
        </button>
      )}
    </div>
  );
}

/** The runs, newest first (the server's order), narrowed by the filters in the URL and paged
 * by the server's cursor. */
export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const pages = useRunPages(filters);
  const filtered = filters.statuses.length > 0 || filters.job !== "" || filters.tags.length > 0;

  function apply(next: RunFilters) {
    const out = new URLSearchParams();
    for (const s of next.statuses) out.append("status", s);
    if (next.job) out.set("job", next.job);
    for (const t of next.tags) out.append("tag", t);
    setParams(out);
  }

  const runs = pages.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section>
      <h1>Runs</h1>
      <FilterBar filters={filters} onChange={apply} />
      {pages.isPending ? (
        <p className="muted" role="status">
          Loading runs…
        </p>
      ) : pages.isError ? (
        <LoadError what="The runs" message={pages.error.message} retry={() => void pages.refetch()} />
      ) : runs.length === 0 ? (
        <div className="state state-empty">
          {filtered ? (
            <p>
              <strong>No runs match these filters.</strong>
            </p>
          ) : (
            <p>
              <strong>No runs yet.</strong> Launch a job or materialize an asset to start one.
            </p>
          )}
        </div>
      ) : (
        <>
          <RunsTable runs={runs} />
          {pages.hasNextPage && (
            <button
              type="button"
              disabled={pages.isFetchingNextPage}
              onClick={() => void pages.fetchNextPage()}
            >
              {pages.isFetchingNextPage ? "Loading…" : "Load more runs"}
            </button>
          )}
        </>
      )}
    </section>
  );
}
