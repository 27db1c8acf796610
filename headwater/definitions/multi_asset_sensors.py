"""``@multi_asset_sensor``: a sensor that watches the materializations of several assets.

Its function receives a ``MultiAssetSensorEvaluationContext`` that reads the new
materializations of the watched assets (``latest_materialization_records_by_key``,
``materialization_records_for_key``, ``latest_materialization_records_by_partition``) and marks
them consumed (``advance_cursor``, ``advance_all_cursors``). The sensor's cursor is kept for
the user: a JSON object, per asset key, of the latest consumed event's partition and storage id
and the partitions' events left unconsumed behind it -- Dagster's format, so a cursor moves
between the two libraries. A function that requests runs without advancing the cursor is an
error (it would see the same events on every tick).
"""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from headwater.definitions.asset_key import AssetKey, coerce_key
from headwater.definitions.errors import (
    InvalidDefinitionError,
    InvalidInvocationError,
    InvariantViolationError,
)
from headwater.definitions.run_request import RunRequest, SensorResult, TickResult
from headwater.definitions.selection import AssetSelection
from headwater.definitions.sensors import (
    DefaultSensorStatus,
    SensorDefinition,
    SensorEvaluationContext,
)

FETCH_BATCH_SIZE = 1000
MAX_NUM_UNCONSUMED_EVENTS = 25


class MultiAssetSensorAssetCursorComponent(NamedTuple):
    """One asset's part of the cursor: the latest consumed event (its partition and storage
    id), and per partition the latest event left unconsumed before it."""

    latest_consumed_event_partition: str | None
    latest_consumed_event_id: int | None
    trailing_unconsumed_partitioned_event_ids: dict[str, int]


_EMPTY = MultiAssetSensorAssetCursorComponent(None, None, {})


def _parse_cursor(cursor: str | None) -> dict[str, MultiAssetSensorAssetCursorComponent]:
    loaded = json.loads(cursor) if cursor else {}
    out: dict[str, MultiAssetSensorAssetCursorComponent] = {}
    if not isinstance(loaded, dict):
        return out
    for key, value in loaded.items():
        if not isinstance(value, list) or len(value) != 3:
            break  # not a multi-asset sensor's cursor
        partition, event_id, trailing = value
        out[key] = MultiAssetSensorAssetCursorComponent(
            partition, event_id, {str(k): int(v) for k, v in dict(trailing or {}).items()})
    return out


def _coerce_monitored(monitored_assets: Any, what: str) -> list[AssetKey] | AssetSelection:
    if isinstance(monitored_assets, AssetSelection):
        return monitored_assets
    if isinstance(monitored_assets, (list, tuple)) and all(
            isinstance(k, AssetKey) for k in monitored_assets):
        return list(monitored_assets)
    raise InvalidDefinitionError(
        f"{what}: monitored_assets must be a list of AssetKeys or an AssetSelection, got "
        f"{monitored_assets!r}. E.g. monitored_assets=[AssetKey('a'), AssetKey('b')] or "
        "AssetSelection.assets('a', 'b').")


