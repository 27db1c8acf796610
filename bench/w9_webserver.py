"""W9 web server, side by side: each library's own web server (`headwater webserver`,
`dagster-webserver`) started as a user starts it, on the same N-asset definitions (_dag.py's
layered DAG in one file), on a fresh empty home; then the requests its UI makes for the asset
graph, over HTTP.

* `ready_s`: from starting the server process to the first complete answer of the graph request
  (N nodes): loading the definitions included, as a user waits for the graph page;
* `graph_cold_ms` / `graph_warm_ms`: the graph request: the first complete answer (the end of
  `ready_s`) and the median of `--repeat` calls after it. Headwater: `GET /api/v1/asset_graph?collapse=none` (every asset
  and its edges, with the server-side layout); Dagster: the UI's `AssetGraphQuery` GraphQL
  (`assetNodes` with the fields its graph page asks for; Dagster lays the graph out in the
  browser afterwards, which is not timed here);
* `status_cold_ms` / `status_warm_ms`: the graph's status overlay. Headwater:
  `GET /api/v1/asset_graph/status`; Dagster: `assetsLatestInfo` for every asset key (what its
  graph page polls for materialized / in-progress state);
* `bytes`: the size of the graph answer.

    .venv/bin/python bench/w9_webserver.py --impl headwater --n 10000
    .venv-dagster/bin/python bench/w9_webserver.py --impl dagster --n 10000
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from _dag import emit, fresh_home, parse_args

BENCH_DIR = Path(__file__).resolve().parent

PROJECT = """\
import importlib
import sys

sys.path.insert(0, {bench_dir!r})
from _dag import layered_assets

dg = importlib.import_module({impl!r})
defs = dg.Definitions(assets=layered_assets(dg, {n}))
"""

DAGSTER_GRAPH_QUERY = """
query AssetGraphQuery {
  assetNodes {
    id
    groupName
    isExecutable
    isPartitioned
    isMaterializable
    isObservable
    hasMaterializePermission
    description
    computeKind
    kinds
    jobNames
    opNames
    graphName
    tags { key value }
    owners { ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
    repository { id name location { id name } }
    assetKey { path }
    dependencyKeys { path }
    dependedByKeys { path }
  }
}
"""

DAGSTER_STATUS_QUERY = """
query AssetGraphLiveQuery($assetKeys: [AssetKeyInput!]!) {
  assetsLatestInfo(assetKeys: $assetKeys) {
    id
    assetKey { path }
    unstartedRunIds
    inProgressRunIds
    latestRun { id status }
    latestMaterialization { timestamp runId }
  }
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_argv(impl: str, project_file: Path, port: int) -> list[str]:
    bin_dir = Path(sys.executable).parent
    if impl == "dagster":
        return [str(bin_dir / "dagster-webserver"), "-f", str(project_file),
                "-h", "127.0.0.1", "-p", str(port)]
    return [str(bin_dir / "headwater"), "webserver", "-f", str(project_file),
            "-h", "127.0.0.1", "-p", str(port), "--log-level", "warning"]


def http(url: str, body: dict | None = None, timeout: float = 600.0) -> bytes:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={
        "Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


class Client:
    """The graph and status requests of one library's UI."""

    def __init__(self, impl: str, base: str, keys: list[list[str]]):
        self.impl, self.base, self.keys = impl, base, keys

    def graph(self) -> tuple[int, int]:
        """(nodes in the answer, bytes)."""
        if self.impl == "dagster":
            raw = http(f"{self.base}/graphql", {"query": DAGSTER_GRAPH_QUERY})
            body = json.loads(raw)
            if body.get("errors"):
                raise SystemExit(f"GraphQL errors: {body['errors'][:2]}")
            return len(body["data"]["assetNodes"]), len(raw)
        raw = http(f"{self.base}/api/v1/asset_graph?collapse=none")
        return len(json.loads(raw)["layout"]["node_ids"]), len(raw)

    def status(self) -> int:
        if self.impl == "dagster":
            variables = {"assetKeys": [{"path": k} for k in self.keys]}
            raw = http(f"{self.base}/graphql", {"query": DAGSTER_STATUS_QUERY,
                                                "variables": variables})
            body = json.loads(raw)
            if body.get("errors"):
                raise SystemExit(f"GraphQL errors: {body['errors'][:2]}")
            return len(body["data"]["assetsLatestInfo"])
        return len(json.loads(http(f"{self.base}/api/v1/asset_graph/status"))["node_ids"])


def timed(call, repeat: int) -> tuple[float, float]:
    start = time.perf_counter()
    call()
    cold = (time.perf_counter() - start) * 1000
    warm = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        warm.append((time.perf_counter() - start) * 1000)
    return round(cold, 1), round(statistics.median(warm), 1)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], n_default=10_000,
                      repeat={"type": int, "default": 5},
                      timeout={"type": float, "default": 1800.0})
    home = Path(fresh_home())
    # Dagster's code server gives up after 180 s by default: loading 10,000 assets on a loaded
    # machine can take longer
    (home / "dagster.yaml").write_text("code_servers:\n  local_startup_timeout: 1500\n"
                                       "telemetry:\n  enabled: false\n")
    project = Path(tempfile.mkdtemp(prefix="hw-bench-web-"))
    atexit.register(shutil.rmtree, project, True)
    project_file = project / "graph_project.py"
    project_file.write_text(PROJECT.format(bench_dir=str(BENCH_DIR), impl=args.impl, n=args.n))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    keys = [[f"a{i:06d}"] for i in range(args.n)]
    client = Client(args.impl, base, keys)
    log = open(project / "server.log", "wb")  # a pipe nobody reads would block the server
    started = time.perf_counter()
    server = subprocess.Popen(server_argv(args.impl, project_file, port), cwd=project,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    record: dict = {"impl": args.impl, "n": args.n}
    try:
        deadline = started + args.timeout
        while True:  # until the graph answers with every asset (the location has loaded)
            if server.poll() is not None:
                raise SystemExit(f"the server exited ({server.returncode}); see "
                                 f"{project / 'server.log'}")
            if time.perf_counter() > deadline:
                raise SystemExit("timed out waiting for the graph")
            call_started = time.perf_counter()
            try:
                nodes, size = client.graph()
            except (urllib.error.URLError, ConnectionError, KeyError, TypeError):
                nodes = -1
            if nodes == args.n:
                record["graph_cold_ms"] = round((time.perf_counter() - call_started) * 1000, 1)
                record["bytes"] = size
                break
            time.sleep(0.05)  # a benchmark's poll of a starting server
        record["ready_s"] = round(time.perf_counter() - started, 2)
        record["graph_warm_ms"] = timed(client.graph, args.repeat)[1]
        record["status_cold_ms"], record["status_warm_ms"] = timed(client.status, args.repeat)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    emit(record)


if __name__ == "__main__":
    main()
