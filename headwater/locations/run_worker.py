"""A run worker: ``python -m headwater.locations.run_worker ORIGIN_JSON RUN_ID``.

The code server starts one per launched run, so a run that crashes (or is killed) never takes
the server down. It imports the location's code, opens the instance (HEADWATER_HOME, inherited
from the server) and executes the stored run under its own id.

A cold start is kept short: the instance's configuration file, validated by whoever queued the
run, is read on first use only (``defer_config``), and the multiprocess executor forks its step
workers from this process, which has the code imported already (as a warm worker does), unless
the user's code started threads at import (forking those is unsafe: fresh interpreters then),
and the garbage collector waits until the imports are done.
"""

from __future__ import annotations

import gc
import json
import sys
import threading


def run(origin_json: str, run_id: str) -> None:
    # No garbage collection while the imports build their thousands of objects (a tenth of a
    # cold start); they are then frozen, out of every later collection's way.
    gc.disable()
    try:
        defs, instance = _prepare(origin_json)
    finally:
        gc.freeze()
        gc.enable()
    from headwater.execution.stored_run import execute_stored_run

    execute_stored_run(run_id, instance, defs)


def _prepare(origin_json: str) -> tuple[object, object]:
    import headwater.execution.stored_run  # noqa: F401 - the run path, imported here
    import headwater.locations.reconstruct  # noqa: F401 - jobs' pointers for step workers
    from headwater.execution.executors.definition import set_default_start_method
    from headwater.locations.loader import load_definitions
    from headwater.locations.origins import LocationOrigin
    from headwater.storage import Instance

    origin = LocationOrigin.from_json(json.loads(origin_json))
    defs = load_definitions(origin).defs
    if threading.active_count() == 1:
        set_default_start_method("fork")
    return defs, Instance.get(defer_config=True)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.exit("usage: python -m headwater.locations.run_worker ORIGIN_JSON RUN_ID")
    run(args[0], args[1])


if __name__ == "__main__":
    main()