class MultiAssetSensorEvaluationContext(SensorEvaluationContext):
    """What a multi-asset sensor function receives: the sensor context, plus the new
    materializations of the watched assets and ways to mark them consumed."""

    _builder = "build_multi_asset_sensor_context"

    def __init__(self, instance_ref: Any = None,
                 monitored_assets: Sequence[AssetKey] | AssetSelection = (),
                 last_tick_completion_time: float | None = None,
                 last_run_key: str | None = None, cursor: str | None = None,
                 repository_name: str | None = None, repository_def: Any = None,
                 instance: Any = None, resource_defs: Mapping[str, Any] | None = None,
                 definitions: Any = None, last_sensor_start_time: float | None = None,
                 log_key: Any = None, sensor_name: str | None = None, **_ignored: Any):
        defs = definitions if definitions is not None else repository_def
        super().__init__(instance, cursor, repository_name, resource_defs, defs,
                         last_tick_completion_time, last_run_key, last_sensor_start_time,
                         sensor_name, log_key)
        graph = self._graph = defs.resolve_asset_graph() if defs is not None else None
        if isinstance(monitored_assets, AssetSelection):
            if graph is None:
                raise InvalidInvocationError(
                    "A multi-asset sensor monitoring an AssetSelection needs the Definitions to "
                    "resolve it: pass definitions=... to build_multi_asset_sensor_context")
            self._keys = sorted(monitored_assets.resolve(graph))
        else:
            self._keys = [coerce_key(k) for k in monitored_assets]
        self._assets_by_key: dict[AssetKey, Any] = {}
        for key in self._keys:
            try:
                self._assets_by_key[key] = defs.get_assets_def(key) if defs is not None else None
            except Exception:  # noqa: BLE001 - watched but defined elsewhere
                self._assets_by_key[key] = None
        self._reset(cursor)

    def _reset(self, cursor: str | None) -> None:
        self._components = _parse_cursor(cursor)
        self._advanced: dict[AssetKey, set[int]] = defaultdict(set)
        self._partition_by_id: dict[int, str | None] = {}
        self._advance_all = False
        self._unconsumed_cache: dict[int, Any] | None = None

    # ------------------------------------------------------------------ what it watches

    @property
    def asset_keys(self) -> Sequence[AssetKey]:
        """The asset keys this sensor monitors."""
        return list(self._keys)

    @property
    def assets_defs_by_key(self) -> Mapping[AssetKey, Any]:
        """Each monitored key's AssetsDefinition (None for an asset of another location)."""
        return dict(self._assets_by_key)

    def _component(self, asset_key: AssetKey) -> MultiAssetSensorAssetCursorComponent:
        return self._components.get(str(asset_key), _EMPTY)

    def _check_monitored(self, asset_key: Any) -> AssetKey:
        key = coerce_key(asset_key)
        if key not in self._assets_by_key:
            raise InvalidInvocationError(f"Asset key {key} not monitored by sensor.")
        return key

    def _partitions_def(self, asset_key: AssetKey) -> Any:
        assets_def = self._assets_by_key.get(asset_key)
        return None if assets_def is None else assets_def.partitions_def

    # ------------------------------------------------------------------ partitions

    def get_cursor_partition(self, asset_key: AssetKey | None) -> str | None:
        """The partition of the asset's latest consumed event, per the cursor this evaluation
        started from (advances take effect after the function returns); None before any."""
        key = coerce_key(asset_key) if asset_key is not None else None
        if key is None or key not in self._assets_by_key:
            raise InvalidInvocationError(
                f"Provided asset key must correspond to a provided asset: {key} is not one of "
                f"the sensor's monitored assets ({', '.join(map(str, self._keys))}).")
        return self._component(key).latest_consumed_event_partition

    def all_partitions_materialized(self, asset_key: AssetKey,
                                    partitions: Sequence[str] | None = None) -> bool:
        """Whether each of ``partitions`` (default: all of the asset's partitions) has been
        materialized at least once. Ignores the cursor: consumed events count too."""
        key = coerce_key(asset_key)
        if key not in self._assets_by_key:
            raise InvariantViolationError(f"Asset key {key} not monitored by sensor")
        pdef = self._partitions_def(key)
        if pdef is None:
            raise InvariantViolationError(
                f"Asset key {key} is not partitioned. Cannot check if partitions have been "
                "materialized.")
        if partitions is not None and not partitions:
            raise InvalidInvocationError(
                "Must provide at least one partition in list (or partitions=None for all of "
                f"asset {key}'s partitions).")
        if partitions is None:
            partitions = pdef.get_partition_keys(dynamic_partitions_store=self.instance)
        materialized = self.instance.get_materialized_partitions(key)
        return all(p in materialized for p in partitions)

    def get_downstream_partition_keys(self, partition_key: str, from_asset_key: AssetKey,
                                      to_asset_key: AssetKey) -> Sequence[str]:
        """The partitions of ``to_asset_key`` that read ``partition_key`` of ``from_asset_key``,
        through the dependency's partition mapping (explicit, else the default one for the two
        partitions definitions)."""
        keys = (coerce_key(from_asset_key), coerce_key(to_asset_key))
        graph = self._graph
        for key in keys:
            if graph is None or key not in graph:
                raise InvalidInvocationError(
                    f"Asset key {key} not monitored in sensor and does not exist in target jobs"
                    + ("" if graph is not None else
                       ": pass definitions=... to build_multi_asset_sensor_context"))
        assert graph is not None
        from_def, to_def = (graph.partitions_def_for(k) for k in keys)
        for key, pdef in zip(keys, (from_def, to_def), strict=True):
            if pdef is None:
                raise InvalidInvocationError(
                    f"Asset key {key} is not partitioned. Cannot get partition keys.")
        mapping = graph.partition_mapping_for(keys[1], keys[0])
        return list(mapping.downstream_keys([partition_key], from_def, to_def, self.instance))

    # ------------------------------------------------------------------ reading events

    def latest_materialization_records_by_key(
            self, asset_keys: Sequence[AssetKey] | None = None) -> dict[AssetKey, Any]:
        """Per asset, its latest materialization record if newer than the cursor, else None."""
        keys = list(self._keys if asset_keys is None else [coerce_key(k) for k in asset_keys])
        out: dict[AssetKey, Any] = dict.fromkeys(keys)
        for record in self.instance.get_asset_records(keys):
            entry = record.asset_entry
            latest = entry.last_materialization_record
            after = self._component(entry.asset_key).latest_consumed_event_id or 0
            if latest is not None and latest.storage_id > after:
                out[entry.asset_key] = latest
        return out

    def materialization_records_for_key(self, asset_key: AssetKey,
                                        limit: int | None = None) -> list[Any]:
        """The asset's materialization records after the cursor, oldest first."""
        key = self._check_monitored(asset_key)
        return self._fetch(key, self._component(key).latest_consumed_event_id, None, limit)

    def _fetch(self, key: AssetKey, after: int | None, before: int | None,
               limit: int | None, partitions: Sequence[str] | None = None) -> list[Any]:
        """Materialization records with after < storage id < before, oldest first. Pages on
        with the instance's cursor (the last storage id seen), so the definitions need none of
        the storage's filter types."""
        wanted = None if partitions is None else set(partitions)
        records: list[Any] = []
        cursor = None if after is None else str(after)
        while True:
            page = self.instance.fetch_materializations(
                key, limit=FETCH_BATCH_SIZE, cursor=cursor, ascending=True)
            for record in page.records:
                if before is not None and record.storage_id >= before:
                    return records
                if wanted is None or record.partition_key in wanted:
                    records.append(record)
                    if limit and len(records) >= limit:
                        return records
            if not page.has_more or not page.records:
                return records
            cursor = page.cursor

    def get_trailing_unconsumed_events(self, asset_key: AssetKey) -> list[Any]:
        """Events before the asset's latest consumed one that were left unconsumed (one per
        partition), oldest first."""
        key = coerce_key(asset_key)
        return self._unconsumed(self._component(key).trailing_unconsumed_partitioned_event_ids
                                .values(), key)

    def _unconsumed(self, event_ids: Iterable[int], key: AssetKey) -> list[Any]:
        if self._unconsumed_cache is None:
            self._unconsumed_cache = {}
        out = []
        for event_id in sorted(event_ids):
            if event_id not in self._unconsumed_cache:
                found = self._fetch(key, event_id - 1, event_id + 1, 1)
                self._unconsumed_cache[event_id] = found[0] if found else None
            if self._unconsumed_cache[event_id] is not None:
                out.append(self._unconsumed_cache[event_id])
        return out

    def latest_materialization_records_by_partition(
            self, asset_key: AssetKey, after_cursor_partition: bool | None = False,
    ) -> dict[str, Any]:
        """Per partition, its latest unconsumed materialization record (partitions in the order
        their latest events happened)."""
        key = coerce_key(asset_key)
        pdef = self._partitions_def(key)
        if pdef is None:
            raise InvariantViolationError(
                "Cannot get latest materialization by partition for assets with no partitions")
        partitions = list(pdef.get_partition_keys(dynamic_partitions_store=self.instance))
        if after_cursor_partition:
            cursor_partition = self._component(key).latest_consumed_event_partition
            if cursor_partition is not None and cursor_partition in partitions:
                partitions = partitions[partitions.index(cursor_partition) + 1:]
        wanted = set(partitions)
        by_partition: OrderedDict[str, Any] = OrderedDict()
        events = [*sorted(self.get_trailing_unconsumed_events(key), key=lambda r: r.storage_id),
                  *self._fetch(key, self._component(key).latest_consumed_event_id, None, None,
                               partitions)]
        for record in events:
            partition = record.partition_key
            if isinstance(partition, str) and partition in wanted:
                by_partition.pop(partition, None)
                by_partition[partition] = record
        return dict(by_partition)

    def latest_materialization_records_by_partition_and_asset(self) -> dict[str, dict[AssetKey,
                                                                                        Any]]:
        """Per partition, the latest unconsumed record of each monitored asset that has one."""
        out: dict[str, dict[AssetKey, Any]] = defaultdict(dict)
        for key in self._keys:
            if self._partitions_def(key) is None:
                continue
            for partition, record in self.latest_materialization_records_by_partition(
                    key).items():
                out[partition][key] = record
        return dict(out)

    # ------------------------------------------------------------------ consuming events

    def advance_cursor(self, materialization_records_by_key: Mapping[AssetKey, Any]) -> None:
        """Mark these records (and, per partition, the earlier ones) consumed: the next tick
        sees only later events."""
        for key, record in materialization_records_by_key.items():
            if record is None:
                continue
            key = coerce_key(key)
            self._advanced[key].add(record.storage_id)
            self._partition_by_id[record.storage_id] = record.partition_key
        self.cursor_updated = True

    def advance_all_cursors(self) -> None:
        """Move every monitored asset's cursor to its latest materialization, dropping the
        unconsumed events left behind."""
        self.advance_cursor(self.latest_materialization_records_by_key())
        self._advance_all = True
        self.cursor_updated = True

    def update_cursor_after_evaluation(self) -> None:
        """Fold this evaluation's advances into the cursor (once, after the function ran)."""
        if not self._advanced:
            return
        cursor = json.dumps({str(key): list(self._advanced_component(key)) for key in self._keys})
        self._cursor = cursor
        self._reset(cursor)

    def _advanced_component(self, key: AssetKey) -> MultiAssetSensorAssetCursorComponent:
        advanced = self._advanced.get(key, set())
        initial = self._component(key)
        if not advanced:
            return initial
        start_id = initial.latest_consumed_event_id
        greatest = max(advanced)
        moved = greatest > (start_id or 0)
        trailing: dict[str, int] = {}
        if not self._advance_all:
            trailing = dict(initial.trailing_unconsumed_partitioned_event_ids)
            events = ([*self.get_trailing_unconsumed_events(key),
                       *self._fetch(key, start_id, greatest, None)] if moved else [])
            for event in events:
                partition = event.partition_key
                if partition is None:
                    continue
                if event.storage_id not in advanced:
                    trailing[partition] = event.storage_id
                else:
                    trailing.pop(partition, None)
            trailing.pop(self._partition_by_id[greatest] or "", None)
            if len(trailing) >= MAX_NUM_UNCONSUMED_EVENTS:
                raise InvariantViolationError(
                    f"You have reached the maximum number of trailing unconsumed events "
                    f"({MAX_NUM_UNCONSUMED_EVENTS}) for asset {key} and no more events can be "
                    "added. Read them with context.get_trailing_unconsumed_events and mark them "
                    "consumed with context.advance_cursor, or drop them all with "
                    "context.advance_all_cursors().")
        return MultiAssetSensorAssetCursorComponent(
            self._partition_by_id[greatest] if moved else initial.latest_consumed_event_partition,
            greatest if moved else start_id, trailing)


