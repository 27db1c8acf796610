"""A job for the live-event tests, importable by the run's process and its workers.

Three ops in a chain; each waits until the test creates its gate file (in $HWLIVE_GATES,
named after the op), so the test, reacting to the events it follows, decides when each step
goes on. ``GUARD_S`` only bounds how long a broken test may hang: a gate that never comes
fails the step, the run ends and the test sees the failure. No assertion depends on time.
"""

from __future__ import annotations

import os
import sys
import time

import headwater as dg

GATES_ENV = "HWLIVE_GATES"
GUARD_S = 120.0


def wait_for_gate(name: str) -> None:
    gate = os.path.join(os.environ[GATES_ENV], name)
    deadline = time.monotonic() + GUARD_S
    while not os.path.exists(gate):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the test never opened gate {name}")
        time.sleep(0.005)


@dg.op
def hwlive_first() -> int:
    wait_for_gate("hwlive_first")
    return 1


@dg.op
def hwlive_second(x: int) -> int:
    wait_for_gate("hwlive_second")
    return x + 1


@dg.op
def hwlive_third(x: int) -> int:
    wait_for_gate("hwlive_third")
    return x + 1


@dg.job(executor_def=dg.multiprocess_executor(max_concurrency=2))
def hwlive_chain():
    hwlive_third(hwlive_second(hwlive_first()))


def main() -> None:
    """``python hwlive_jobs.py URL RUN_ID``: run the chain as run RUN_ID on that instance."""
    url, run_id = sys.argv[1], sys.argv[2]
    with dg.Instance.from_url(url) as instance:
        result = dg.execute_job(dg.reconstructable(hwlive_chain), instance, run_id=run_id)
        sys.exit(0 if result.success else 1)


if __name__ == "__main__":
    main()
