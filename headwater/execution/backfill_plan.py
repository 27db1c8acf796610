"""The runs a backfill is carried out in: one plan for both ways of carrying it out.

``plan_runs`` splits the selection into its unpartitioned assets (one run, after every
partition) and its stages (``backfill_stages.py``: one per partitionings, in dependency order),
gives each stage its partition keys, and cuts them into runs of contiguous keys, at most
``max_partitions_per_run`` each (None: a single run). A stage is *ordered* when one of its
partitions reads a partition of another of its runs (a time-window mapping that reads the day
before): its runs must then finish one after the other, in key order.

``execute_backfill`` plans in process from the loaded definitions, again on every resume
(without the partitions already done); a backfill launched for the daemon stores its plan
(``PartitionBackfill.plan``) when it is launched, because the daemon loads no user code.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvalidDefinitionError
from headwater.execution.backfill_stages import Stage, plan_stages, stage_keys
from headwater.storage.backfills import RunPlan, StagePlan


def split_unpartitioned(graph: Any, keys: Sequence[AssetKey],
                        ) -> tuple[list[AssetKey], list[AssetKey]]:
    """The partitioned keys, and the unpartitioned ones: those run once, after every
    partition (they read all of them). One upstream of a partitioned asset is an error."""
    partitioned = [k for k in keys if graph.partitions_def_for(k) is not None]
    after = [k for k in keys if graph.partitions_def_for(k) is None]
    if after:
        ids = {graph.ids[k] for k in partitioned}
        below = graph.downstream(ids, include_self=False)
        upstream = [k for k in after if graph.ids[k] not in below
                    and graph.downstream({graph.ids[k]}, include_self=False) & ids]
        if upstream:
            raise InvalidDefinitionError(
                f"Unpartitioned asset(s) {', '.join(k.to_user_string() for k in upstream[:5])} "
                "are upstream of partitioned assets in the backfill's selection. Materialize "
                "them first (headwater asset materialize), then backfill without them.")
    return partitioned, after


def chunk_keys(all_keys: Sequence[str], wanted: Sequence[str],
               per_run: int | None) -> Iterator[list[str]]:
    """``wanted`` in runs: contiguous keys of the definition, at most ``per_run`` each."""
    position = {pk: i for i, pk in enumerate(all_keys)}
    chunk: list[str] = []
    last = -2
    for pk in wanted:
        pos = position.get(pk, -10)
        if chunk and (pos != last + 1 or (per_run is not None and len(chunk) >= per_run)):
            yield chunk
            chunk = []
        chunk.append(pk)
        last = pos
    if chunk:
        yield chunk


def _ordered(graph: Any, stage: Stage, runs: Sequence[Sequence[str]], store: Any) -> bool:
    """Whether a run of ``stage`` reads partitions another of its runs writes."""
    if len(runs) < 2:
        return False
    members = set(stage.assets)
    edges = [(key, graph.keys[p]) for key in stage.assets for p in graph.parents[graph.ids[key]]
             if graph.keys[p] in members]
    pdef = stage.partitions_def
    planned = {k for run in runs for k in run}
    for child, parent in edges:
        mapping = graph.partition_mapping_for(child, parent)
        for run in runs:
            readers = set(mapping.downstream_keys(run, pdef, pdef, store)) & planned
            if not readers <= set(run):
                return True
    return False


def plan_runs(graph: Any, asset_selection: Sequence[AssetKey], partition_keys: Sequence[str],
              per_run: int | None, store: Any,
              done: Collection[tuple[int, str]] = ()) -> tuple[list[Stage], RunPlan]:
    """The stages of ``asset_selection`` and the runs that materialize ``partition_keys``
    (keys of the first stage's definition), leaving out the (stage, key) pairs in ``done``."""
    partitioned, after = split_unpartitioned(graph, asset_selection)
    stages = plan_stages(graph, partitioned)
    keys_by_stage = stage_keys(graph, stages, partition_keys, store)
    planned = []
    for stage, keys in zip(stages, keys_by_stage, strict=True):
        all_keys = stage.partitions_def.get_partition_keys(dynamic_partitions_store=store)
        todo = [k for k in keys if (stage.index, k) not in done]
        runs = [tuple(c) for c in chunk_keys(all_keys, todo, per_run)]
        planned.append(StagePlan(tuple(stage.assets), tuple(runs),
                                 _ordered(graph, stage, runs, store)))
    return stages, RunPlan(tuple(planned), tuple(after))