def get_cursor_from_latest_materializations(asset_keys: Sequence[AssetKey],
                                            instance: Any) -> str:
    """A cursor at the latest materialization of each asset (nothing before it is new)."""
    cursor: dict[str, list[Any]] = {}
    for key in asset_keys:
        records = instance.fetch_materializations(coerce_key(key), limit=1).records
        if records:
            cursor[str(coerce_key(key))] = [records[0].partition_key, records[0].storage_id, {}]
    return json.dumps(cursor)


def build_multi_asset_sensor_context(
        *, monitored_assets: Sequence[AssetKey] | AssetSelection, repository_def: Any = None,
        instance: Any = None, cursor: str | None = None, repository_name: str | None = None,
        cursor_from_latest_materializations: bool = False,
        resources: Mapping[str, Any] | None = None, definitions: Any = None,
        last_sensor_start_time: float | None = None) -> MultiAssetSensorEvaluationContext:
    """A context for calling a multi-asset sensor in a test."""
    defs = definitions if definitions is not None else repository_def
    if cursor_from_latest_materializations:
        if cursor:
            raise InvalidInvocationError(
                "Cannot provide both cursor and cursor_from_latest_materializations: the cursor "
                "would be replaced by one at the latest materializations.")
        if instance is None:
            raise InvalidInvocationError(
                "cursor_from_latest_materializations=True needs an instance: pass instance=...")
        keys = (sorted(monitored_assets.resolve(defs.resolve_asset_graph()))
                if isinstance(monitored_assets, AssetSelection) else list(monitored_assets))
        cursor = get_cursor_from_latest_materializations(keys, instance)
    return MultiAssetSensorEvaluationContext(
        monitored_assets=monitored_assets, cursor=cursor, repository_name=repository_name,
        instance=instance, resource_defs=resources, definitions=defs,
        last_sensor_start_time=last_sensor_start_time)


