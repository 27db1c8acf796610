"""Fault test: many processes materialize the same assets into one instance at the same time.

Every run must succeed, every event must be stored, every stored value must be whole, and no
temporary file may be left behind. Real processes, started together (each waits for a line on
stdin, sent once all have imported everything): no sleeps.

``run_concurrently`` takes the instance's home folder and, optionally, a database URL (the
processes then use it, with their files under the home): the test runs on SQLite and on a
real PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import headwater as dg
from headwater.execution.compute_logs import read_compute_log

from . import hwexec_concurrent as workload

PROCESSES = 8
RUNS_EACH = 3
GUARD_S = 300  # only bounds how long a broken test may hang
SCRIPT = Path(workload.__file__)
TREE = Path(dg.__file__).resolve().parent.parent


def run_concurrently(home: Path, processes: int, runs_each: int,
                     url: str | None = None) -> list[list[tuple[str, bool]]]:
    """Start ``processes`` processes that each materialize ``workload.ASSETS`` ``runs_each``
    times into the instance at ``home`` (on database ``url`` if given), all released at once;
    return each process's ``(run_id, success)`` pairs."""
    env = {**os.environ, "HEADWATER_HOME": str(home)}
    env.pop("DAGSTER_HOME", None)
    env.pop(workload.URL_ENV, None)
    if url is not None:
        env[workload.URL_ENV] = url
    env["PYTHONPATH"] = os.pathsep.join([str(TREE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    procs = [subprocess.Popen([sys.executable, str(SCRIPT), str(runs_each)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for _ in range(processes)]
    try:
        for proc in procs:  # the barrier: every process has imported and opened the instance
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line == "ready\n", f"a process did not start: {line!r} {proc.stderr.read()}"
        for proc in procs:  # go
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outcomes = []
        for proc in procs:
            out, err = proc.communicate(timeout=GUARD_S)
            assert proc.returncode == 0, f"a process failed:\n{err}"
            outcomes.append([tuple(pair) for pair in json.loads(out.splitlines()[-1])])
        return outcomes
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _expected_events() -> Counter[str]:
    n = workload.COUNT
    return Counter({"PIPELINE_START": 1, "PIPELINE_SUCCESS": 1, "ASSET_MATERIALIZATION_PLANNED": n,
                    "STEP_START": n, "STEP_OUTPUT": n, "ASSET_MATERIALIZATION": n,
                    "HANDLED_OUTPUT": n, "STEP_SUCCESS": n, "LOADED_INPUT": workload.EDGES,
                    "STEP_INPUT": workload.EDGES})


def _leftovers(folder: Path) -> list[str]:
    """Files in ``folder`` that are not a stored value or a compute log: temporary files."""
    names = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    return [n for n in names if not (n.endswith((".out", ".err"))
                                     or n.split("/")[-1] in {a.key.path[-1]
                                                             for a in workload.ASSETS})]


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str | None:
    """None: the SQLite database of the home; else a new PostgreSQL database's URL."""
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_concurrent_runs_of_the_same_assets_all_succeed_and_store_everything(home, database_url,
                                                                            monkeypatch):
    if database_url is not None:  # a new database: the processes create its schema at once
        monkeypatch.setenv(workload.URL_ENV, database_url)
    outcomes = run_concurrently(home, PROCESSES, RUNS_EACH, database_url)

    runs = [pair for per_process in outcomes for pair in per_process]
    assert len(runs) == PROCESSES * RUNS_EACH
    expected = _expected_events()
    with workload.open_instance() as instance:
        failures = [e.message for run_id, ok in runs if not ok
                    for e in instance.all_logs(run_id, of_type="STEP_FAILURE")]
        assert failures == []
        assert all(ok for _, ok in runs)
        for run_id, _ in runs:
            assert instance.get_run_by_id(run_id).status == dg.RunStatus.SUCCESS
            counts = Counter(e.dagster_event_type.value for e in instance.all_logs(run_id)
                             if e.dagster_event is not None)
            assert counts == expected, f"run {run_id}"
            for asset in workload.ASSETS:
                name = asset.key.path[-1]
                assert read_compute_log(instance, run_id, name) == f"{name} runs\n"
        storage = Path(instance.storage_directory())
        values = dg.Definitions(assets=workload.ASSETS)
        for i, asset in enumerate(workload.ASSETS):  # every stored value is whole
            assert values.load_asset_value(asset.key, instance=instance) == workload.value_of(i)
    assert _leftovers(storage) == []
    assert _leftovers(home / "compute_logs") == []
