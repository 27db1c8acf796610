"""Which partitions a run covers, and what each asset, output and input of it sees.

A run covers one partition key (tag ``dagster/partition``) or an inclusive range of keys (tags
``dagster/asset_partition_range_start``/``_end``) of ONE partitions definition: every partitioned
asset it materializes shares that definition. Inputs read the upstream partitions that the
dependency's partition mapping gives for the run's keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import (
    InvalidDefinitionError,
    InvalidInvocationError,
    InvariantViolationError,
)
from headwater.definitions.partitions import PartitionKeyRange, TimeWindow
from headwater.definitions.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)


class PartitionScope:
    """Some keys of one partitions definition: what a run, an output or an input covers."""

    __slots__ = ("definition", "keys", "is_range")

    def __init__(self, definition: Any, keys: Sequence[str], is_range: bool = False):
        self.definition = definition
        self.keys = list(keys)
        self.is_range = is_range

    @property
    def single_key(self) -> str | None:
        return self.keys[0] if len(self.keys) == 1 and not self.is_range else None

    def key(self, what: str = "partition_key") -> str:
        if len(self.keys) != 1 or self.is_range:
            raise InvariantViolationError(
                f"Cannot access {what} for a partitioned run with a range of partitions "
                f"({self.describe()}). Call partition_key_range or partition_keys instead.")
        return self.keys[0]

    def key_range(self) -> PartitionKeyRange:
        if not self.keys:
            raise InvariantViolationError("This run covers no partitions")
        return PartitionKeyRange(self.keys[0], self.keys[-1])

    def time_window(self, what: str = "partition_time_window") -> TimeWindow:
        window_for = getattr(self.definition, "time_window_for_partition_key", None)
        keys = self.keys
        if window_for is None:  # multi: the window of its one time dimension
            timed = [d for d in getattr(self.definition, "partitions_defs", None) or ()
                     if hasattr(d.partitions_def, "time_window_for_partition_key")]
            if len(timed) != 1:
                raise InvariantViolationError(
                    f"Cannot access {what}: {self.definition!r} is not a time-window partitions "
                    "definition (use partition_key / partition_keys)")
            name = timed[0].name
            window_for = timed[0].partitions_def.time_window_for_partition_key
            windows = [window_for(k) for k in {
                k.keys_by_dimension[name] for k in keys}]  # type: ignore[attr-defined]
            if windows:
                return TimeWindow(min(w.start for w in windows), max(w.end for w in windows))
        if not keys:
            raise InvariantViolationError(f"Cannot access {what}: no partitions")
        return TimeWindow(window_for(keys[0]).start, window_for(keys[-1]).end)

    def describe(self) -> str:
        if len(self.keys) == 1:
            return repr(self.keys[0])
        return f"{len(self.keys)} partitions, {self.keys[0]!r} to {self.keys[-1]!r}"


def run_partition_tags(partition_key: str | None,
                       key_range: PartitionKeyRange | None) -> dict[str, str]:
    """The tags that record a run's partitions (Dagster's names)."""
    if partition_key is not None:
        return {PARTITION_NAME_TAG: partition_key}
    if key_range is not None:
        return {ASSET_PARTITION_RANGE_START_TAG: key_range.start,
                ASSET_PARTITION_RANGE_END_TAG: key_range.end}
    return {}


def requested_partitions(partition_key: str | None, tags: Mapping[str, str] | None,
                         ) -> tuple[str | None, PartitionKeyRange | None]:
    """The partition key or range a run asks for: an argument, else the run's tags."""
    tags = tags or {}
    if partition_key is None:
        partition_key = tags.get(PARTITION_NAME_TAG)
    start = tags.get(ASSET_PARTITION_RANGE_START_TAG)
    end = tags.get(ASSET_PARTITION_RANGE_END_TAG)
    if (start is None) != (end is None):
        raise InvalidInvocationError(
            f"A partition range needs both tags {ASSET_PARTITION_RANGE_START_TAG!r} and "
            f"{ASSET_PARTITION_RANGE_END_TAG!r}; got only "
            f"{ASSET_PARTITION_RANGE_START_TAG if start is not None else ASSET_PARTITION_RANGE_END_TAG!r}")
    if partition_key is not None and start is not None:
        raise InvalidInvocationError(
            f"Pass either a partition key ({partition_key!r}) or a partition range "
            f"({start!r} to {end!r}), not both")
    if start is None or end is None:
        return partition_key, None
    return partition_key, PartitionKeyRange(start, end)


