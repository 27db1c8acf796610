// A job's op graph drawn as SVG from the server's layout (jobs have tens of ops, not
// thousands: SVG with one element per op is fine and accessible). Each op is a button.
import type { JobOp, OpLayout } from "../api/jobs";

export const MAX_DRAWN_OPS = 400;
const PAD = 12;

function edgePath(layout: OpLayout, source: number, target: number): string {
  const x1 = (layout.x[source] ?? 0) + layout.node_width;
  const y1 = (layout.y[source] ?? 0) + layout.node_height / 2;
  const x2 = layout.x[target] ?? 0;
  const y2 = (layout.y[target] ?? 0) + layout.node_height / 2;
  const mid = (x1 + x2) / 2;
  return `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
}

function label(name: string, width: number): string {
  const fits = Math.floor((width - 16) / 7);
  return name.length > fits ? `${name.slice(0, Math.max(fits - 1, 1))}…` : name;
}

export function OpGraph({
  layout,
  ops,
  selected,
  onSelect,
}: {
  layout: OpLayout | null;
  ops: JobOp[];
  selected: string | null;
  onSelect: (name: string) => void;
}) {
  if (layout === null || layout.node_ids.length > MAX_DRAWN_OPS) {
    return (
      <p className="muted" role="status">
        This job has {ops.length} ops: too many to draw here. Pick one:{" "}
        <select aria-label="Op" value={selected ?? ""} onChange={(e) => onSelect(e.target.value)}>
          <option value="">—</option>
          {ops.map((op) => (
            <option key={op.name} value={op.name}>
              {op.name}
            </option>
          ))}
        </select>
      </p>
    );
  }
  const width = layout.width + 2 * PAD;
  const height = layout.height + 2 * PAD;
  const withConfig = new Set(ops.filter((op) => op.config !== null).map((op) => op.name));
  return (
    <div className="op-graph">
      <svg
        role="group"
        aria-label="Op graph"
        viewBox={`${-PAD} ${-PAD} ${width} ${height}`}
        width={width}
        height={height}
      >
        <defs>
          <marker id="op-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto">
            <path d="M 0 0 L 8 4 L 0 8 z" fill="#8a96a3" />
          </marker>
        </defs>
        {layout.edge_sources.map((source, i) => (
          <path
            key={`e${i}`}
            className="op-edge"
            d={edgePath(layout, source, layout.edge_targets[i] ?? 0)}
            markerEnd="url(#op-arrow)"
          />
        ))}
        {layout.node_ids.map((name, i) => (
          <g
            key={name}
            role="button"
            tabIndex={0}
            aria-label={`Op ${name}`}
            aria-pressed={selected === name}
            className={`op-node${selected === name ? " op-node-selected" : ""}`}
            transform={`translate(${layout.x[i] ?? 0} ${layout.y[i] ?? 0})`}
            onClick={() => onSelect(name)}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                onSelect(name);
              }
            }}
          >
            <title>{name}</title>
            <rect width={layout.node_width} height={layout.node_height} rx={6} />
            <text x={10} y={layout.node_height / 2 + 4}>
              {label(name, layout.node_width)}
            </text>
            {withConfig.has(name) && (
              <text className="op-node-badge" x={layout.node_width - 8} y={14} textAnchor="end">
                config
              </text>
            )}
          </g>
        ))}
      </svg>
    </div>
  );
}
