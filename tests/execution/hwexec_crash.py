"""Assets for the crash tests: ``hwcrash_blocking`` checks in at the test's socket (with its
pid) and waits for an answer the test never gives: the test kills the process instead.

Run as a process of its own: ``python -c "from tests.execution.hwexec_crash import main;
main()" MODE`` materializes them into the instance of $HEADWATER_HOME (or of the database
URL in $HWCRASH_URL), in process (MODE
``in_process``) or with the multiprocess executor (``spawn`` or ``fork``). Each asset appends
its name to the file in $HWCRASH_CALLS; only while $HWCRASH_BLOCK is set does the blocking
asset block.
"""

from __future__ import annotations

import os
import sys

import headwater as dg

from .hwexec_jobs import checkpoint

CALLS_ENV = "HWCRASH_CALLS"
BLOCK_ENV = "HWCRASH_BLOCK"
URL_ENV = "HWCRASH_URL"  # the instance's database, when not the SQLite one of $HEADWATER_HOME


def _called(name: str) -> None:
    with open(os.environ[CALLS_ENV], "a") as f:
        f.write(name + "\n")


@dg.asset
def hwcrash_first() -> int:
    _called("hwcrash_first")
    return 1


@dg.asset
def hwcrash_blocking(hwcrash_first: int) -> int:
    _called("hwcrash_blocking")
    if os.environ.get(BLOCK_ENV):
        checkpoint(str(os.getpid()))  # the test kills this process instead of answering
    return hwcrash_first + 1


@dg.asset
def hwcrash_after(hwcrash_blocking: int) -> int:
    _called("hwcrash_after")
    return hwcrash_blocking + 1


hwcrash_defs = dg.Definitions(assets=[hwcrash_first, hwcrash_blocking, hwcrash_after],
                              jobs=[dg.define_asset_job("hwcrash_job")])
hwcrash_job = hwcrash_defs.get_job_def("hwcrash_job")

RUN_CONFIG = {
    "in_process": {"execution": {"config": {"in_process": {}}}},
    "spawn": {"execution": {"config": {"multiprocess": {"max_concurrent": 1}}}},
    "fork": {"execution": {"config": {"multiprocess": {"max_concurrent": 1,
                                                       "start_method": "fork"}}}},
}


def main() -> None:
    url = os.environ.get(URL_ENV)
    instance = (dg.Instance.from_url(url, root_directory=os.environ["HEADWATER_HOME"]) if url
                else dg.DagsterInstance.get())
    with instance:
        dg.execute_job(dg.reconstructable(hwcrash_job), instance,
                       run_config=RUN_CONFIG[sys.argv[1]])
