import { useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";

import { keyPath } from "../api/client";
import { useAssetGraph, useGraphStatus } from "../api/graph";
import type { CollapseMode } from "../api/graph";
import { useLaunch } from "../api/launches";
import { useReadOnly } from "../api/serverInfo";
import { GraphCanvas } from "../graph/GraphCanvas";
import type { GraphCanvasHandle } from "../graph/GraphCanvas";
import { buildModel, lineage } from "../graph/model";
import type { GraphModel, Lineage } from "../graph/model";
import { Neighbourhood } from "../graph/Neighbourhood";
import { PICKED_COLOUR } from "../graph/nodeStyle";
import type { GroupCounts } from "../graph/nodeStyle";
import { GROUP_STYLE, STATUS_ORDER, STATUS_STYLES, statusStyle } from "../status";
import { LoadError } from "../components/LoadError";

const SEARCH_LIST_LIMIT = 20;
const PANEL_WIDTH = 280; // px: .side-panel's width, over the canvas
const LINEAGE_DEPTHS = [1, 2, 3];

/** Assets picked for a launch: key -> its code location. Keys, not node indices, so that a
 * pick survives expanding or collapsing groups (a new layout). */
type Picked = ReadonlyMap<string, string | null>;

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
      <li>
        <span className="swatch" style={{ background: "transparent", borderColor: PICKED_COLOUR }} />
        Picked (shift-click)
      </li>
    </ul>
  );
}

function SidePanel({
  model,
  node,
  status,
  lin,
  counts,
  picked,
  onExpand,
  onTogglePick,
  onClose,
}: {
  model: GraphModel;
  node: number;
  status: string;
  lin: Lineage | null;
  counts: Record<string, number> | undefined;
  picked: boolean;
  onExpand(group: string): void;
  onTogglePick(): void;
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
          {counts && (
            <ul className="group-counts" aria-label="Group status">
              {STATUS_ORDER.map((code) => (
                <li key={code} data-status={code}>
                  <span
                    className="swatch"
                    style={{ background: STATUS_STYLES[code].fill, borderColor: STATUS_STYLES[code].stroke }}
                  />
                  {STATUS_STYLES[code].label} <strong>{counts[code] ?? 0}</strong>
                </li>
              ))}
            </ul>
          )}
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
          <p>
            <Link to={`/assets/${keyPath(id)}`}>Open the asset page</Link>
          </p>
          <button type="button" onClick={onTogglePick} aria-pressed={picked}>
            {picked ? "Unpick" : "Pick for materializing"}
          </button>
        </>
      )}
    </aside>
  );
}

/** The assets picked for a launch, and the button that materializes them in one run (one code
 * location per run: a pick across locations says so instead). */
function LaunchBar({ picked, onClear }: { picked: Picked; onClear(): void }) {
  const launch = useLaunch();
  const navigate = useNavigate();
  const readOnly = useReadOnly();
  const locations = [...new Set(picked.values())].map((l) => l ?? "(unknown)").sort();
  const spans = locations.length > 1;
  const materialize = () =>
    launch.mutate(
      { location: locations[0]!, asset_selection: [...picked.keys()].map((key) => key.split("/")) },
      { onSuccess: (run) => navigate(`/runs/${encodeURIComponent(run.run_id)}`) },
    );
  return (
    <div className="launch-bar" role="region" aria-label="Picked assets">
      <span role="status">{plural(picked.size, "asset")} picked</span>
      <button
        type="button"
        onClick={materialize}
        disabled={readOnly.readOnly || spans || launch.isPending}
        title={readOnly.title}
      >
        {launch.isPending ? "Launching…" : "Materialize selected"}
      </button>
      <button type="button" className="link-button" onClick={onClear}>
        Clear
      </button>
      {spans && (
        <span className="state-error" role="alert">
          The picked assets span {locations.length} code locations ({locations.join(", ")}): a
          run materializes assets of one location; pick from one at a time.
        </span>
      )}
      {launch.isError && (
        <span className="state-error" role="alert">
          Could not launch: {launch.error.message}
        </span>
      )}
    </div>
  );
}

/** The lineage of every asset: the overview drawn with WebGL from the server's layout, and
 * the neighbourhood of a selected asset as SVG. */
