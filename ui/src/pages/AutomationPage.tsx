import type { ReactNode } from "react";
import { Link } from "react-router";

import type { InstigatorKind } from "../api/instigators";
import { useSchedules, useSensors, useToggleInstigator } from "../api/instigators";
import { useReadOnly } from "../api/serverInfo";
import type { InstigatorStatus, Schedule, Sensor, Tick } from "../api/types";
import { formatTimestamp } from "../format";
import { LoadError } from "../components/LoadError";

export function instigatorUrl(kind: InstigatorKind, location: string, name: string): string {
  return `/automation/${kind}/${encodeURIComponent(location)}/${encodeURIComponent(name)}`;
}

export function TickStatusBadge({ tick }: { tick: Tick | null }) {
  if (tick === null) return <span className="muted">No ticks</span>;
  return (
    <span className={`status status-${tick.status.toLowerCase()}`} title={formatTimestamp(tick.timestamp)}>
      {tick.status}
    </span>
  );
}

/** On or off, and the button that flips it (start/stop). */
function StatusToggle({
  kind,
  item,
}: {
  kind: InstigatorKind;
  item: { name: string; location: string; status: InstigatorStatus };
}) {
  const toggle = useToggleInstigator(kind);
  const readOnly = useReadOnly();
  const running = item.status === "RUNNING";
  return (
    <span className="toggle" data-testid="instigator-status">
      <span className={`status status-${item.status.toLowerCase()}`}>{item.status}</span>{" "}
      <button
        type="button"
        disabled={readOnly.readOnly || toggle.isPending}
        title={readOnly.title}
        aria-label={`${running ? "Stop" : "Start"} ${item.name}`}
        onClick={() => toggle.mutate({ location: item.location, name: item.name, running: !running })}
      >
        {running ? "Stop" : "Start"}
      </button>
      {toggle.isError && (
        <span className="state-error small" role="alert">
          {" "}
          {toggle.error.message}
        </span>
      )}
    </span>
  );
}

function SchedulesTable({ items }: { items: Schedule[] }) {
  return (
    <table className="table" aria-label="Schedules">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Location</th>
          <th scope="col">Cron</th>
          <th scope="col">Next tick</th>
          <th scope="col">Status</th>
          <th scope="col">Latest tick</th>
        </tr>
      </thead>
      <tbody>
        {items.map((s) => (
          <tr key={`${s.location}/${s.name}`} data-name={s.name}>
            <td>
              <Link to={instigatorUrl("schedules", s.location, s.name)}>{s.name}</Link>
            </td>
            <td>{s.location}</td>
            <td>
              <code>{s.cron_schedule.join(", ")}</code>{" "}
              <span className="muted small">{s.execution_timezone ?? "UTC"}</span>
            </td>
            <td>{s.status === "RUNNING" ? formatTimestamp(s.next_tick_time) : "—"}</td>
            <td>
              <StatusToggle kind="schedules" item={s} />
            </td>
            <td>
              <TickStatusBadge tick={s.latest_tick} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function SensorsTable({ items }: { items: Sensor[] }) {
  return (
    <table className="table" aria-label="Sensors">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Location</th>
          <th scope="col">Kind</th>
          <th scope="col">Interval</th>
          <th scope="col">Status</th>
          <th scope="col">Latest tick</th>
        </tr>
      </thead>
      <tbody>
        {items.map((s) => (
          <tr key={`${s.location}/${s.name}`} data-name={s.name}>
            <td>
              <Link to={instigatorUrl("sensors", s.location, s.name)}>{s.name}</Link>
            </td>
            <td>{s.location}</td>
            <td>{s.kind}</td>
            <td>{formatInterval(s.minimum_interval_seconds)}</td>
            <td>
              <StatusToggle kind="sensors" item={s} />
            </td>
            <td>
              <TickStatusBadge tick={s.latest_tick} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface ListQuery<T> {
  isPending: boolean;
  isError: boolean;
  error: Error | null;
  data: { items: T[] } | undefined;
  refetch: () => unknown;
}

/** Loading, error (with retry), empty, or the table. */
function ListSection<T>({
  title,
  query,
  empty,
  render,
}: {
  title: string;
  query: ListQuery<T>;
  empty: string;
  render: (items: T[]) => ReactNode;
}) {
  const noun = title.toLowerCase();
  return (
    <>
      <h2>{title}</h2>
      {query.isPending ? (
        <p className="muted" role="status">
          Loading {noun}…
        </p>
      ) : query.isError || !query.data ? (
        <LoadError what={`The ${noun}`} message={query.error?.message} retry={() => void query.refetch()} />
      ) : query.data.items.length === 0 ? (
        <div className="state state-empty">
          <p>
            <strong>No {noun}.</strong> {empty}
          </p>
        </div>
      ) : (
        render(query.data.items)
      )}
    </>
  );
}

/** Every schedule and sensor of the loaded code locations: on or off, latest tick. */
export function AutomationPage() {
  const schedules = useSchedules();
  const sensors = useSensors();
  return (
    <section>
      <h1>Automation</h1>
      <ListSection
        title="Schedules"
        query={schedules}
        empty="Add a schedule to your Definitions to run jobs on a cron."
        render={(items) => <SchedulesTable items={items} />}
      />
      <ListSection
        title="Sensors"
        query={sensors}
        empty="Add a sensor to your Definitions to run jobs when something changes."
        render={(items) => <SensorsTable items={items} />}
      />
    </section>
  );
}