class MultiAssetSensorDefinition(SensorDefinition):
    """A sensor over the materializations of several assets; build it with
    ``@multi_asset_sensor``."""

    def __init__(self, name: str, monitored_assets: Sequence[AssetKey] | AssetSelection,
                 job_name: str | None, asset_materialization_fn: Callable[..., Any],
                 minimum_interval_seconds: int | None = None, description: str | None = None,
                 job: Any = None, jobs: Iterable[Any] | None = None,
                 default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
                 request_assets: Any = None, required_resource_keys: Iterable[str] | None = None,
                 tags: Mapping[str, str] | None = None, metadata: Mapping[str, Any] | None = None):
        self.monitored_assets = _coerce_monitored(monitored_assets, f"Sensor {name!r}")
        super().__init__(name, evaluation_fn=asset_materialization_fn, job_name=job_name,
                         minimum_interval_seconds=minimum_interval_seconds,
                         description=description, job=job, jobs=jobs,
                         default_status=default_status, asset_selection=request_assets,
                         required_resource_keys=required_resource_keys, tags=tags,
                         metadata=metadata)

    def monitored_keys(self, definitions: Any = None) -> list[AssetKey]:
        """The watched asset keys (a selection resolved against ``definitions``)."""
        if isinstance(self.monitored_assets, AssetSelection):
            if definitions is None:
                return []
            return sorted(self.monitored_assets.resolve(definitions.resolve_asset_graph()))
        return list(self.monitored_assets)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function as a test does; the context's cursor takes its advances."""
        context, resources = self._evaluation.bind_direct(
            self.what, args, kwargs, (MultiAssetSensorEvaluationContext,),
            "build_multi_asset_sensor_context(...)")
        result = self._evaluation(self.what, context, (), resources)
        if context is not None:
            context.update_cursor_after_evaluation()
        return result

    def evaluate_tick(self, context: SensorEvaluationContext) -> TickResult:
        multi = MultiAssetSensorEvaluationContext(
            monitored_assets=self.monitored_assets,
            last_tick_completion_time=context.last_tick_completion_time,
            last_run_key=context.last_run_key, cursor=context.cursor,
            repository_name=context.repository_name, instance=context.instance,
            resource_defs=context.resource_defs, definitions=context.definitions,
            last_sensor_start_time=context.last_sensor_start_time,
            sensor_name=context.sensor_name or self.name)
        try:
            raw = self._evaluation.run_for_tick(self.what, multi)
            items = raw if isinstance(raw, list) else [] if raw is None else [raw]
            if isinstance(raw, list) and any(isinstance(i, SensorResult) for i in raw):
                raise InvariantViolationError(
                    f"{self.what}: cannot yield a SensorResult from a multi_asset_sensor; "
                    "return the SensorResult instead")
            for item in items:
                if isinstance(item, SensorResult) and item.cursor:
                    raise InvariantViolationError(
                        f"{self.what}: cannot set the cursor in a multi_asset_sensor; it is set "
                        "from the materializations the function marks consumed "
                        "(context.advance_cursor / context.advance_all_cursors)")
            requested = any(isinstance(i, RunRequest) or (
                isinstance(i, SensorResult) and i.run_requests) for i in items)
            if requested and not multi.cursor_updated:
                raise InvalidDefinitionError(
                    f"{self.what}: asset materializations have been handled in this sensor, but "
                    "the cursor was not updated, so the same materialization events would be "
                    "handled on the next tick. Use context.advance_cursor or "
                    "context.advance_all_cursors to update the cursor.")
            multi.update_cursor_after_evaluation()
            return self._to_tick(raw, multi)
        finally:
            multi.close()


