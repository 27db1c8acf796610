// Numeric metadata over time on an asset page: a small SVG line per entry (row_count, ...)
// over the latest materializations, from one compact call (/metadata_series, capped), with
// a tooltip per point and a table for screen readers and exact values.
import { useMetadataSeries } from "../api/assetHistory";
import type { MetadataSeries, MetadataSeriesPage } from "../api/types";
import { formatTimestamp } from "../format";

const WIDTH = 360;
const HEIGHT = 96;
const PAD_X = 6;
const PAD_Y = 8;

function formatNumber(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 4 });
}

interface Point {
  index: number;
  x: number;
  y: number;
  value: number;
}

/** Points spaced by materialization (a burst of runs stays readable), y scaled to the range. */
export function plotPoints(values: (number | null)[]): { points: Point[]; min: number; max: number } {
  const present = values.filter((v): v is number => v !== null);
  const min = Math.min(...present);
  const max = Math.max(...present);
  const span = max - min || 1;
  const step = values.length > 1 ? (WIDTH - 2 * PAD_X) / (values.length - 1) : 0;
  const points: Point[] = [];
  values.forEach((value, index) => {
    if (value === null) return;
    const x = values.length > 1 ? PAD_X + index * step : WIDTH / 2;
    const y = max === min ? HEIGHT / 2 : HEIGHT - PAD_Y - ((value - min) / span) * (HEIGHT - 2 * PAD_Y);
    points.push({ index, x, y, value });
  });
  return { points, min, max };
}

/** A line broken where a materialization did not record the entry. */
function linePath(points: Point[]): string {
  return points
    .map((p, i) => `${i > 0 && points[i - 1]!.index === p.index - 1 ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`)
    .join(" ");
}

function Plot({ page, series }: { page: MetadataSeriesPage; series: MetadataSeries }) {
  const { points, min, max } = plotPoints(series.values);
  const first = page.timestamps[points[0]!.index]!;
  const last = page.timestamps[points.at(-1)!.index]!;
  const label =
    `${series.key} over ${points.length} materialization${points.length === 1 ? "" : "s"} ` +
    `from ${formatTimestamp(first)} to ${formatTimestamp(last)}: ` +
    `latest ${formatNumber(points.at(-1)!.value)}, min ${formatNumber(min)}, max ${formatNumber(max)}`;
  return (
    <figure className="metadata-plot" data-series={series.key}>
      <figcaption>
        <strong>{series.key}</strong>{" "}
        <span className="muted small">
          latest {formatNumber(points.at(-1)!.value)} · min {formatNumber(min)} · max {formatNumber(max)}
        </span>
      </figcaption>
      <svg
        role="img"
        aria-label={label}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
        data-point-count={points.length}
      >
        <path className="plot-line" d={linePath(points)} fill="none" />
        {points.map((p) => (
          <circle key={p.index} className="plot-point" cx={p.x} cy={p.y} r={points.length > 60 ? 1.5 : 3}>
            <title>
              {`${formatTimestamp(page.timestamps[p.index]!)}${
                page.partitions[p.index] ? ` (${page.partitions[p.index]})` : ""
              }: ${formatNumber(p.value)}`}
            </title>
          </circle>
        ))}
      </svg>
      <details>
        <summary>Values of {series.key}</summary>
        <table className="table plot-values" aria-label={`Values of ${series.key}`}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Partition</th>
              <th scope="col">{series.key}</th>
            </tr>
          </thead>
          <tbody>
            {[...points].reverse().map((p) => (
              <tr key={p.index}>
                <td>{formatTimestamp(page.timestamps[p.index]!)}</td>
                <td>{page.partitions[p.index] ?? <span className="muted">—</span>}</td>
                <td>{formatNumber(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** The "Metadata over time" section: nothing when no materialization recorded a number. */
export function MetadataPlots({ assetKey }: { assetKey: string }) {
  const page = useMetadataSeries(assetKey);
  if (page.isPending) return null;
  if (page.isError) {
    return (
      <section aria-labelledby="metadata-plots">
        <h2 id="metadata-plots">Metadata over time</h2>
        <p className="state state-error" role="alert">
          The metadata could not be loaded: {page.error.message}
        </p>
      </section>
    );
  }
  const plotted = page.data.series.filter((s) => s.values.some((v) => v !== null));
  if (plotted.length === 0) return null;
  return (
    <section aria-labelledby="metadata-plots">
      <h2 id="metadata-plots">Metadata over time</h2>
      {page.data.truncated && (
        <p className="muted small">The latest {page.data.total_shown} materializations.</p>
      )}
      <div className="metadata-plots">
        {plotted.map((series) => (
          <Plot key={series.key} page={page.data} series={series} />
        ))}
      </div>
    </section>
  );
}
