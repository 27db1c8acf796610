import { Link } from "react-router";

import type { Job } from "../api/jobs";
import { useJobs } from "../api/jobs";
import { LoadError } from "../components/LoadError";

export function jobUrl(location: string, name: string): string {
  return `/jobs/${encodeURIComponent(location)}/${encodeURIComponent(name)}`;
}

function JobsTable({ items }: { items: Job[] }) {
  return (
    <table className="table" aria-label="Jobs">
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Location</th>
          <th scope="col">Kind</th>
          <th scope="col">Partitioned</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {items.map((job) => (
          <tr key={`${job.location}/${job.name}`} data-name={job.name}>
            <td>
              <Link to={jobUrl(job.location, job.name)}>{job.name}</Link>
            </td>
            <td>{job.location}</td>
            <td>{job.kind === "op" ? "Op job" : "Asset job"}</td>
            <td>{job.partitioned ? `Yes (${job.partitions_kind})` : "No"}</td>
            <td className="wrap muted">{job.description ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every job of every loaded code location. */
export function JobsPage() {
  const jobs = useJobs();
  return (
    <section>
      <h1>Jobs</h1>
      {jobs.isPending ? (
        <p className="muted" role="status">
          Loading jobs…
        </p>
      ) : jobs.isError ? (
        <LoadError what="The jobs" message={jobs.error.message} retry={() => void jobs.refetch()} />
      ) : (
        <>
          {jobs.data.unloaded_locations.length > 0 && (
            <p className="state state-error" role="alert">
              Not loaded (their jobs are not listed): {jobs.data.unloaded_locations.join(", ")}. See{" "}
              <Link to="/deployment">Deployment</Link>.
            </p>
          )}
          {jobs.data.items.length === 0 ? (
            <p className="muted">No jobs. Define one with define_asset_job or @job in a code location.</p>
          ) : (
            <JobsTable items={jobs.data.items} />
          )}
        </>
      )}
    </section>
  );
}
