"""A run's outputs as the launching process sees them when steps ran elsewhere.

Workers store every value through its IO manager and report only *which* outputs exist. The
result's ``output_for_node`` then loads a value through the same IO manager, set up in the
launching process on first use and closed with the result.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from headwater.definitions.asset_spec import DEFAULT_IO_MANAGER_KEY
from headwater.definitions.types import resolve_type
from headwater.execution.io_context import InputContext, OutputContext
from headwater.execution.resources import init_resources


class _Ref:
    __slots__ = ("template", "step_key", "output", "mapping_keys", "asset_key", "none")

    def __init__(self, template: Any, step_key: str, output: str, asset_key: Any, none: bool):
        self.template = template
        self.step_key = step_key
        self.output = output
        self.mapping_keys: list[str] | None = None
        self.asset_key = asset_key
        self.none = none


class LazyOutputs(Mapping[tuple[str, str], Any]):
    """``(step key, output name) -> value``, each loaded through its IO manager when read."""

    def __init__(self, plan: Any, resource_defs: Mapping[str, Any], instance: Any, run_id: str,
                 rc: Any):
        self._plan = plan
        self._resource_defs = dict(resource_defs)
        self._instance = instance
        self._run_id = run_id
        self._rc = rc  # the run's partitions: rc.partition_key, rc.asset_scope(key)
        self._refs: dict[tuple[str, str], _Ref] = {}
        self._values: dict[tuple[str, str], Any] = {}
        self._managers: dict[str, Any] = {}
        self._stack = contextlib.ExitStack()

    def add(self, template: Any, reported: list[tuple[Any, ...]]) -> None:
        """Outputs a worker reported: (step key, output, mapping key, asset key, is None)."""
        for step_key, output, mapping_key, asset_key, none in reported:
            ref = self._refs.get((step_key, output))
            if ref is None:
                ref = self._refs[(step_key, output)] = _Ref(template, step_key, output,
                                                              asset_key, none)
            if mapping_key is not None:
                ref.mapping_keys = [*(ref.mapping_keys or []), mapping_key]

    def __getitem__(self, key: tuple[str, str]) -> Any:
        if key in self._values:
            return self._values[key]
        ref = self._refs[key]
        if ref.mapping_keys is not None:
            value: Any = {mk: self._load(ref, mk) for mk in ref.mapping_keys}
        else:
            value = None if ref.none else self._load(ref, None)
        self._values[key] = value
        return value

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._refs)

    def __len__(self) -> int:
        return len(self._refs)

    def __contains__(self, key: object) -> bool:
        return key in self._refs

    def _manager(self, io_key: str) -> Any:
        if io_key not in self._managers:
            res = init_resources(self._resource_defs, {io_key}, self._stack,
                                 instance=self._instance)
            self._managers[io_key] = (getattr(res, io_key), res)
        return self._managers[io_key]

    def _load(self, ref: _Ref, mapping_key: str | None) -> Any:
        step = ref.template
        base_dir = self._instance.storage_directory()
        if ref.asset_key is not None:
            key = ref.asset_key
            ad = self._plan.graph.definition_for(key)
            manager, res = self._manager(ad.io_manager_key_for(key))
            spec = ad.get_asset_spec(key)
            upstream = OutputContext(name=ref.output, asset_key=key, step_key=ref.step_key,
                                     run_id=self._run_id, definition_metadata=spec.metadata,
                                     resources=res, op_def=step.op,
                                     partition_key=self._rc.partition_key, asset_spec=spec,
                                     asset_partitions=self._rc.asset_scope(key),
                                     default_base_dir=base_dir)
            ctx = InputContext(name=key.to_python_identifier(), asset_key=key,
                               upstream_output=upstream, resources=res,
                               partition_key=self._rc.partition_key,
                               asset_partitions=self._rc.asset_scope(key),
                               default_base_dir=base_dir)
        else:
            out_def = step.op.outs.get(ref.output)
            manager, res = self._manager((out_def.io_manager_key if out_def else None)
                                         or DEFAULT_IO_MANAGER_KEY)
            dagster_type = resolve_type(out_def.dagster_type if out_def else None)
            upstream = OutputContext(name=ref.output, step_key=ref.step_key, run_id=self._run_id,
                                     definition_metadata=out_def.metadata if out_def else None,
                                     resources=res, op_def=step.op, dagster_type=dagster_type,
                                     mapping_key=mapping_key, default_base_dir=base_dir)
            ctx = InputContext(name=ref.output, upstream_output=upstream, resources=res,
                               op_def=step.op, dagster_type=dagster_type,
                               default_base_dir=base_dir)
        return manager.load_input(ctx)

    def close(self) -> None:
        self._stack.close()
        self._managers.clear()
