// Launch a backfill from the UI: a location's partitioned assets (or an asset job), a range
// of partition keys (or all of them), how many partitions per run; POST /backfills, then
// open the new backfill's page (the daemon launches its runs).
import { type FormEvent, useEffect, useId, useMemo, useState } from "react";
import { useNavigate } from "react-router";

import { usePartitionKeys, useUnmaterializedPartitions } from "../api/assetHistory";
import { type BackfillLaunchBody, useLaunchBackfill, usePartitionedAssets } from "../api/backfills";
import { useCodeLocations } from "../api/locations";
import { useReadOnly } from "../api/serverInfo";
import type { Asset } from "../api/types";

type Target = "assets" | "job";
type Which = "range" | "all" | "missing";

const POLICIES: readonly { value: string; label: string }[] = [
  { value: "auto", label: "As the assets' backfill policy says" },
  { value: "per-partition", label: "One run per partition" },
  { value: "single-run", label: "One run for the whole range" },
];

/** Jobs that run some of these assets (not the implicit `__ASSET_JOB`s). */
function jobsOf(assets: Asset[]): string[] {
  const names = new Set(assets.flatMap((a) => a.job_names).filter((n) => !n.startsWith("__")));
  return [...names].sort();
}

export function BackfillLaunchForm({ onCancel }: { onCancel: () => void }) {
  const id = useId();
  const navigate = useNavigate();
  const locations = useCodeLocations();
  const loaded = (locations.data?.items ?? []).filter((l) => l.status === "LOADED");
  const [location, setLocation] = useState<string | null>(null);
  const chosenLocation = location ?? loaded[0]?.name ?? null;
  const assets = usePartitionedAssets(chosenLocation);
  const [target, setTarget] = useState<Target>("assets");
  const [selected, setSelected] = useState<string[]>([]);
  const [job, setJob] = useState<string>("");
  const [which, setWhich] = useState<Which>("range");
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [policy, setPolicy] = useState("auto");
  const [title, setTitle] = useState("");
  const launch = useLaunchBackfill();
  const readOnly = useReadOnly();

  const candidates = useMemo(() => assets.data ?? [], [assets.data]);
  const jobs = useMemo(() => jobsOf(candidates), [candidates]);
  const chosenJob = job || jobs[0] || "";
  // The keys come from the first asset chosen (a backfill's assets share their partitions).
  const keySource =
    target === "assets"
      ? (selected[0] ?? null)
      : (candidates.find((a) => a.job_names.includes(chosenJob))?.key_string ?? null);
  const keys = usePartitionKeys(keySource);
  const missing = useUnmaterializedPartitions(keySource, which === "missing");

  useEffect(() => {
    if (keys.data) {
      setStart(keys.data.keys[0] ?? "");
      setEnd(keys.data.last ?? "");
    }
  }, [keys.data]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (readOnly.readOnly || chosenLocation === null) return;
    const body: BackfillLaunchBody = { location: chosenLocation, policy, title: title || null };
    if (target === "assets") {
      body.asset_selection = candidates
        .filter((a) => selected.includes(a.key_string))
        .map((a) => a.key);
    } else {
      body.job_name = chosenJob;
    }
    if (which === "all") body.all_partitions = true;
    else if (which === "missing") body.partition_keys = missing.data ?? [];
    else body.partition_range = { start: start.trim(), end: end.trim() };
    launch.mutate(body, {
      onSuccess: (detail) => void navigate(`/backfills/${encodeURIComponent(detail.backfill_id)}`),
    });
  }

  const nothingChosen = target === "assets" ? selected.length === 0 : chosenJob === "";
  const noRange =
    (which === "range" && (start.trim() === "" || end.trim() === "")) ||
    (which === "missing" && (missing.data ?? []).length === 0);

  if (locations.isPending) return <p className="muted">Loading code locations…</p>;
  if (loaded.length === 0) {
    return (
      <div className="state state-empty">
        <p>No code location is loaded: a backfill is planned by one (see Deployment).</p>
      </div>
    );
  }
  return (
    <form className="launch-form" aria-label="Launch a backfill" onSubmit={submit}>
      <div className="form-row">
        <label htmlFor={`${id}-location`}>Code location</label>
        <select
          id={`${id}-location`}
          value={chosenLocation ?? ""}
          onChange={(e) => {
            setLocation(e.target.value);
            setSelected([]);
            setJob("");
          }}
        >
          {loaded.map((l) => (
            <option key={l.name} value={l.name}>
              {l.name}
            </option>
          ))}
        </select>
      </div>
      <fieldset>
        <legend>What to backfill</legend>
        <label>
          <input type="radio" name={`${id}-target`} checked={target === "assets"} onChange={() => setTarget("assets")} />{" "}
          Assets
        </label>{" "}
        <label>
          <input
            type="radio"
            name={`${id}-target`}
            checked={target === "job"}
            disabled={jobs.length === 0}
            onChange={() => setTarget("job")}
          />{" "}
          A job
        </label>
        {assets.isPending ? (
          <p className="muted">Loading assets…</p>
        ) : assets.isError ? (
          <p className="state state-error" role="alert">
            The assets could not be loaded: {assets.error.message}
          </p>
        ) : candidates.length === 0 ? (
          <p className="muted">This location has no partitioned assets.</p>
        ) : target === "assets" ? (
          <div className="form-row">
            <label htmlFor={`${id}-assets`}>Partitioned assets</label>
            <select
              id={`${id}-assets`}
              multiple
              size={Math.min(8, Math.max(3, candidates.length))}
              value={selected}
              onChange={(e) => setSelected([...e.target.selectedOptions].map((o) => o.value))}
            >
              {candidates.map((a) => (
                <option key={a.key_string} value={a.key_string}>
                  {a.key_string}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <div className="form-row">
            <label htmlFor={`${id}-job`}>Job</label>
            <select id={`${id}-job`} value={chosenJob} onChange={(e) => setJob(e.target.value)}>
              {jobs.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        )}
      </fieldset>
      <fieldset>
        <legend>Partitions</legend>
        <label>
          <input type="radio" name={`${id}-which`} checked={which === "range"} onChange={() => setWhich("range")} />{" "}
          A range
        </label>{" "}
        <label>
          <input type="radio" name={`${id}-which`} checked={which === "all"} onChange={() => setWhich("all")} />{" "}
          All partitions
        </label>{" "}
        <label>
          <input
            type="radio"
            name={`${id}-which`}
            checked={which === "missing"}
            disabled={keySource === null}
            onChange={() => setWhich("missing")}
          />{" "}
          Missing or failed partitions
        </label>
        {which === "missing" &&
          (missing.isPending ? (
            <p className="muted">Reading the partition status…</p>
          ) : missing.isError ? (
            <p className="state state-error" role="alert">
              The partition status could not be loaded: {missing.error.message}
            </p>
          ) : (
            <p className="muted small" data-testid="missing-partitions">
              {missing.data.length === 0
                ? `Every partition of ${keySource} is materialized.`
                : `${missing.data.length.toLocaleString("en-US")} partitions of ${keySource} are missing or failed` +
                  ` (${missing.data[0]} … ${missing.data.at(-1)}).`}
            </p>
          ))}
        {which === "range" && (
          <>
            <div className="form-row">
              <label htmlFor={`${id}-start`}>First partition</label>
              <input
                id={`${id}-start`}
                list={`${id}-keys`}
                value={start}
                onChange={(e) => setStart(e.target.value)}
                disabled={keySource === null}
              />
              <label htmlFor={`${id}-end`}>Last partition</label>
              <input
                id={`${id}-end`}
                list={`${id}-keys`}
                value={end}
                onChange={(e) => setEnd(e.target.value)}
                disabled={keySource === null}
              />
            </div>
            <datalist id={`${id}-keys`}>
              {(keys.data?.keys ?? []).map((k) => (
                <option key={k} value={k} />
              ))}
            </datalist>
            {keys.data && (
              <p className="muted small">
                {keys.data.total.toLocaleString("en-US")} partitions, from {keys.data.keys[0] ?? "—"} to{" "}
                {keys.data.last ?? "—"}.
              </p>
            )}
            {keys.isError && (
              <p className="state state-error" role="alert">
                The partition keys could not be loaded: {keys.error.message}
              </p>
            )}
          </>
        )}
      </fieldset>
      <div className="form-row">
        <label htmlFor={`${id}-policy`}>Runs</label>
        <select id={`${id}-policy`} value={policy} onChange={(e) => setPolicy(e.target.value)}>
          {POLICIES.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-title`}>Title</label>
        <input id={`${id}-title`} value={title} placeholder="optional" onChange={(e) => setTitle(e.target.value)} />
      </div>
      {launch.isError && (
        <p className="state state-error" role="alert">
          The backfill was not launched: {launch.error.message}
        </p>
      )}
      <div className="form-row">
        <button
          type="submit"
          disabled={readOnly.readOnly || launch.isPending || nothingChosen || noRange}
          title={readOnly.title}
        >
          {launch.isPending ? "Launching…" : "Launch backfill"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
