"""The execution plan: which steps run, in what order, reading which inputs. Pure data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from headwater.definitions.asset_graph import AssetGraph
from headwater.definitions.asset_key import AssetKey
from headwater.definitions.checks import AssetChecksDefinition, AssetCheckSpec
from headwater.definitions.errors import InvalidDefinitionError, InvalidSubsetError
from headwater.definitions.graph import GraphDefinition


@dataclass
class StepInput:
    param: str
    asset_key: AssetKey
    source_step: int | None  # index of the producing step in this plan, None if outside it


@dataclass
class OpInput:
    """Where an op step's input comes from.

    kind: "output" (one upstream output), "fan_in" (a list of outputs), "mapped" (the value of
    a dynamic output for this step's mapping key), "sibling" (a mapped step's output for the
    same key), "collect" (every mapped step's output, by key), "value" (a constant)."""

    param: str
    kind: str
    sources: list[tuple[int, str]] = field(default_factory=list)
    value: Any = None


@dataclass
class Step:
    index: int
    key: str
    definition: Any  # AssetsDefinition, or AssetChecksDefinition for a check step
    inputs: list[StepInput]
    asset_outputs: dict[str, AssetKey]  # output name -> asset key (selected only)
    check_outputs: dict[str, AssetCheckSpec]  # output name -> check spec (selected only)
    deps: set[int] = field(default_factory=set)  # steps that must succeed first
    blocking_checks: set[int] = field(default_factory=set)  # check steps that gate this one
    # op steps (op jobs) only:
    op_inputs: list[OpInput] = field(default_factory=list)
    mapped_from: tuple[int, str] | None = None  # a dynamic output this step fans out over
    mapping_key: str | None = None  # set on the concrete copies of a mapped step
    hooks: frozenset[Any] = frozenset()
    retry_policy: Any = None
    node_tags: dict[str, Any] = field(default_factory=dict)

    @property
    def is_op(self) -> bool:
        return getattr(self.definition, "is_op_node", False)

    @property
    def template_key(self) -> str:
        """The step key without a mapping key: what config and results are addressed by."""
        return self.key.split("[", 1)[0]
    @property
    def op(self) -> Any:
        return self.definition.op

    @property
    def is_check(self) -> bool:
        return isinstance(self.definition, AssetChecksDefinition)


@dataclass
class ExecutionPlan:
    steps: list[Step]
    graph: AssetGraph
    # a graph node's output -> the op step output that produces it: (node, output) -> (step, output)
    node_outputs: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # define_asset_job(hooks=): run after every step of an asset job (and its re-executions)
    job_hooks: frozenset[Any] = frozenset()

    @property
    def asset_keys(self) -> set[AssetKey]:
        return {k for s in self.steps for k in s.asset_outputs.values()}

    def step_named(self, key: str) -> Step:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(key)


def _with_hooks(*sets: frozenset[Any]) -> frozenset[Any]:
    """The union of hook sets, without a new set per step when (as usual) none has hooks."""
    present = [s for s in sets if s]
    if len(present) <= 1:
        return present[0] if present else frozenset()
    return frozenset().union(*present)


def build_plan(graph: AssetGraph, asset_ids: Iterable[int],
               check_keys: set[Any] | None = None,
               job_hooks: frozenset[Any] = frozenset()) -> ExecutionPlan:
    """Group selected assets by their definition into steps, then order steps topologically.

    Each step runs its definition's hooks (``@asset(hooks=)``) and the job's (``job_hooks``)."""
    ids = sorted(i for i in asset_ids if graph.is_executable(i))
    by_owner: dict[int, list[AssetKey]] = {}
    for i in ids:
        by_owner.setdefault(graph.owner[i], []).append(graph.keys[i])
    steps: list[Step] = []
    producer: dict[AssetKey, int] = {}
    node_outputs: dict[tuple[str, str], tuple[str, str]] = {}
    for owner, keys in by_owner.items():
        ad = graph.assets_defs[owner].subset_for(keys)
        if isinstance(ad.op, GraphDefinition):  # a graph-backed asset: its ops are the steps
            from headwater.execution.op_plan import graph_asset_steps

            for step in graph_asset_steps(ad, len(steps), node_outputs):
                step.hooks = _with_hooks(step.hooks, ad.hook_defs, job_hooks)
                for k in step.asset_outputs.values():
                    producer[k] = step.index
                steps.append(step)
            continue
        selected = set(keys)
        outputs = {o: k for o, k in ad.keys_by_output_name.items() if k in selected}
        check_outs = {o: c for o, c in ad.check_specs_by_output.items() if c.asset_key in selected}
        assert ad.op is not None
        step = Step(len(steps), ad.op.name, ad, [], outputs, check_outs)
        step.retry_policy = ad.op.retry_policy
        step.hooks = _with_hooks(ad.hook_defs, job_hooks)
        for k in keys:
            producer[k] = step.index
        steps.append(step)
    if check_keys is None:  # every check of a selected asset
        check_keys = graph.check_keys_for(set(producer))
    for step in steps:
        step.check_outputs = {o: c for o, c in step.check_outputs.items() if c.key in check_keys}
    for cd in graph.checks_defs:
        specs = {o: s for o, s in cd.specs_by_output.items() if s.key in check_keys}
        if specs:
            steps.append(Step(len(steps), cd.op.name, cd.subset_for(specs.values()), [], {}, specs,
                              retry_policy=cd.op.retry_policy, hooks=job_hooks))
    names: dict[str, int] = {}
    for s in steps:
        if s.key in names:
            raise InvalidDefinitionError(
                f"Two steps are both named {s.key!r}; give one of the assets or checks another name")
        names[s.key] = s.index
    blocking_by_asset: dict[AssetKey, set[int]] = {}
    for s in steps:
        d = s.definition
        if isinstance(d, AssetChecksDefinition):
            for param, key in d.keys_by_input_name.items():
                s.inputs.append(StepInput(param, key, producer.get(key)))
            for spec in d.specs:
                if spec.asset_key in producer:
                    s.deps.add(producer[spec.asset_key])
                    if spec.blocking:
                        blocking_by_asset.setdefault(spec.asset_key, set()).add(s.index)
                for dep in spec.additional_deps:  # runs after the assets it also reads
                    if dep.asset_key in producer:
                        s.deps.add(producer[dep.asset_key])
        else:
            for param, key in d.keys_by_input_name.items():
                s.inputs.append(StepInput(param, key, producer.get(key)))
            for key in s.asset_outputs.values():
                for up in d.deps_for(key):
                    if up in producer and producer[up] != s.index:
                        s.deps.add(producer[up])
        for inp in s.inputs:
            if inp.source_step is not None and inp.source_step != s.index:
                s.deps.add(inp.source_step)
    for s in steps:
        if s.is_check:
            continue
        for key in s.asset_outputs.values():
            for up in s.definition.deps_for(key):
                for check_step in blocking_by_asset.get(up, ()):
                    s.deps.add(check_step)
                    s.blocking_checks.add(check_step)
    return ExecutionPlan(_toposort(steps), graph, node_outputs, job_hooks)


def _toposort(steps: list[Step]) -> list[Step]:
    indeg = {s.index: len(s.deps) for s in steps}
    children: dict[int, list[int]] = {s.index: [] for s in steps}
    for s in steps:
        for d in s.deps:
            children[d].append(s.index)
    by_key = {s.index: s.key for s in steps}
    level = sorted((s.index for s in steps if indeg[s.index] == 0), key=by_key.__getitem__)
    order: list[int] = []
    while level:  # level by level, each sorted by step key (Dagster's order)
        order.extend(level)
        nxt = []
        for i in level:
            for c in children[i]:
                indeg[c] -= 1
                if indeg[c] == 0:
                    nxt.append(c)
        level = sorted(nxt, key=by_key.__getitem__)
    if len(order) != len(steps):
        stuck = sorted(steps[i].key for i in indeg if indeg[i] > 0)
        raise InvalidDefinitionError(
            f"The steps {stuck} depend on each other in a cycle (a multi-asset that both feeds and "
            "reads another step); split the multi-asset or use can_subset=True")
    by_index = {s.index: s for s in steps}
    remap = {old: new for new, old in enumerate(order)}
    out = []
    for old in order:
        s = by_index[old]
        s.index = remap[old]
        s.deps = {remap[d] for d in s.deps}
        s.blocking_checks = {remap[d] for d in s.blocking_checks}
        for inp in s.inputs:
            if inp.source_step is not None:
                inp.source_step = remap[inp.source_step]
        for oi in s.op_inputs:
            oi.sources = [(remap[i], name) for i, name in oi.sources]
        if s.mapped_from is not None:
            s.mapped_from = (remap[s.mapped_from[0]], s.mapped_from[1])
        out.append(s)
    return out


@dataclass(frozen=True)
class KeySelection:
    """A resolved asset selection as plain keys (a launch request's): what worker processes
    rebuild the same plan from."""

    asset_keys: tuple[AssetKey, ...]
    check_keys: tuple[Any, ...] | None = None


def resolve_selection(graph: AssetGraph, selection: Any,
                      within: set[int] | None = None) -> tuple[set[int], set[Any] | None]:
    """Selected asset ids and check keys (None: the checks of the selected assets)."""
    from headwater.definitions.selection import AssetSelection

    if selection is None:
        ids = within if within is not None else graph.executable_ids()
        return set(ids), None
    if isinstance(selection, KeySelection):  # resolved already
        ids = {graph.ids[k] for k in selection.asset_keys}
        return (ids if within is None else ids & within,
                None if selection.check_keys is None else set(selection.check_keys))
    sel = AssetSelection.from_coercible(selection)
    ids = sel.resolve_ids(graph)
    if within is not None:
        ids &= within
    ids = {i for i in ids if graph.is_executable(i)}
    check_keys = sel.resolve_check_keys(graph)
    if not ids and not check_keys:
        raise InvalidSubsetError(f"The selection {selection!r} matches no asset that can be materialized")
    return ids, check_keys
