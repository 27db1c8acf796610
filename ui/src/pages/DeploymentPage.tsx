import { useCodeLocations, useReloadLocation } from "../api/locations";
import { useReadOnly } from "../api/serverInfo";
import type { CodeLocation } from "../api/types";
import { errorHeadline, formatTimestamp } from "../format";
import { LoadError } from "../components/LoadError";

function LocationCard({ location }: { location: CodeLocation }) {
  const reload = useReloadLocation();
  const readOnly = useReadOnly();
  const reloading = reload.isPending && reload.variables === location.name;
  return (
    <article className="location" aria-label={`Code location ${location.name}`}>
      <header className="location-head">
        <h2>{location.name}</h2>
        <span className={`status status-${location.status.toLowerCase()}`}>{location.status}</span>
        <button
          type="button"
          onClick={() => reload.mutate(location.name)}
          disabled={readOnly.readOnly || reloading}
          title={readOnly.title}
        >
          {reloading ? "Reloading…" : "Reload"}
        </button>
      </header>
      {reload.isError && (
        <p className="state state-error" role="alert">
          Reload failed: {reload.error.message}
        </p>
      )}
      {location.status === "LOADED" ? (
        <dl className="facts facts-row">
          <dt>Loaded</dt>
          <dd data-testid="loaded-at">{formatTimestamp(location.loaded_at)}</dd>
          <dt>Assets</dt>
          <dd>{location.asset_count}</dd>
          <dt>Jobs</dt>
          <dd>{location.job_count}</dd>
          <dt>Schedules</dt>
          <dd>{location.schedule_count}</dd>
          <dt>Sensors</dt>
          <dd>{location.sensor_count}</dd>
        </dl>
      ) : null}
      {location.origin && (
        <p className="muted">
          <code>{location.origin}</code>
        </p>
      )}
      {location.error && (
        <div className="state state-error">
          <p>
            <strong>{errorHeadline(location.error)}</strong>
          </p>
          {location.error.stack.length > 0 && (
            <pre className="stack">{location.error.stack.join("")}</pre>
          )}
        </div>
      )}
    </article>
  );
}

/** The code locations this server serves: status, load errors, reload. */
export function DeploymentPage() {
  const locations = useCodeLocations();
  return (
    <section>
      <h1>Deployment</h1>
      {locations.isPending ? (
        <p className="muted" role="status">
          Loading code locations…
        </p>
      ) : locations.isError ? (
        <LoadError what="The code locations" message={locations.error.message} retry={() => void locations.refetch()} />
      ) : locations.data.items.length === 0 ? (
        <div className="state state-empty">
          <p>
            <strong>No code locations.</strong> Start the server with <code>-f</code> or{" "}
            <code>-m</code>, or a workspace file.
          </p>
        </div>
      ) : (
        locations.data.items.map((location) => (
          <LocationCard key={location.name} location={location} />
        ))
      )}
    </section>
  );
}