def shared_partitions_def(graph: Any, keys: Iterable[AssetKey], job_partitions_def: Any = None,
                          ) -> Any:
    """The one partitions definition of the partitioned assets among ``keys`` (None if none).

    Raises InvalidDefinitionError naming the assets when they are partitioned differently."""
    by_def: dict[Any, list[AssetKey]] = {}
    for key in keys:
        pdef = graph.partitions_def_for(key)
        if pdef is not None:
            by_def.setdefault(pdef, []).append(key)
    if job_partitions_def is not None:
        by_def.setdefault(job_partitions_def, [])
    if len(by_def) > 1:
        listed = "; ".join(
            f"{pdef!r}: {', '.join(k.to_user_string() for k in ks[:3]) or 'the job'}"
            + (" ..." if len(ks) > 3 else "") for pdef, ks in by_def.items())
        raise InvalidDefinitionError(
            "The selected assets have different partitions definitions, so no run can cover "
            f"them all ({listed}). Select assets that share one partitions definition (run "
            "the others separately), or give them the same partitions_def.")
    return next(iter(by_def), None)


def as_key_of(partitions_def: Any, key: str) -> str:
    """``key`` as the definition's own key type (a ``MultiPartitionKey`` for multi
    definitions, so ``context.partition_key.keys_by_dimension`` works)."""
    from_str = getattr(partitions_def, "get_partition_key_from_str", None)
    return from_str(key) if from_str is not None else key


def resolve_run_partitions(partitions_def: Any, partition_key: str | None,
                           key_range: PartitionKeyRange | None, store: Any,
                           what: str) -> PartitionScope | None:
    """Validate the requested key or range against ``partitions_def``; nothing is recorded yet."""
    if partition_key is None and key_range is None:
        return None
    if partitions_def is None:
        asked = repr(partition_key) if partition_key is not None else (
            f"range {key_range.start!r} to {key_range.end!r}")  # type: ignore[union-attr]
        raise InvalidInvocationError(
            f"Partition {asked} was requested, but {what} is not partitioned: none of its "
            "assets has a partitions_def. Drop the partition key, or add partitions_def= to "
            "the assets.")
    if partition_key is not None:
        return requested_scope(partitions_def, partition_key, None, store)
    assert key_range is not None
    keys = partitions_def.get_partition_keys_in_range(key_range, dynamic_partitions_store=store)
    return PartitionScope(partitions_def, keys, is_range=True)


def requested_scope(partitions_def: Any, partition_key: str | None, key_range: Any,
                    store: Any = None, validate: bool = True) -> PartitionScope | None:
    """A key or range asked for by name (a run, ``build_*_context``): the definition's keys
    when the definition is known — the key checked and of its type (``MultiPartitionKey``) —
    else the key or the range's bounds as given."""
    if key_range is not None:
        start, end = key_range
        keys = ([start] if start == end else [start, end]) if partitions_def is None else \
            partitions_def.get_partition_keys_in_range(key_range, dynamic_partitions_store=store)
        return PartitionScope(partitions_def, keys, is_range=len(keys) != 1)
    if partition_key is None:
        return None
    if partitions_def is None:
        return PartitionScope(None, [partition_key])
    if validate:
        partitions_def.validate_partition_key(partition_key, dynamic_partitions_store=store)
    return PartitionScope(partitions_def, [as_key_of(partitions_def, partition_key)])


def upstream_scope(graph: Any, run_scope: PartitionScope | None, downstream_key: AssetKey | None,
                   upstream_key: AssetKey, store: Any) -> PartitionScope | None:
    """The partitions of ``upstream_key`` that ``downstream_key`` reads in this run (None when
    the upstream asset is not partitioned)."""
    up_def = graph.partitions_def_for(upstream_key)
    if up_def is None:
        return None
    down_def = (graph.partitions_def_for(downstream_key)
                if downstream_key is not None else None)
    if run_scope is None or down_def is None:  # read as by an unpartitioned asset
        down_def, down_keys = None, None
    else:
        down_keys = run_scope.keys
    from headwater.definitions.partitions.mappings import (
        IdentityPartitionMapping,
        infer_partition_mapping,
    )

    if downstream_key is None:  # a check or an op reads the asset as unpartitioned code does
        mapping = infer_partition_mapping(None, up_def, None)
    else:
        mapping = graph.partition_mapping_for(downstream_key, upstream_key)
    if down_def is up_def and type(mapping) is IdentityPartitionMapping:
        return PartitionScope(up_def, down_keys or (), run_scope.is_range if run_scope else False)
    keys = mapping.upstream_keys(down_keys, down_def, up_def, store)
    return PartitionScope(up_def, keys, is_range=len(keys) != 1)
