"""The graph explorer at 2,000 records, in headless Chromium: how long until it is drawn, and to expand a record.

    python bench/explorer.py [--nodes 6000] [--seed 0] [--runs 5]

Generates a synthetic graph (fictional records, marked as examples) into a temporary store, starts
``graphsvc serve`` on it exactly as the browser tests do (tests/browser/live_server.py), picks a
record with at least 2,000 records within two steps and opens its explorer with ``limit=2000`` in
headless Chromium ``--runs`` times, each in a fresh browser context (cold caches, as a person's
first visit). It prints one table and one JSON line:

* ``ready``: from asking for the page until the drawing reports ready (``data-ready``; the page
  records ``performance.now()`` then, which counts from the navigation's start): server time,
  transfer, parsing, layout and the first frame.
* ``expand``: selecting a drawn record until the records linked to it are drawn (as the page times it).
* ``pan_frame``: panning the 2,000-record drawing a little, until the frame is drawn (interactivity).
* ``page_ms``: the server's time for the same page, fetched over HTTP (no browser).

The target (issue: "2,000 nodes stay interactive") is ``ready`` under 2 s. Without chromium every
figure is null, with the reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser tests' server helpers: one way to start the service

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# As the browser tests: these machines have no internet, so nothing may phone home or update itself.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RECORDS = 2000
TARGET_MS = 2000
TIMEOUT_MS = 60_000
KEYS = ("explorer_nodes", "explorer_edges", "explorer_page_bytes", "explorer_page_ms_p50",
        "explorer_ready_ms_p50", "explorer_ready_ms_max", "explorer_expand_ms_p50", "explorer_expand_ms_max",
        "explorer_expand_added_p50", "explorer_pan_frame_ms_p50", "explorer_pan_frame_ms_max", "explorer_target_ms",
        "explorer_runs")
PAN_STEPS = 20  # small pans, each timed until cytoscape has drawn the frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=6000, help="generated graph size (default 6000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    metrics = dict.fromkeys(KEYS)
    metrics.update(explorer_target_ms=TARGET_MS, explorer_runs=args.runs)
    chromium = os.environ.get("GRAPHSVC_CHROMIUM") or DEFAULT_CHROMIUM
    reason = _missing(chromium)
    if reason:
        print(f"explorer: not measured: {reason}", file=sys.stderr)
    else:
        metrics.update(measure(chromium, args.nodes, args.seed, args.runs))
    print_report(metrics)
    return 0


def measure(chromium: str, nodes: int, seed: int, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.browser.live_server import generated_database, record_reaching, start_server

    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-explorer-") as folder:
        database = Path(folder) / "graph.sqlite3"
        tokens = generated_database(database, nodes, seed)
        centre = record_reaching(database, RECORDS)
        server = start_server(database, tokens, Path(folder) / "server.log")
        address = f"/records/{centre}/graph?depth=2&limit={RECORDS}"
        try:
            figures = _page_figures(server.base_url, tokens["viewer"], address)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
                try:
                    timings = [_one_visit(browser, server.base_url, tokens["viewer"], address) for _ in range(runs)]
                finally:
                    browser.close()
        finally:
            server.stop()
    ready, expand, added = (sorted(run[key] for run in timings) for key in ("ready", "expand", "added"))
    frames = sorted(frame for run in timings for frame in run["frames"])
    return {**figures, "explorer_nodes": timings[0]["nodes"], "explorer_edges": timings[0]["edges"],
            "explorer_ready_ms_p50": statistics.median_low(ready), "explorer_ready_ms_max": ready[-1],
            "explorer_expand_ms_p50": statistics.median_low(expand), "explorer_expand_ms_max": expand[-1],
            "explorer_expand_added_p50": statistics.median_low(added),
            "explorer_pan_frame_ms_p50": statistics.median_low(frames), "explorer_pan_frame_ms_max": frames[-1]}


def _one_visit(browser, base_url: str, token: str, address: str) -> dict:
    """One cold visit: sign in, open the explorer, wait until drawn; then expand a record."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/sign-in")
        page.locator("input[name=token]").fill(token)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)
        page.goto(address, wait_until="commit")
        drawing = page.locator("#neighbourhood-graph[data-ready=true]")
        drawing.wait_for(state="attached")
        drawn = {"ready": int(drawing.get_attribute("data-ready-ms")),
                 "nodes": int(drawing.get_attribute("data-nodes")), "edges": int(drawing.get_attribute("data-edges")),
                 "frames": page.evaluate(PAN, PAN_STEPS)}
        page.evaluate(EXPAND, _record_to_expand(page))
        page.locator("#neighbourhood-graph[data-expand-ms]").wait_for(state="attached")
        return {**drawn, "expand": int(drawing.get_attribute("data-expand-ms")),
                "added": int(drawing.get_attribute("data-nodes")) - drawn["nodes"]}
    finally:
        context.close()


