"""A run worker: ``python -m headwater.locations.run_worker ORIGIN_JSON RUN_ID``.

The code server starts one per launched run, so a run that crashes (or is killed) never takes
the server down. It imports the location's code, opens the instance (HEADWATER_HOME, inherited
from the server) and executes the stored run under its own id.
"""

from __future__ import annotations

import json
import sys


def run(origin_json: str, run_id: str) -> None:
    import headwater.locations.reconstruct  # noqa: F401 - jobs' pointers for step workers
    from headwater.execution.stored_run import execute_stored_run
    from headwater.locations.loader import load_definitions
    from headwater.locations.origins import LocationOrigin
    from headwater.storage import Instance

    origin = LocationOrigin.from_json(json.loads(origin_json))
    defs = load_definitions(origin).defs
    instance = Instance.get()
    execute_stored_run(run_id, instance, defs)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.exit("usage: python -m headwater.locations.run_worker ORIGIN_JSON RUN_ID")
    run(args[0], args[1])


if __name__ == "__main__":
    main()
