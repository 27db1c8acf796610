import { useState } from "react";
import { Link, useParams } from "react-router";

import type { JobDetail, JobOp } from "../api/jobs";
import { useJob } from "../api/jobs";
import { Launchpad } from "../components/Launchpad";
import { OpGraph } from "../components/OpGraph";
import { defaultLabel, typeLabel } from "../configSchema";
import { LoadError } from "../components/LoadError";

function OpDetails({ op, onClose }: { op: JobOp; onClose: () => void }) {
  const fields = op.config?.kind === "shape" ? Object.entries(op.config.fields ?? {}) : [];
  return (
    <aside className="op-details" aria-label="Op details">
      <div className="side-panel-head">
        <h2>{op.name}</h2>
        <button type="button" className="link-button" onClick={onClose} aria-label="Close op details">
          ×
        </button>
      </div>
      <p className="muted small">
        {op.upstream.length ? `Depends on ${op.upstream.join(", ")}` : "No upstream ops"}
      </p>
      {op.config === null ? (
        <p className="muted">Takes no config.</p>
      ) : fields.length === 0 ? (
        <p>
          Config: <code>{typeLabel(op.config)}</code>
        </p>
      ) : (
        <table className="table" aria-label={`Config of ${op.name}`}>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Type</th>
              <th scope="col">Required</th>
              <th scope="col">Default</th>
            </tr>
          </thead>
          <tbody>
            {fields.map(([name, field]) => (
              <tr key={name}>
                <td>
                  <code>{name}</code>
                  {field.description && <div className="muted small">{field.description}</div>}
                </td>
                <td>
                  <code>{typeLabel(field.type)}</code>
                </td>
                <td>{field.required ? "yes" : "no"}</td>
                <td>{"default" in field ? <code>{defaultLabel(field.default)}</code> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </aside>
  );
}

function JobView({ job }: { job: JobDetail }) {
  const [selected, setSelected] = useState<string | null>(null);
  const op = job.ops.find((o) => o.name === selected) ?? null;
  return (
    <>
      <dl className="facts">
        <div className="facts-row">
          <dt>Location</dt>
          <dd>{job.location}</dd>
        </div>
        <div className="facts-row">
          <dt>Kind</dt>
          <dd>{job.kind === "op" ? "Op job" : `Asset job (${job.asset_keys.length} assets)`}</dd>
        </div>
        {job.partitions && (
          <div className="facts-row">
            <dt>Partitions</dt>
            <dd>
              {job.partitions.kind}
              {job.partitions.count !== null && ` · ${job.partitions.count}`}
              {job.partitions.cron_schedule && ` · ${job.partitions.cron_schedule}`}
            </dd>
          </div>
        )}
      </dl>
      {job.description && <p className="description">{job.description}</p>}
      <h2>Op graph</h2>
      <div className="op-graph-row">
        <OpGraph layout={job.layout} ops={job.ops} selected={selected} onSelect={(name) => setSelected(name || null)} />
        {op && <OpDetails op={op} onClose={() => setSelected(null)} />}
      </div>
      <Launchpad key={`${job.location}/${job.name}`} job={job} />
    </>
  );
}

/** One job: its op graph and the launchpad. */
export function JobPage() {
  const params = useParams();
  const location = params.location ?? "";
  const name = params.name ?? "";
  const job = useJob(location, name);
  return (
    <section>
      <p className="breadcrumb">
        <Link to="/jobs">Jobs</Link> / {location}
      </p>
      <h1>{name}</h1>
      {job.isPending ? (
        <p className="muted" role="status">
          Loading the job…
        </p>
      ) : job.isError ? (
        <LoadError what="The job" message={job.error.message} retry={() => void job.refetch()} />
      ) : (
        <JobView job={job.data} />
      )}
    </section>
  );
}