# Select the record as a click would (cytoscape's tap event): the page fetches and draws its links.
# (A block returning nothing: Playwright would otherwise copy the whole cytoscape element back.)
EXPAND = "(id) => { window.appGraphs['neighbourhood-graph'].getElementById(id).emit('tap'); }"


# Pan a little at a time, timing each step until cytoscape has drawn it (its "render" event).
PAN = """async (steps) => {
    const cy = window.appGraphs['neighbourhood-graph'];
    const times = [];
    for (let step = 0; step < steps; step += 1) {
        const started = performance.now();
        await new Promise((done) => { cy.one('render', done); cy.panBy({x: 15, y: 5}); });
        times.push(Math.round(performance.now() - started));
    }
    return times;
}"""


def _record_to_expand(page) -> str:
    """The drawn record (not the centre) with the most links: the costliest expansion a reader might make.
    Counted from the page's JSON island (a large drawing keeps its relationships off cytoscape's books)."""
    return page.evaluate("""() => {
        const graph = JSON.parse(document.getElementById('neighbourhood-graph-data').textContent);
        const links = new Map();
        for (const edge of graph.edges) {
            for (const end of [edge.source, edge.target]) links.set(end, (links.get(end) || 0) + 1);
        }
        const others = graph.nodes.slice(1).map((node) => node.id);
        return others.reduce((best, id) => ((links.get(id) || 0) > (links.get(best) || 0) ? id : best));
    }""")


def _page_figures(base_url: str, token: str, address: str, requests_made: int = 5) -> dict:
    """The page's size and the server's p50 time for it, over HTTP with a real session."""
    import re

    import requests

    session = requests.Session()
    session.trust_env = False  # never route 127.0.0.1 through a proxy from the environment
    with session:
        form = session.get(base_url + "/sign-in", timeout=30).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        session.post(base_url + "/sign-in", data={"token": token, "csrf_token": csrf}, timeout=30)
        times, size = [], 0
        for _ in range(requests_made):
            started = time.perf_counter()
            answer = session.get(base_url + address, timeout=60)
            times.append(time.perf_counter() - started)
            answer.raise_for_status()
            size = len(answer.content)
    return {"explorer_page_bytes": size, "explorer_page_ms_p50": round(statistics.median_low(times) * 1000)}


def _missing(chromium: str) -> str | None:
    """Why the browser cannot run here, or None."""
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        return f"no chromium at {chromium} (install it with: apt-get install chromium, or set GRAPHSVC_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def print_report(metrics: dict) -> None:
    """One table (the explorer's figures, p50 and max) and one JSON line with every key."""
    def shown(value):
        return "n/a" if value is None else f"{value:,}" if isinstance(value, int) else str(value)

    nodes, edges = metrics["explorer_nodes"], metrics["explorer_edges"]
    print(f"graph explorer: {shown(nodes)} records, {shown(edges)} relationships, {metrics['explorer_runs']} runs")
    print(f"{'figure':<34}{'p50':>10}{'max':>10}")
    print(f"{'load until drawn (ms)':<34}{shown(metrics['explorer_ready_ms_p50']):>10}"
          f"{shown(metrics['explorer_ready_ms_max']):>10}")
    print(f"{'expand a record (ms)':<34}{shown(metrics['explorer_expand_ms_p50']):>10}"
          f"{shown(metrics['explorer_expand_ms_max']):>10}")
    print(f"{'records added by expanding':<34}{shown(metrics['explorer_expand_added_p50']):>10}")
    print(f"{'pan one step, until drawn (ms)':<34}{shown(metrics['explorer_pan_frame_ms_p50']):>10}"
          f"{shown(metrics['explorer_pan_frame_ms_max']):>10}")
    print(f"{'server time for the page (ms)':<34}{shown(metrics['explorer_page_ms_p50']):>10}")
    print(f"{'page size (bytes)':<34}{shown(metrics['explorer_page_bytes']):>10}")
    print(f"{'target: drawn within (ms)':<34}{shown(metrics['explorer_target_ms']):>10}")
    print(json.dumps(metrics))


if __name__ == "__main__":
    sys.exit(main())
