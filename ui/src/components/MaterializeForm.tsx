// "Materialize" on an asset's page: queues a run of this asset (POST /launches, which the
// daemon picks up) and opens the run. A partitioned asset needs a partition first: the picker
// lists its keys newest first, searched as you type, each with its status.

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";

import { usePartitionKeys } from "../api/assets";
import { useLaunch } from "../api/launches";
import { useReadOnly } from "../api/serverInfo";
import type { AssetDetail } from "../api/types";
import { statusStyle } from "../status";

const SHOWN = 30;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function PartitionPicker({
  assetKey,
  chosen,
  onChoose,
}: {
  assetKey: string;
  chosen: string | null;
  onChoose: (key: string) => void;
}) {
  const [search, setSearch] = useState("");
  const typed = search.trim();
  const query = useDebounced(typed, 200);
  const keys = usePartitionKeys(assetKey, query, SHOWN);
  return (
    <div className="partition-picker">
      <input
        type="search"
        placeholder="Find a partition"
        aria-label="Find a partition"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      {typed && typed === query && !keys.isFetching && !keys.data?.items.some((item) => item.key === typed) && (
        // Keys the server cannot list (a definition it cannot rebuild) are checked on launch.
        <button type="button" className="link-button" aria-pressed={chosen === typed} onClick={() => onChoose(typed)}>
          Use “{typed}”
        </button>
      )}
      {keys.isError ? (
        <p className="state state-error" role="alert">
          The partitions could not be listed: {keys.error.message}
        </p>
      ) : keys.data ? (
        <>
          <ul className="partition-choices" aria-label="Partitions to choose from">
            {keys.data.items.map((item) => {
              const style = statusStyle(item.status);
              return (
                <li key={item.key}>
                  <button
                    type="button"
                    aria-pressed={chosen === item.key}
                    data-status={item.status}
                    onClick={() => onChoose(item.key)}
                  >
                    <span className="swatch" style={{ background: style.stroke }} title={style.label} />
                    {item.key}
                  </button>
                </li>
              );
            })}
          </ul>
          <p className="muted small" role="status">
            {keys.data.total === 0
              ? "No partition matches."
              : keys.data.total > keys.data.items.length
                ? `${keys.data.items.length} of ${keys.data.total.toLocaleString("en-US")} partitions: search to narrow`
                : `${keys.data.total} partitions`}
          </p>
        </>
      ) : (
        <p className="muted small">Loading the partitions…</p>
      )}
    </div>
  );
}

export function MaterializeForm({ asset }: { asset: AssetDetail }) {
  const launch = useLaunch();
  const navigate = useNavigate();
  const client = useQueryClient();
  const readOnly = useReadOnly();
  const [partition, setPartition] = useState<string | null>(null);
  if (!asset.is_executable) return null;
  const partitioned = asset.partitions !== null;
  const ready = !partitioned || partition !== null;
  const submit = () =>
    launch.mutate(
      {
        location: asset.location,
        asset_selection: [asset.key],
        partition_key: partitioned ? partition : null,
      },
      {
        onSuccess: (result) => {
          // its status and partitions change once the run has run
          void client.invalidateQueries({ queryKey: ["asset", asset.key_string] });
          void navigate(`/runs/${encodeURIComponent(result.run_id)}`);
        },
      },
    );
  return (
    <section className="materialize" aria-label="Materialize">
      {partitioned && (
        <PartitionPicker assetKey={asset.key_string} chosen={partition} onChoose={setPartition} />
      )}
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={readOnly.readOnly || !ready || launch.isPending}
          title={readOnly.title}
          onClick={submit}
        >
          {launch.isPending ? "Launching…" : "Materialize"}
        </button>
        {partitioned && (
          <span className="muted small" data-testid="chosen-partition">
            {partition ? `Partition ${partition}` : "Choose a partition to materialize."}
          </span>
        )}
      </div>
      {launch.isError && (
        <p className="state state-error" role="alert">
          The run could not be launched: {launch.error.message}
        </p>
      )}
    </section>
  );
}
