"""Screenshots of the web UI on the example project, for the README (docs/screenshots/).

Runs the example's demo steps into a temporary instance, serves it with `headwater webserver`
and photographs the asset graph, an asset page and a run page with the system Chromium:

    .venv/bin/python tools/screenshots.py
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "resort_snow"
OUT = ROOT / "docs" / "screenshots"
HEADWATER = [sys.executable, "-c", "from headwater.cli.main import main; main()"]


def main() -> None:
    home = tempfile.mkdtemp(prefix="hw-screens-")
    env = {**os.environ, "HEADWATER_HOME": home}
    env.pop("DAGSTER_HOME", None)
    for args in (["asset", "materialize", "--select", "group:raw or group:conditions"],
                 ["backfill", "launch", "--select", "daily_snow_report+", "--partitions",
                  "2025-01-01...2025-01-14", "--wait"]):
        subprocess.run([*HEADWATER, *args], cwd=EXAMPLE, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    server = subprocess.Popen([*HEADWATER, "webserver", "--port", "0", "--log-level", "warning"],
                              cwd=EXAMPLE, env=env, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        url = _url(server)
        runs = json.loads(urllib.request.urlopen(f"{url}/api/v1/runs?limit=1").read())["items"]
        _photograph(url, runs[0]["run_id"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        shutil.rmtree(home, ignore_errors=True)


def _url(server: subprocess.Popen[str]) -> str:
    assert server.stderr is not None
    deadline = time.monotonic() + 60
    for line in server.stderr:
        if "serving http://" in line:
            return line.split("serving ", 1)[1].split()[0]
        if time.monotonic() > deadline:
            break
    raise SystemExit("the webserver did not start")


def _photograph(url: str, run_id: str) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 820})
        page.goto(f"{url}/assets")
        page.wait_for_selector("[data-testid=asset-graph-canvas][data-drawn]:not([data-drawn=''])")
        page.screenshot(path=str(OUT / "asset-graph.png"))
        page.goto(f"{url}/assets/daily_best_resort")
        page.wait_for_selector("[data-testid=partition-bar]")
        page.screenshot(path=str(OUT / "asset-page.png"))
        page.goto(f"{url}/runs/{run_id}")
        page.wait_for_selector("text=PIPELINE_SUCCESS")
        page.screenshot(path=str(OUT / "run-page.png"))
        browser.close()
    print(f"screenshots in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
