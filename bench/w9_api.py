"""W9 API: the web API's screen-sized reads over big instances (Headwater only; Dagster's
GraphQL equivalents are a later comparison).

* `runs`: the first page (50) of the run list over `--runs` runs, and a page deep in it;
* `events`: the first page (500) of one run's event log of `--events` events;
* `partitions`: the partition status (as ranges) of an asset with `--partitions` static
  partitions, every third materialized;
* `assets`: the first catalog page (200) of `--assets` assets, and the asset graph with its
  layout (groups collapsed, as the UI asks past 2,000 assets, and every asset).

Each request goes through the whole ASGI app (Starlette's TestClient, in process), cold (first
call) and warm (median of 20).

    python bench/w9_api.py --runs 100000 --events 100000 --partitions 100000 --assets 10000
"""

from __future__ import annotations

import statistics
import time

from _dag import emit, fresh_home, parse_args

import headwater as hw
from headwater.events.records import Event, EventLogEntry, EventType
from headwater.locations.in_process import InProcessLocation
from headwater.storage.runs import Run, RunStatus


def timed(client, url: str) -> tuple[float, float]:
    start = time.perf_counter()
    response = client.get(url)
    cold = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.text[:300]
    warm = []
    for _ in range(20):
        start = time.perf_counter()
        client.get(url)
        warm.append((time.perf_counter() - start) * 1000)
    return round(cold, 1), round(statistics.median(warm), 1)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], runs={"type": int, "default": 100_000},
                      events={"type": int, "default": 100_000},
                      partitions={"type": int, "default": 100_000},
                      assets={"type": int, "default": 10_000})
    from starlette.testclient import TestClient

    from headwater.web.app import create_app
    from headwater.web.context import WebContext

    fresh_home()
    instance = hw.Instance.get()
    record: dict = {"impl": "headwater"}

    started = time.perf_counter()
    batch = []
    for i in range(args.runs):
        batch.append(Run(job_name=f"job_{i % 50}", status=RunStatus.SUCCESS,
                         tags={"team": f"t{i % 7}"}))
        if len(batch) == 5000:
            for run in batch:
                instance.add_run(run)
            batch = []
    for run in batch:
        instance.add_run(run)
    run = instance.add_run(Run(job_name="big_log", status=RunStatus.STARTED))
    entries = [EventLogEntry(run.run_id, time.time(), 10, f"line {i}", "step", "big_log",
                             Event(EventType.ENGINE_EVENT, "big_log", "step", "step",
                                   f"event {i}"))
               for i in range(args.events)]
    for i in range(0, len(entries), 10_000):
        instance.store_events(entries[i:i + 10_000])
    keys = [f"p{i:06d}" for i in range(args.partitions)]
    parts = hw.StaticPartitionsDefinition(keys)

    @hw.asset(partitions_def=parts)
    def wide(context):
        return 1

    mat_events = [EventLogEntry(
        "seed", time.time(), 10, "", "wide", "seed",
        Event(EventType.ASSET_MATERIALIZATION, "seed", "wide", "wide", None,
              _materialization_data(hw, k))) for k in keys[::3]]
    for i in range(0, len(mat_events), 10_000):
        instance.store_events(mat_events[i:i + 10_000])
    # a layered DAG (10 per layer, two parents each), 200 assets per group
    many = [hw.AssetSpec(f"asset_{i:06d}", group_name=f"g{i // 200}",
                         deps=[f"asset_{p:06d}" for p in _parents(i)])
            for i in range(args.assets)]
    defs = hw.Definitions(assets=[wide, *many])
    location = InProcessLocation("bench", lambda: defs, instance)
    record["seed_s"] = round(time.perf_counter() - started, 1)

    client = TestClient(create_app(WebContext(instance, lambda: [location])))
    first = client.get("/api/v1/runs?limit=50").json()
    deep = first["items"][-1]["run_id"]
    for name, url in [
        (f"runs_first_page_{args.runs}", "/api/v1/runs?limit=50"),
        (f"runs_filtered_page_{args.runs}", "/api/v1/runs?limit=50&tag=team%3Dt3"),
        (f"runs_next_page_{args.runs}", f"/api/v1/runs?limit=50&cursor={deep}"),
        (f"events_first_page_{args.events}", f"/api/v1/runs/{run.run_id}/events?limit=500"),
        (f"partition_status_{args.partitions}", "/api/v1/assets/wide/partitions"),
        (f"assets_first_page_{args.assets}", "/api/v1/assets?limit=200"),
        (f"asset_graph_{args.assets}_collapsed", "/api/v1/asset_graph"),
        (f"asset_graph_{args.assets}_expanded", "/api/v1/asset_graph?collapse=none"),
    ]:
        cold, warm = timed(client, url)
        record[f"{name}_cold_ms"] = cold
        record[f"{name}_ms"] = warm
    emit(record)


def _parents(i: int) -> tuple[int, ...]:
    layer, col = divmod(i, 10)
    if layer == 0:
        return ()
    return ((layer - 1) * 10 + col, (layer - 1) * 10 + (col + 1) % 10)


def _materialization_data(hw, partition: str):
    from headwater.events.records import StepMaterializationData

    return StepMaterializationData(hw.AssetMaterialization(asset_key="wide",
                                                           partition=partition))


if __name__ == "__main__":
    main()
