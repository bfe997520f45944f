"""The web section of ``make bench``: server time to render each main page through the Flask test client.

    python bench/web.py --demo [--requests 15]
    python bench/web.py --database bench/out/bench.sqlite3 [--requests 7]

A governance person signs in through ``/sign-in`` (a real session cookie and CSRF token), then each page
is requested ``1 + requests`` times: the first on its own (``first_ms``: it fills the caches kept per
projection seq — gap report, overlaps, coverage), then ``requests`` more for p50 and p95. The projection
is loaded before any page is timed (that is ``load_s`` in bench/run.py). The store is never written:
``--database`` is copied (SQLite's backup API) into a temporary directory, where the sign-in token is
issued; ``--demo`` seeds the shipped data (`graphsvc seed --dataset all`) into a temporary store.

Whole-graph analyses that a large graph computes off the request (communities) may answer "being
computed": that answer is counted (``web_communities_computing``) and timed, never waited for.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

# The pages, in the order they are measured (communities last: on a large graph it starts a background
# computation, which would otherwise compete with the pages timed after it).
WEB_PAGES = ("home", "register", "action", "initiative", "overlaps", "coverage", "connections", "person",
             "communities")
WEB_STATS = ("first_ms", "p50_ms", "p95_ms")
WEB_TARGET_P95_MS = {"demo": 150.0, "benchmark": 500.0}  # the issue's targets
SECRET_KEY = "bench-only-secret-key"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
BUSY_TEXT = "being computed"


def web_keys(prefix: str = "") -> tuple[str, ...]:
    """The fixed keys of one run: ``web_<prefix><page>_<stat>`` and the count of "being computed" answers."""
    return (*(f"web_{prefix}{page}_{stat}" for page in WEB_PAGES for stat in WEB_STATS),
            f"web_{prefix}communities_computing")


def measure_demo(requests: int = 15, prefix: str = "demo_") -> dict:
    """The pages over the shipped demo data, seeded into a temporary store."""
    from graphsvc.cli import seed_dataset

    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-web-") as folder:
        app = _app(Path(folder) / "demo.sqlite3")
        with app.app_context():
            _service(app).store.initialise()
            seed_dataset(app, "all", actor="bench")
        return _measure(app, requests, prefix)


def measure_store(database: Path, requests: int = 7, prefix: str = "") -> dict:
    """The pages over an existing store, read from a copy (the original is never opened for writing)."""
    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-web-") as folder:
        copy = Path(folder) / "store.sqlite3"
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        target = sqlite3.connect(copy)
        with target:
            source.backup(target)
        source.close()
        target.close()
        app = _app(copy)
        with app.app_context():
            _service(app).store.initialise()  # as `graphsvc init`: brings an older store's schema up to date
        return _measure(app, requests, prefix)


def _app(database: Path):
    from graphsvc import create_app

    return create_app({"DATABASE": str(database), "SECRET_KEY": SECRET_KEY})


def _service(app):
    from graphsvc.app import get_service

    return get_service(app)


def _measure(app, requests: int, prefix: str) -> dict:
    from graphsvc.auth import issue_token
    from graphsvc.queries import memo

    memo.WAIT_SECONDS = 0.0  # "being computed" is an answer: count it, don't wait for the result
    service = _service(app)
    _, token = issue_token(service.store, "bench-governance", "governance", "bench")
    with app.app_context():
        graph = service.graph()  # the projection, loaded before any page is timed
    browser = app.test_client()
    signed_in = browser.post("/sign-in", data={"token": token, "csrf_token": _csrf(browser)})
    if signed_in.status_code != 302:
        raise RuntimeError(f"signing in failed: {signed_in.status_code}")
    metrics: dict = dict.fromkeys(web_keys(prefix))
    metrics[f"web_{prefix}communities_computing"] = 0
    for page, path in _paths(graph).items():
        times = []
        for _ in range(1 + requests):
            started = time.perf_counter()
            answer = browser.get(path)
            times.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise RuntimeError(f"{page} ({path}) answered {answer.status_code}")
            if page == "communities" and BUSY_TEXT in answer.text:
                metrics[f"web_{prefix}communities_computing"] += 1
        first, rest = times[0], sorted(times[1:])
        metrics.update({f"web_{prefix}{page}_first_ms": _ms(first),
                        f"web_{prefix}{page}_p50_ms": _ms(_quantile(rest, 0.5)),
                        f"web_{prefix}{page}_p95_ms": _ms(_quantile(rest, 0.95))})
    return metrics


def _paths(graph) -> dict[str, str]:
    """Each page's address; the records are drawn with a fixed seed from the graph's own ids."""
    rng = random.Random(7)
    of_type: dict[str, list[str]] = {}
    for node, kind in graph.nodes(data="type"):
        of_type.setdefault(kind, []).append(node)
    for ids in of_type.values():
        ids.sort()
    people = rng.sample(of_type["Person"], 3)
    return {"home": "/", "register": "/actions",
            "action": f"/records/{rng.choice(of_type['Action'])}",
            "initiative": f"/records/{rng.choice(of_type['Initiative'])}",
            "overlaps": "/overlaps", "coverage": "/coverage",
            "connections": f"/connections?from={people[0]}&to={people[1]}",
            "person": f"/records/{people[2]}",
            "communities": "/connections/communities"}


def _csrf(browser) -> str:
    return CSRF_FIELD.search(browser.get("/sign-in").text).group(1)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def misses(metrics: dict, prefix: str, target_ms: float) -> list[str]:
    """The pages whose p95 is over ``target_ms``."""
    return [page for page in WEB_PAGES
            if (metrics.get(f"web_{prefix}{page}_p95_ms") or 0) > target_ms]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--demo", action="store_true", help="the shipped demo, seeded into a temporary store")
    where.add_argument("--database", type=Path, help="an existing SQLite store (read from a copy)")
    parser.add_argument("--requests", type=int, default=None, help="timed requests per page after the first "
                        "(default 15 on the demo, 7 on a store)")
    args = parser.parse_args(argv)
    if args.demo:
        metrics, prefix, target = measure_demo(args.requests or 15), "demo_", WEB_TARGET_P95_MS["demo"]
    else:
        metrics, prefix, target = measure_store(args.database, args.requests or 7), "", \
            WEB_TARGET_P95_MS["benchmark"]
    print(f"{'page':<12} {'first_ms':>9} {'p50_ms':>8} {'p95_ms':>8}")
    for page in WEB_PAGES:
        print(f"{page:<12} " + " ".join(f"{metrics[f'web_{prefix}{page}_{stat}']:>{len(stat) + 1}}"
                                         for stat in WEB_STATS))
    missed = misses(metrics, prefix, target)
    print(f"p95 over {target:.0f} ms: {', '.join(missed) or 'none'}; "
          f"communities 'being computed': {metrics[f'web_{prefix}communities_computing']}")
    print(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