export function AssetGraphPage() {
  const [collapse, setCollapse] = useState<CollapseMode>("auto");
  const [expand, setExpand] = useState<string[]>([]);
  const graph = useAssetGraph(collapse, expand);
  const status = useGraphStatus();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [picked, setPicked] = useState<Picked>(new Map());
  const [showLineage, setShowLineage] = useState(false);
  const [depth, setDepth] = useState(2);
  const [search, setSearch] = useState("");
  const needle = useDeferredValue(search.trim().toLowerCase());
  const canvas = useRef<GraphCanvasHandle>(null);

  const model = useMemo(() => (graph.data ? buildModel(graph.data) : null), [graph.data]);
  // The selection is kept by key: it survives a new layout if the asset is still a node.
  const selected = (model && selectedId !== null ? model.index.get(selectedId) : undefined) ?? -1;
  const selectedAsset = model && selected >= 0 && !model.isGroup[selected] ? selected : -1;
  useEffect(() => {
    if (selectedAsset < 0) setShowLineage(false);
  }, [selectedAsset]);

  const statuses = useMemo(() => {
    if (!model) return [];
    const byId = new Map<string, string>();
    const s = status.data;
    if (s) s.node_ids.forEach((id, i) => byId.set(id, s.statuses[i] ?? "-"));
    return model.ids.map((id) => byId.get(id) ?? "-");
  }, [model, status.data]);
  const groupCounts: GroupCounts | null = status.data?.group_counts ?? null;

  const pickedFlags = useMemo(() => {
    if (!model || !picked.size) return null;
    const flags = new Uint8Array(model.count);
    for (const key of picked.keys()) {
      const i = model.index.get(key);
      if (i !== undefined && !model.isGroup[i]) flags[i] = 1;
    }
    return flags;
  }, [model, picked]);

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
    setSelectedId(model && node >= 0 ? model.ids[node]! : null);
    if (center && node >= 0) canvas.current?.centerOn(node, PANEL_WIDTH);
  };

  const pick = (nodes: readonly number[], on: boolean | null) => {
    if (!model) return;
    setPicked((before) => {
      const after = new Map(before);
      for (const node of nodes) {
        if (model.isGroup[node]) continue;
        const key = model.ids[node]!;
        const add = on ?? !after.has(key);
        if (add) after.set(key, model.locations[node] ?? null);
        else after.delete(key);
      }
      return after;
    });
  };

  const matchedAssets = matches && model ? matches.list.filter((n) => !model.isGroup[n]) : [];

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
        {matchedAssets.length > 0 && (
          <button type="button" onClick={() => pick(matchedAssets, true)}>
            Pick {matchedAssets.length === 1 ? "the match" : `all ${matchedAssets.length}`}
          </button>
        )}
        <button type="button" onClick={() => canvas.current?.fit()} disabled={!model || showLineage}>
          Fit
        </button>
        <button
          type="button"
          aria-pressed={showLineage}
          disabled={selectedAsset < 0}
          title={selectedAsset < 0 ? "Select an asset to see its lineage" : undefined}
          onClick={() => setShowLineage((on) => !on)}
        >
          Lineage
        </button>
        {showLineage && (
          <select
            aria-label="Lineage depth"
            value={depth}
            onChange={(event) => setDepth(Number(event.target.value))}
          >
            {LINEAGE_DEPTHS.map((d) => (
              <option key={d} value={d}>
                {d} step{d === 1 ? "" : "s"}
              </option>
            ))}
          </select>
        )}
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
              <button
                type="button"
                className="link-button"
                onClick={(event) =>
                  event.shiftKey || event.ctrlKey || event.metaKey ? pick([node], null) : select(node, true)
                }
              >
                {model!.ids[node]}
              </button>
            </li>
          ))}
          {matches.list.length > SEARCH_LIST_LIMIT && (
            <li className="muted">and {matches.list.length - SEARCH_LIST_LIMIT} more</li>
          )}
        </ul>
      )}
      {picked.size > 0 && <LaunchBar picked={picked} onClear={() => setPicked(new Map())} />}
      {graph.isPending ? (
        <p className="muted" role="status">
          Loading the asset graph…
        </p>
      ) : graph.isError ? (
        <LoadError what="The asset graph" message={graph.error.message} retry={() => void graph.refetch()} />
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
            groupCounts={groupCounts}
            statusReady={status.data !== undefined}
            selected={selected}
            lineage={lin}
            matches={matches?.flags ?? null}
            picked={pickedFlags}
            onSelect={(node, extend) => {
              if (extend) {
                if (node >= 0) pick([node], null);
                return;
              }
              // A collapsed group opens where it is clicked: the server lays it out expanded.
              if (node >= 0 && model.isGroup[node]) expandGroup(model.ids[node]!);
              else select(node);
            }}
          />
          {showLineage && selectedAsset >= 0 && (
            <div className="neighbourhood-layer" style={{ right: PANEL_WIDTH }}>
              <Neighbourhood
                model={model}
                node={selectedAsset}
                depth={depth}
                statuses={statuses}
                groupCounts={groupCounts}
                onExpand={expandGroup}
              />
            </div>
          )}
          {selected >= 0 && (
            <SidePanel
              model={model}
              node={selected}
              status={statuses[selected] ?? "-"}
              lin={lin}
              counts={groupCounts?.[model.ids[selected]!]}
              picked={picked.has(model.ids[selected]!)}
              onExpand={expandGroup}
              onTogglePick={() => pick([selected], null)}
              onClose={() => setSelectedId(null)}
            />
          )}
        </div>
      ) : null}
    </section>
  );
}
