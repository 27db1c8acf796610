"""A process of the concurrent-runs test: materialize the same assets several times.

Run as a script (``python hwexec_concurrent.py RUNS``) with ``HEADWATER_HOME`` in the
environment, and ``URL_ENV`` for an instance on a database URL (files under the home). It imports everything, prints ``ready``,
waits for a line on stdin (the test's start signal, sent to every process once all are ready),
then materializes ``ASSETS`` ``RUNS`` times into the instance and prints one JSON line with the
run ids and whether each succeeded.

The assets: ``c00`` .. ``c19``, each reading the one before it (and ``c00`` nothing), each
printing a line (so every step writes a compute log) and returning a value of ~64 KB (so that
writing it takes long enough for concurrent writers of the same asset to overlap).
"""

from __future__ import annotations

import json
import os
import sys

import headwater as dg

URL_ENV = "HWTEST_INSTANCE_URL"
COUNT = 20
PAYLOAD = 64 * 1024


def value_of(index: int) -> bytes:
    return bytes([index]) * PAYLOAD


def _make(index: int) -> dg.AssetsDefinition:
    name = f"c{index:02d}"
    if index == 0:
        @dg.asset(name=name)
        def first() -> bytes:
            print(f"{name} runs")
            return value_of(0)
        return first

    @dg.asset(name=name, ins={"previous": dg.AssetIn(f"c{index - 1:02d}")})
    def later(previous: bytes) -> bytes:
        assert previous == value_of(index - 1), f"{name} read a damaged value"
        print(f"{name} runs")
        return value_of(index)
    return later


ASSETS = [_make(i) for i in range(COUNT)]
EDGES = COUNT - 1  # inputs loaded per run


def open_instance() -> dg.Instance:
    """The instance the test points at: ``URL_ENV`` if set, else the one of HEADWATER_HOME."""
    url = os.environ.get(URL_ENV)
    if url:
        return dg.Instance.from_url(url, root_directory=os.environ["HEADWATER_HOME"])
    return dg.Instance.get()


def main(runs: int) -> None:
    with open_instance() as instance:
        print("ready", flush=True)
        sys.stdin.readline()  # the start signal
        outcome = []
        for _ in range(runs):
            result = dg.materialize(ASSETS, instance=instance, raise_on_error=False)
            outcome.append([result.run_id, result.success])
    print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
