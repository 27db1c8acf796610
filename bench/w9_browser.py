"""W9 browser: the graph page at 10,000 assets in headless Chromium (the system's).

Seeds an instance with `--assets` assets in a layered DAG (200 per group), serves the real web
app, and measures in the browser: from navigation to the graph drawn (the canvas's
`data-drawn`), with groups collapsed (the default past 2,000 assets) and with every asset
(`Groups: expanded`), after a first visit that builds the server's catalog and layout (timed
apart: `first_render_cold_server_ms`); then pans and zooms (40 wheel steps, 20 drags) while a PerformanceObserver
records long tasks (> 50 ms): their count and the longest, and the wall time of it all.
`renderer` says what drew the graph and `webgl` what the browser offered (`gpu`, `software`:
SwiftShader under --disable-gpu, where the page prefers its 2D canvas; `--renderer webgl`
forces WebGL).

    python bench/w9_browser.py --assets 10000
    python bench/w9_browser.py --assets 100000
"""

from __future__ import annotations

import shutil
import time

from _dag import emit, fresh_home, parse_args

import headwater as hw
from headwater.locations.in_process import InProcessLocation

DRAWN = "[data-testid=asset-graph-canvas][data-drawn]:not([data-drawn=''])"
WATCH = """() => { window.__long = []; new PerformanceObserver(list => {
  for (const e of list.getEntries()) window.__long.push(e.duration); })
  .observe({entryTypes: ['longtask']}); }"""


def _parents(i: int) -> list[str]:
    layer, col = divmod(i, 10)
    if layer == 0:
        return []
    return [f"asset_{(layer - 1) * 10 + c:06d}" for c in (col, (col + 1) % 10)]


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], assets={"type": int, "default": 10_000},
                      renderer={"default": "auto", "choices": ["auto", "webgl", "2d"],
                                "help": "the page's ?renderer= (auto: WebGL on a GPU, else 2D)"})
    query = "" if args.renderer == "auto" else f"?renderer={args.renderer}"
    from playwright.sync_api import sync_playwright

    from headwater.web.context import WebContext
    from headwater.web.server import WebServer

    fresh_home()
    instance = hw.Instance.get()
    specs = [hw.AssetSpec(f"asset_{i:06d}", group_name=f"g{i // 200}", deps=_parents(i))
             for i in range(args.assets)]
    defs = hw.Definitions(assets=specs)
    location = InProcessLocation("bench", lambda: defs, instance)
    web = WebServer(WebContext(instance, lambda: [location]), port=0).start()
    record: dict = {"impl": "headwater", "assets": args.assets}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(f"{web.url}/assets{query}")
            page.wait_for_selector(DRAWN)
            record["first_render_cold_server_ms"] = round((time.perf_counter() - start) * 1000)
            for mode, label in (("auto", "collapsed"), ("none", "expanded")):
                page.goto("about:blank")
                start = time.perf_counter()
                page.goto(f"{web.url}/assets{query}")
                if mode == "none":
                    page.wait_for_selector(DRAWN)
                    start = time.perf_counter()
                    page.select_option("select[aria-label=Groups]", "none")
                    page.wait_for_function(
                        "() => document.querySelector('[data-testid=asset-graph-canvas]')"
                        ".getAttribute('data-drawn')?.length > 0 && "
                        "!document.querySelector('[data-testid=asset-graph-canvas]')"
                        ".getAttribute('data-drawn').includes('-c')")
                else:
                    page.wait_for_selector(DRAWN)
                record[f"first_render_{label}_ms"] = round((time.perf_counter() - start) * 1000)
            for attr in ("renderer", "webgl"):
                record[attr] = page.get_attribute("[data-testid=asset-graph-canvas]",
                                                  f"data-{attr}")
            page.evaluate(WATCH)
            start = time.perf_counter()
            box = page.locator("[data-testid=asset-graph-canvas]").bounding_box()
            assert box is not None
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(cx, cy)
            for i in range(40):
                page.mouse.wheel(0, -120 if i < 20 else 120)
            for _ in range(20):
                page.mouse.down()
                page.mouse.move(cx + 200, cy + 80, steps=5)
                page.mouse.up()
                page.mouse.move(cx, cy)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")
            record["pan_zoom_ms"] = round((time.perf_counter() - start) * 1000)
            long_tasks = page.evaluate("() => window.__long")
            record["pan_zoom_long_tasks"] = len(long_tasks)
            record["pan_zoom_longest_task_ms"] = round(max(long_tasks, default=0.0))
            browser.close()
    finally:
        web.stop()
    emit(record)


if __name__ == "__main__":
    main()
