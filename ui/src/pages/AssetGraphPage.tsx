import { useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router";

import { keyPath } from "../api/client";
import { useAssetGraph, useGraphStatus } from "../api/graph";
import type { CollapseMode } from "../api/graph";
import { GraphCanvas } from "../graph/GraphCanvas";
import type { GraphCanvasHandle } from "../graph/GraphCanvas";
import { buildModel, lineage } from "../graph/model";
import type { GraphModel, Lineage } from "../graph/model";
import { GROUP_STYLE, STATUS_ORDER, STATUS_STYLES, statusStyle } from "../status";

const SEARCH_LIST_LIMIT = 20;
const PANEL_WIDTH = 280; // px: .side-panel's width, over the canvas

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      {STATUS_ORDER.map((code) => (
        <li key={code}>
          <span
            className="swatch"
            style={{ background: STATUS_STYLES[code].fill, borderColor: STATUS_STYLES[code].stroke }}
          />
          {STATUS_STYLES[code].label}
        </li>
      ))}
      <li>
        <span className="swatch" style={{ background: GROUP_STYLE.fill, borderColor: GROUP_STYLE.stroke }} />
        Group (click to expand)
      </li>
    </ul>
  );
}

function SidePanel({
  model,
  node,
  status,
  lin,
  onExpand,
  onClose,
}: {
  model: GraphModel;
  node: number;
  status: string;
  lin: Lineage | null;
  onExpand(group: string): void;
  onClose(): void;
}) {
  const id = model.ids[node]!;
  const group = model.isGroup[node] === 1;
  return (
    <aside className="side-panel" aria-label="Selected node">
      <div className="side-panel-head">
        <h2>{group ? "Group" : "Asset"}</h2>
        <button type="button" className="link-button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      <p>
        <code data-testid="selected-key">{id}</code>
      </p>
      {group ? (
        <>
          <p>{model.sizes[node]} assets, collapsed.</p>
          <button type="button" onClick={() => onExpand(id)}>
            Expand group
          </button>
        </>
      ) : (
        <>
          <dl className="facts">
            <dt>Status</dt>
            <dd>{statusStyle(status).label}</dd>
            {model.groups[node] && (
              <>
                <dt>Group</dt>
                <dd>{model.groups[node]}</dd>
              </>
            )}
            {model.locations[node] && (
              <>
                <dt>Location</dt>
                <dd>{model.locations[node]}</dd>
              </>
            )}
            {lin && (
              <>
                <dt>Upstream</dt>
                <dd>{plural(lin.upstream, "asset")}</dd>
                <dt>Downstream</dt>
                <dd>{plural(lin.downstream, "asset")}</dd>
              </>
            )}
          </dl>
          <Link to={`/assets/${keyPath(id)}`}>Open the asset page</Link>
        </>
      )}
    </aside>
  );
}

/** The lineage of every asset, drawn on a canvas from the server's layout. */
export function AssetGraphPage() {
  const [collapse, setCollapse] = useState<CollapseMode>("auto");
  const [expand, setExpand] = useState<string[]>([]);
  const graph = useAssetGraph(collapse, expand);
  const status = useGraphStatus();
  const [selected, setSelected] = useState(-1);
  const [search, setSearch] = useState("");
  const needle = useDeferredValue(search.trim().toLowerCase());
  const canvas = useRef<GraphCanvasHandle>(null);

  const model = useMemo(() => (graph.data ? buildModel(graph.data) : null), [graph.data]);
  useEffect(() => setSelected(-1), [model]);

  const statuses = useMemo(() => {
    if (!model) return [];
    const byId = new Map<string, string>();
    const s = status.data;
    if (s) s.node_ids.forEach((id, i) => byId.set(id, s.statuses[i] ?? "-"));
    return model.ids.map((id) => byId.get(id) ?? "-");
  }, [model, status.data]);

  const lin = useMemo(
    () => (model && selected >= 0 ? lineage(model, selected) : null),
    [model, selected],
  );

  const matches = useMemo(() => {
    if (!model || !needle) return null;
    const flags = new Uint8Array(model.count);
    const list: number[] = [];
    model.lowerIds.forEach((id, i) => {
      if (id.includes(needle)) {
        flags[i] = 1;
        list.push(i);
      }
    });
    return { flags, list };
  }, [model, needle]);

  const expandGroup = (group: string) =>
    setExpand((groups) => (groups.includes(group) ? groups : [...groups, group]));

  const select = (node: number, center = false) => {
    setSelected(node);
    if (center && node >= 0) canvas.current?.centerOn(node, PANEL_WIDTH);
  };

  return (
    <section className="graph-page">
      <div className="graph-toolbar">
        <h1>Assets</h1>
        <input
          type="search"
          placeholder="Search assets by key"
          aria-label="Search assets"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        {matches && (
          <span className="muted" role="status">
            {matches.list.length} match{matches.list.length === 1 ? "" : "es"}
          </span>
        )}
        <button type="button" onClick={() => canvas.current?.fit()} disabled={!model}>
          Fit
        </button>
        <select
          aria-label="Groups"
          value={collapse}
          onChange={(event) => {
            setCollapse(event.target.value as CollapseMode);
            setExpand([]);
          }}
        >
          <option value="auto">Groups: automatic</option>
          <option value="all">Groups: collapsed</option>
          <option value="none">Groups: expanded</option>
        </select>
        {expand.length > 0 && (
          <button type="button" onClick={() => setExpand([])}>
            Collapse groups
          </button>
        )}
        <Legend />
      </div>
      {matches && matches.list.length > 0 && (
        <ul className="search-results" aria-label="Matching assets">
          {matches.list.slice(0, SEARCH_LIST_LIMIT).map((node) => (
            <li key={node}>
              <button type="button" className="link-button" onClick={() => select(node, true)}>
                {model!.ids[node]}
              </button>
            </li>
          ))}
          {matches.list.length > SEARCH_LIST_LIMIT && (
            <li className="muted">and {matches.list.length - SEARCH_LIST_LIMIT} more</li>
          )}
        </ul>
      )}
      {graph.isPending ? (
        <p className="muted" role="status">
          Loading the asset graph…
        </p>
      ) : graph.isError ? (
        <div className="state state-error" role="alert">
          <p>
            <strong>The asset graph could not be loaded.</strong> {graph.error.message}
          </p>
          <button type="button" onClick={() => void graph.refetch()}>
            Try again
          </button>
        </div>
      ) : model && model.count === 0 ? (
        <div className="state state-empty">
          <p>
            <strong>No assets yet.</strong> Load a code location that defines assets.
          </p>
        </div>
      ) : model ? (
        <div className="graph-body">
          <GraphCanvas
            handle={canvas}
            model={model}
            statuses={statuses}
            selected={selected}
            lineage={lin}
            matches={matches?.flags ?? null}
            onSelect={(node) => {
              // A collapsed group opens where it is clicked: the server lays it out expanded.
              if (node >= 0 && model.isGroup[node]) expandGroup(model.ids[node]!);
              else setSelected(node);
            }}
          />
          {selected >= 0 && (
            <SidePanel
              model={model}
              node={selected}
              status={statuses[selected] ?? "-"}
              lin={lin}
              onExpand={expandGroup}
              onClose={() => setSelected(-1)}
            />
          )}
        </div>
      ) : null}
    </section>
  );
}
