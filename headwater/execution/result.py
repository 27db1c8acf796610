"""The result of an in-process run: success, events, and the values each step produced."""

from __future__ import annotations

from typing import Any

from headwater.definitions.asset_key import AssetKey, coerce_key
from headwater.definitions.errors import InvalidInvocationError, InvariantViolationError
from headwater.events.records import AssetCheckEvaluation, Event


class ExecuteInProcessResult:
    """What ``materialize()`` and ``job.execute_in_process()`` return."""

    def __init__(self, run: Any, events: list[Event], outputs: dict[tuple[str, str], Any],
                 plan: Any, job_def: Any = None):
        self._run = run
        self._events = events
        self._outputs = outputs
        self._plan = plan
        self.job_def = job_def

    # --- run ---
    @property
    def success(self) -> bool:
        return self._run.is_success

    @property
    def run_id(self) -> str:
        return self._run.run_id

    @property
    def dagster_run(self) -> Any:
        return self._run

    @property
    def all_events(self) -> list[Event]:
        return list(self._events)

    @property
    def all_node_events(self) -> list[Event]:
        return [e for e in self._events if e.step_key is not None]

    def events_for_node(self, node_name: str) -> list[Event]:
        """The node's events: for a mapped op, those of every mapped copy (``op[key]``)."""
        return [e for e in self._events if _of_node(e.step_key, node_name)]

    def filter_events(self, event_filter: Any) -> list[Event]:
        return [e for e in self._events if event_filter(e)]

    def get_run_success_event(self) -> Event:
        return self.get_job_success_event()

    def get_run_failure_event(self) -> Event:
        return self.get_job_failure_event()

    def failure_data_for_node(self, node_name: str) -> Any:
        failures = self._of_type("STEP_FAILURE", node_name)
        return failures[0].event_specific_data if failures else None

    def get_job_success_event(self) -> Event:
        return next(e for e in self._events if e.event_type_value == "PIPELINE_SUCCESS")

    def get_job_failure_event(self) -> Event:
        return next(e for e in self._events if e.event_type_value == "PIPELINE_FAILURE")

    # --- steps ---
    def _of_type(self, value: str, node: str | None = None) -> list[Event]:
        return [e for e in self._events if e.event_type_value == value
                and (node is None or _of_node(e.step_key, node))]

    def get_step_success_events(self) -> list[Event]:
        return self._of_type("STEP_SUCCESS")

    def get_step_failure_events(self) -> list[Event]:
        return self._of_type("STEP_FAILURE")

    def get_failed_step_keys(self) -> set[str]:
        return {e.step_key for e in self.get_step_failure_events() if e.step_key}

    def get_step_skipped_events(self) -> list[Event]:
        return self._of_type("STEP_SKIPPED")

    def is_node_success(self, node_name: str) -> bool:
        return bool(self._of_type("STEP_SUCCESS", node_name))

    def is_node_failed(self, node_name: str) -> bool:
        return bool(self._of_type("STEP_FAILURE", node_name))

    def is_node_skipped(self, node_name: str) -> bool:
        return bool(self._of_type("STEP_SKIPPED", node_name))

    def is_node_untouched(self, node_name: str) -> bool:
        return not self.events_for_node(node_name)

    # --- values ---
    def retry_attempts_for_node(self, node_name: str) -> int:
        return len(self._of_type("STEP_RESTARTED", node_name))

    def output_for_node(self, node_name: str, output_name: str = "result") -> Any:
        if (node_name, output_name) in self._outputs:
            return self._outputs[(node_name, output_name)]
        produced_by = getattr(self._plan, "node_outputs", {}).get((node_name, output_name))
        if produced_by is not None:  # a graph node: the output of the op it maps to
            return self.output_for_node(*produced_by)
        mapped = {k[len(node_name) + 1:-1]: v for (k, o), v in self._outputs.items()
                  if o == output_name and k.startswith(node_name + "[")}
        if mapped:  # a mapped op: its output for each mapping key
            return mapped
        if self._of_type("STEP_FAILURE", node_name):
            raise InvariantViolationError(
                f"Node {node_name!r} failed in run {self.run_id}, so it has no output")
        known = {n for n, _ in self._outputs}
        if node_name in known:
            outs = sorted(o for n, o in self._outputs if n == node_name)
            if output_name == "result" and len(outs) == 1:
                return self._outputs[(node_name, outs[0])]
            raise InvariantViolationError(
                f"Node {node_name!r} has no output {output_name!r}; its outputs are {outs}")
        raise InvariantViolationError(
            f"No output for node {node_name!r} in run {self.run_id}: it did not run or produced "
            f"nothing. Nodes with outputs: {sorted(known)}")

    def output_value(self, output_name: str = "result") -> Any:
        """An output of the job's top-level graph (``@graph`` returning an op's output, run as
        ``graph.to_job()``): the value of the op output it maps to."""
        graph = getattr(self.job_def, "graph_def", None)
        name = getattr(self.job_def, "name", "this job")
        mapping = getattr(graph, "output_mapping", None) or {}
        if not mapping:
            raise InvariantViolationError(
                f"Attempted to retrieve top-level outputs for {name!r}, which has no outputs. "
                "Read an op's output with output_for_node(op_name).")
        if output_name not in mapping:
            raise InvariantViolationError(
                f"Could not find top-level output {output_name!r} in {name!r}; its outputs are "
                f"{sorted(mapping)}")
        path, op_output = graph.resolve_output(output_name)  # type: ignore[union-attr]
        return self.output_for_node(".".join(path), op_output)

    def asset_value(self, asset_key: Any) -> Any:
        key = coerce_key(asset_key) if not isinstance(asset_key, AssetKey) else asset_key
        for step in self._plan.steps:
            for out, k in step.asset_outputs.items():
                if k == key:
                    return self.output_for_node(step.key, out)
        raise InvalidInvocationError(f"Asset {key.to_user_string()!r} was not materialized in this run")

    # --- assets ---
    def get_asset_materialization_events(self) -> list[Event]:
        return self._of_type("ASSET_MATERIALIZATION")

    def get_asset_observation_events(self) -> list[Event]:
        return self._of_type("ASSET_OBSERVATION")

    def asset_materializations_for_node(self, node_name: str) -> list[Any]:
        return [e.materialization for e in self._of_type("ASSET_MATERIALIZATION", node_name)]

    def asset_observations_for_node(self, node_name: str) -> list[Any]:
        return [e.materialization for e in self._of_type("ASSET_OBSERVATION", node_name)]

    def get_asset_check_evaluations(self) -> list[AssetCheckEvaluation]:
        return [e.event_specific_data for e in self._of_type("ASSET_CHECK_EVALUATION")]

    def __repr__(self) -> str:
        return f"ExecuteInProcessResult(run_id={self.run_id!r}, success={self.success})"


def _of_node(step_key: str | None, node: str) -> bool:
    """Whether an event's step belongs to a node: the step itself, or a mapped copy of it."""
    return step_key == node or (step_key is not None and step_key.startswith(node + "[")
                                and step_key.endswith("]"))