def multi_asset_sensor(monitored_assets: Sequence[AssetKey] | AssetSelection, *,
                       job_name: str | None = None, name: str | None = None,
                       minimum_interval_seconds: int | None = None,
                       description: str | None = None, job: Any = None,
                       jobs: Iterable[Any] | None = None,
                       default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
                       request_assets: Any = None,
                       required_resource_keys: Iterable[str] | None = None,
                       tags: Mapping[str, str] | None = None,
                       metadata: Mapping[str, Any] | None = None,
                       ) -> Callable[[Callable[..., Any]], MultiAssetSensorDefinition]:
    """Make a sensor whose function gets a ``MultiAssetSensorEvaluationContext`` over the
    materializations of ``monitored_assets``."""
    _coerce_monitored(monitored_assets, f"Sensor {name!r}" if name else "multi_asset_sensor")

    def wrap(fn: Callable[..., Any]) -> MultiAssetSensorDefinition:
        return MultiAssetSensorDefinition(
            name or fn.__name__, monitored_assets, job_name, fn,
            minimum_interval_seconds=minimum_interval_seconds, description=description,
            job=job, jobs=jobs, default_status=default_status, request_assets=request_assets,
            required_resource_keys=required_resource_keys, tags=tags, metadata=metadata)

    return wrap
