// The launchpad: a run config written in YAML (as in Dagster's), validated by the job's code
// location as you type (debounced), a scaffold of the required config, a partition picker for
// partitioned jobs, tags, and Launch, which opens the new run's page.
import { useEffect, useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { parse, stringify } from "yaml";

import type { ConfigProblem, JobDetail } from "../api/jobs";
import { useJobPartitionKeys, useValidation } from "../api/jobs";
import { useLaunch } from "../api/launches";
import { useReadOnly } from "../api/serverInfo";

const DEBOUNCE_MS = 300;

interface Parsed {
  config?: Record<string, unknown>;
  problem?: ConfigProblem;
}

function parseConfig(text: string): Parsed {
  if (text.trim() === "") return { config: {} };
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    return { problem: { path: "YAML", message: error instanceof Error ? error.message : String(error) } };
  }
  if (value === null || value === undefined) return { config: {} };
  if (typeof value !== "object" || Array.isArray(value)) {
    return { problem: { path: "YAML", message: "run config must be a mapping (ops:, resources:, execution:)" } };
  }
  return { config: value as Record<string, unknown> };
}

function parseTags(text: string): { tags: Record<string, string>; bad: string[] } {
  const tags: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf("=");
    if (at <= 0) bad.push(line);
    else tags[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { tags, bad };
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function PartitionPicker({
  job,
  value,
  onChange,
}: {
  job: JobDetail;
  value: string;
  onChange: (key: string) => void;
}) {
  const [search, setSearch] = useState("");
  const debouncedSearch = useDebounced(search, DEBOUNCE_MS);
  const keys = useJobPartitionKeys(job.location, job.name, debouncedSearch, true);
  const first = keys.data?.keys[0];
  useEffect(() => {
    if (value === "" && first !== undefined && debouncedSearch === "") onChange(first);
  }, [value, first, debouncedSearch, onChange]);
  const options = keys.data?.keys ?? [];
  const shown = value !== "" && !options.includes(value) ? [value, ...options] : options;
  return (
    <fieldset className="launchpad-partition">
      <legend>Partition</legend>
      <input
        type="search"
        aria-label="Search partitions"
        placeholder="Search partitions"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />{" "}
      <select aria-label="Partition" value={value} onChange={(e) => onChange(e.target.value)}>
        {value === "" && <option value="">—</option>}
        {shown.map((key) => (
          <option key={key} value={key}>
            {key}
          </option>
        ))}
      </select>{" "}
      <span className="muted small">
        {keys.isError
          ? keys.error.message
          : keys.data
            ? `${keys.data.total} partition${keys.data.total === 1 ? "" : "s"}${search ? " match" : ""}` +
              (keys.data.total > options.length ? ` (newest ${options.length} shown)` : "")
            : "Loading partitions…"}
      </span>
    </fieldset>
  );
}

export function Launchpad({ job }: { job: JobDetail }) {
  const [text, setText] = useState("");
  const [tagsText, setTagsText] = useState("");
  const [partition, setPartition] = useState("");
  const debounced = useDebounced(text, DEBOUNCE_MS);
  const parsed = useMemo(() => parseConfig(debounced), [debounced]);
  const validation = useValidation(job.location, job.name, parsed.config);
  const launch = useLaunch();
  const readOnly = useReadOnly();
  const navigate = useNavigate();
  const { tags, bad: badTags } = parseTags(tagsText);

  const typing = text !== debounced;
  const checking = typing || (parsed.config !== undefined && validation.isFetching);
  const problems: ConfigProblem[] = parsed.problem
    ? [parsed.problem]
    : validation.data && !typing
      ? validation.data.problems
      : [];
  const valid = !typing && parsed.config !== undefined && validation.data?.valid === true && !validation.isFetching;
  const needsPartition = job.partitions !== null && partition === "";
  const canLaunch = !readOnly.readOnly && valid && !needsPartition && badTags.length === 0 && !launch.isPending;

  let status: string;
  if (checking) status = "Checking the config…";
  else if (parsed.problem) status = "The config is not valid YAML.";
  else if (validation.isError) status = `The config could not be checked: ${validation.error.message}`;
  else if (problems.length > 0) status = `${problems.length} problem${problems.length === 1 ? "" : "s"} in the config.`;
  else if (valid) status = "The config is valid.";
  else status = "";

  const scaffold = () => {
    const config = job.default_config;
    setText(Object.keys(config).length === 0 ? "" : stringify(config));
  };
  const submit = () => {
    if (!canLaunch || parsed.config === undefined) return;
    launch.mutate(
      {
        location: job.location,
        job_name: job.name,
        run_config: parsed.config,
        partition_key: job.partitions ? partition : null,
        tags: Object.keys(tags).length ? tags : null,
      },
      { onSuccess: (result) => void navigate(`/runs/${encodeURIComponent(result.run_id)}`) },
    );
  };

  return (
    <section className="launchpad" aria-label="Launchpad">
      <h2>Launchpad</h2>
      <div className="launchpad-toolbar">
        <button type="button" onClick={scaffold}>
          Scaffold config
        </button>
        <button type="button" onClick={() => setText("")} disabled={text === ""}>
          Clear
        </button>
      </div>
      <label className="launchpad-label" htmlFor="run-config-editor">
        Run config (YAML)
      </label>
      <textarea
        id="run-config-editor"
        className="launchpad-editor"
        spellCheck={false}
        rows={14}
        value={text}
        placeholder={"ops:\n  my_op:\n    config:\n      n: 1"}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={problems.length > 0}
        aria-describedby="run-config-status"
      />
      <p id="run-config-status" role="status" className={problems.length > 0 ? "state-error-text" : "muted"}>
        {status}
      </p>
      {problems.length > 0 && (
        <ul className="config-problems" aria-label="Config problems">
          {problems.map((p, i) => (
            <li key={`${p.path}-${i}`}>
              {p.path && <code>{p.path}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
      {job.partitions !== null && <PartitionPicker job={job} value={partition} onChange={setPartition} />}
      <label className="launchpad-label" htmlFor="run-tags">
        Tags (one KEY=VALUE a line)
      </label>
      <textarea
        id="run-tags"
        className="launchpad-tags"
        rows={2}
        value={tagsText}
        onChange={(e) => setTagsText(e.target.value)}
        aria-invalid={badTags.length > 0}
      />
      {badTags.length > 0 && (
        <p className="state-error-text small" role="alert">
          Not KEY=VALUE: {badTags.join(", ")}
        </p>
      )}
      <div className="launchpad-actions">
        <button type="button" className="primary" disabled={!canLaunch} title={readOnly.title} onClick={submit}>
          {launch.isPending ? "Launching…" : "Launch run"}
        </button>
        {launch.isError && (
          <span className="state-error-text" role="alert">
            {" "}
            {launch.error.message}
          </span>
        )}
      </div>
    </section>
  );
}
