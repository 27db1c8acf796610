import { Link, useParams } from "react-router";

import { useAsset, useMaterializations, usePartitionStatus } from "../api/assets";
import { keyPath } from "../api/client";
import type { AssetDetail } from "../api/types";
import { AssetChecks } from "../components/AssetChecks";
import { MetadataPlots } from "../components/MetadataPlots";
import { MaterializeForm } from "../components/MaterializeForm";
import { MetadataList } from "../components/MetadataValue";
import { PartitionBar } from "../components/PartitionBar";
import { formatTimestamp } from "../format";
import { LoadError } from "../components/LoadError";

function AssetLinks({ keys, label }: { keys: string[]; label: string }) {
  if (keys.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="inline-list" aria-label={label}>
      {keys.map((key) => (
        <li key={key}>
          <Link to={`/assets/${keyPath(key)}`}>{key}</Link>
        </li>
      ))}
    </ul>
  );
}

function Definition({ asset }: { asset: AssetDetail }) {
  return (
    <section aria-labelledby="definition">
      <h2 id="definition">Definition</h2>
      {asset.description && <p className="description">{asset.description}</p>}
      <dl className="facts">
        <dt>Group</dt>
        <dd>{asset.group}</dd>
        <dt>Code location</dt>
        <dd>{asset.location}</dd>
        <dt>Kinds</dt>
        <dd>{asset.kinds.length ? asset.kinds.join(", ") : <span className="muted">none</span>}</dd>
        <dt>Owners</dt>
        <dd>{asset.owners.length ? asset.owners.join(", ") : <span className="muted">none</span>}</dd>
        {asset.partitions && (
          <>
            <dt>Partitions</dt>
            <dd>
              {asset.partitions.kind}
              {asset.partitions.cron_schedule ? ` (${asset.partitions.cron_schedule})` : ""}
              {asset.partitions.start ? ` from ${asset.partitions.start}` : ""}
            </dd>
          </>
        )}
        {asset.job_names.length > 0 && (
          <>
            <dt>Jobs</dt>
            <dd>{asset.job_names.join(", ")}</dd>
          </>
        )}
        <dt>Upstream</dt>
        <dd>
          <AssetLinks keys={asset.upstream} label="Upstream assets" />
        </dd>
        <dt>Downstream</dt>
        <dd>
          <AssetLinks keys={asset.downstream} label="Downstream assets" />
        </dd>
        {asset.code_version && (
          <>
            <dt>Code version</dt>
            <dd>
              <code>{asset.code_version}</code>
            </dd>
          </>
        )}
      </dl>
      {Object.keys(asset.metadata ?? {}).length > 0 && (
        <section aria-labelledby="definition-metadata">
          <h3 id="definition-metadata">Definition metadata</h3>
          <MetadataList metadata={asset.metadata} />
        </section>
      )}
    </section>
  );
}

function Partitions({ assetKey }: { assetKey: string }) {
  const status = usePartitionStatus(assetKey, true);
  return (
    <section aria-labelledby="partitions">
      <h2 id="partitions">Partitions</h2>
      {status.isPending ? (
        <p className="muted">Loading partition status…</p>
      ) : status.isError ? (
        <p className="state state-error" role="alert">
          The partition status could not be loaded: {status.error.message}
        </p>
      ) : (
        <PartitionBar status={status.data} />
      )}
    </section>
  );
}

function Materializations({ assetKey }: { assetKey: string }) {
  const page = useMaterializations(assetKey);
  return (
    <section aria-labelledby="materializations">
      <h2 id="materializations">Latest materializations</h2>
      {page.isPending ? (
        <p className="muted">Loading materializations…</p>
      ) : page.isError ? (
        <p className="state state-error" role="alert">
          The materializations could not be loaded: {page.error.message}
        </p>
      ) : page.data.items.length === 0 ? (
        <p className="muted">Never materialized.</p>
      ) : (
        <table className="table materializations" aria-label="Materializations">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Run</th>
              <th scope="col">Partition</th>
              <th scope="col">Metadata</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((m) => (
              <tr key={m.storage_id}>
                <td>{formatTimestamp(m.timestamp)}</td>
                <td>
                  <Link to={`/runs/${encodeURIComponent(m.run_id)}`}>
                    <code>{m.run_id.slice(0, 8)}</code>
                  </Link>
                </td>
                <td>{m.partition ?? <span className="muted">—</span>}</td>
                <td className="wrap">
                  <MetadataList metadata={m.metadata} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One asset: its definition, partitions and materializations. The key is the URL's path
 * after /assets/ (`/assets/raw/orders` for ["raw", "orders"]). */
export function AssetPage() {
  const key = useParams()["*"] ?? "";
  const asset = useAsset(key);
  return (
    <section className="asset-page">
      <p className="breadcrumb">
        <Link to="/assets">Assets</Link> /
      </p>
      <h1>{key}</h1>
      {asset.isPending ? (
        <p className="muted" role="status">
          Loading the asset…
        </p>
      ) : asset.isError ? (
        <LoadError what="The asset" message={asset.error.message} />
      ) : (
        <>
          <MaterializeForm asset={asset.data} />
          <Definition asset={asset.data} />
          {asset.data.partitions && <Partitions assetKey={key} />}
          {asset.data.check_names.length > 0 && <AssetChecks assetKey={key} />}
          <MetadataPlots assetKey={key} />
          <Materializations assetKey={key} />
        </>
      )}
    </section>
  );
}
