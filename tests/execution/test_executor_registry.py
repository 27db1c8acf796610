"""Executors by name: a kind registered from outside (as a Dask executor will be) runs jobs
chosen by run config or by ``executor_def``, with no change to Headwater's own files; unknown
names are clear errors listing the registered ones."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

import headwater as dg
from headwater.execution.executors.base import InProcessExecutor
from headwater.execution.executors.registry import (
    ExecutorBuild,
    ExecutorConfig,
    ExecutorKind,
    register,
    registered_executors,
    unregister,
)


class RecordingExecutor(InProcessExecutor):
    """In process, and remembers which steps it was given."""

    name = "recording"

    def __init__(self, label: str, ran: list[tuple[str, str]]):
        super().__init__()
        self.label, self.ran = label, ran

    def submit(self, rc: Any, step: Any, attempt: int) -> None:
        self.ran.append((self.label, step.key))
        super().submit(rc, step, attempt)


def _validate(cfg: Mapping[str, Any], where: str) -> ExecutorConfig:
    unknown = sorted(set(cfg) - {"label"})
    if unknown:
        raise dg.InvalidConfigError("Invalid executor config", [
            f"{where}.{k}: unknown field (fields: label)" for k in unknown])
    return ExecutorConfig("recording", options={"label": cfg.get("label", "default")})


@pytest.fixture
def ran() -> Iterator[list[tuple[str, str]]]:
    steps: list[tuple[str, str]] = []

    def build(config: ExecutorConfig, target: ExecutorBuild) -> RecordingExecutor:
        assert target.job_def.name in ("hwreg_job", "hwreg_recorded_job")
        return RecordingExecutor(config.options["label"], steps)

    register(ExecutorKind("recording", _validate, build, "test: in process, recorded"))
    try:
        yield steps
    finally:
        unregister("recording")


@dg.op
def hwreg_one() -> int:
    return 1


@dg.op
def hwreg_plus(x: int) -> int:
    return x + 1


@dg.job
def hwreg_job():
    hwreg_plus(hwreg_one())


@dg.job(executor_def=dg.ExecutorDefinition("recording").configured({"label": "coded"}))
def hwreg_recorded_job():
    hwreg_plus(hwreg_one())


@pytest.fixture
def instance() -> Iterator[Any]:
    with dg.instance_for_test() as instance:
        yield instance


@pytest.mark.parametrize("execution", [
    {"config": {"recording": {"label": "run"}}},
    {"recording": {"config": {"label": "run"}}},  # Dagster's older per-name form
])
def test_a_registered_executor_is_chosen_by_run_config(ran, instance, execution):
    with dg.execute_job(hwreg_job, instance, run_config={"execution": execution}) as result:
        assert result.success
        assert result.output_for_node("hwreg_plus") == 2
    assert ran == [("run", "hwreg_one"), ("run", "hwreg_plus")]


def test_a_registered_executor_is_chosen_by_executor_def(ran, instance):
    with dg.execute_job(hwreg_recorded_job, instance) as result:
        assert result.success
    assert ran == [("coded", "hwreg_one"), ("coded", "hwreg_plus")]
    run_config = {"execution": {"config": {"label": "override"}}}
    with dg.execute_job(hwreg_recorded_job, instance, run_config=run_config) as result:
        assert result.success
    assert ran[2:] == [("override", "hwreg_one"), ("override", "hwreg_plus")]


def test_a_registered_executor_validates_its_config(ran, instance):
    with pytest.raises(dg.InvalidConfigError) as e:
        dg.execute_job(hwreg_job, instance,
                       run_config={"execution": {"config": {"recording": {"lable": "x"}}}})
    assert e.value.errors == ["execution.config.recording.lable: unknown field (fields: label)"]
    assert ran == []
    assert instance.get_runs() == []  # nothing recorded: the config is fixed first


def test_the_default_executor_lists_registered_choices(ran):
    with pytest.raises(dg.InvalidConfigError) as e:
        dg.multi_or_in_process_executor.resolve({"config": {"dask": {}}})
    assert e.value.errors == ["execution.config: expected one of 'multiprocess', 'in_process' "
                              "or 'recording', got ['dask']"]


def test_unknown_executor_names_are_clear_errors(instance):
    names = "'in_process', 'multiprocess', 'multi_or_in_process'"
    with pytest.raises(dg.InvalidConfigError) as e:
        dg.execute_job(hwreg_job, instance, run_config={"execution": {"dask": {"config": {}}}})
    assert e.value.errors == [
        f"execution: no executor named 'dask' is registered (registered executors: {names}); "
        "register one with headwater.execution.executors.registry.register(ExecutorKind(...))"]

    @dg.job(executor_def=dg.ExecutorDefinition("dask"))
    def hwreg_dask_job():
        hwreg_one()

    with pytest.raises(dg.InvalidConfigError, match=r"executor_def 'dask': no executor named "
                       r"'dask' is registered \(registered executors: 'in_process'"):
        dg.execute_job(hwreg_dask_job, instance)
    assert instance.get_runs() == []
    assert "recording" not in registered_executors()


def test_a_name_is_registered_once(ran):
    with pytest.raises(dg.InvalidDefinitionError, match="'recording' is already registered"):
        register(ExecutorKind("recording", _validate, None))
