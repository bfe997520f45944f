"""The benchmark behind ``make bench``: generate a national-scale graph, import it, time what matters.

    python bench/run.py [--nodes 100000] [--seed 7] [--quick]

Generates a synthetic graph (graphsvc.synthetic) into bench/out/, imports it into a fresh SQLite store
through the project's own import path (graphsvc.importing, streaming the file, one transaction),
builds the networkx projection, times the analyses that exist, durable single
writes, the graph as it stood (as_of) and raw SQLite commits, then the web pages on the demo and on this
graph (bench/web.py), and
prints one table and one JSON line (see docs/benchmarks.md).
Every key is always present in the JSON; a figure that could not be measured is null, with the
reason on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import random
import resource
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
from impact_section import IMPACT_KEYS, impact_metrics  # bench/impact_section.py
from neo4j_section import NEO4J_KEYS, neo4j_metrics  # bench/neo4j_section.py
from web import measure_demo, measure_store, web_keys  # bench/web.py, beside this file

from graphsvc.analysis.gaps import GapSettings
from graphsvc.exporting import write_csv
from graphsvc.importing import InputFile, import_document, import_files
from graphsvc.projection import Projection
from graphsvc.service import GraphService
from graphsvc.store import GraphStore, open_store
from graphsvc.synthetic import REFERENCE_DATE, generate
from graphsvc.vocabulary import load_vocabulary

OUT = Path(__file__).resolve().parent / "out"
CHILD_MEMORY_SHARE = 0.6  # address space a measuring child may use, as a share of physical memory
AS_OF_TIMEOUT = 900.0  # seconds the as_of measurements may take in all (two reconstructions of a national graph)
KEYS = ("nodes", "relationships", "generate_s", "import_s", "import_records_per_s", "import_file_mb",
        "import_peak_rss_mb", "import_csv_records_per_s",
        "import_without_ids_records_per_s", "load_s", "plain_pass_ms", "durable_writes_per_s",
        "raw_sqlite_commits_per_s", "gap_report_p50_ms", "gap_report_p95_ms", "path_p50_ms", "path_p95_ms",
        "path_refused", "neighbourhood_p50_ms", "neighbourhood_p95_ms", "neighbourhood_refused", "brokers_s",
        "overlaps_full_s", "overlaps_initiatives", "overlaps_pairs", "overlap_planted_recall", "overlap_recall",
        "overlap_sample_size", "overlap_bruteforce_s", "overlap_blocked_s", "as_of_changes", "as_of_recent_s",
        "as_of_recent_cached_ms", "as_of_recent_gaps_ms", "as_of_midpoint_s", "as_of_midpoint_cached_ms",
        "as_of_midpoint_gaps_ms", "board_pack_render_ms", *IMPACT_KEYS, "peak_rss_mb",
        "peak_child_rss_mb", *web_keys("demo_"), *web_keys(), *NEO4J_KEYS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=None, help="graph size (default 100000; 10000 with --quick)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="a 10k-node run, for a fast check")
    parser.add_argument("--overlap-timeout", type=float, default=120.0, metavar="S",
                        help="stop each overlap measurement after S seconds (default 120)")
    parser.add_argument("--web-timeout", type=float, default=600.0, metavar="S",
                        help="stop each web measurement (demo, this graph) after S seconds (default 600)")
    parser.add_argument("--no-neo4j", action="store_true",
                        help="leave out the Neo4j section (it needs Java and the launcher in tests/neo4j)")
    args = parser.parse_args(argv)
    nodes = args.nodes or (10_000 if args.quick else 100_000)
    rng = random.Random(args.seed)
    metrics: dict = dict.fromkeys(KEYS)
    OUT.mkdir(parents=True, exist_ok=True)

    path, planted = generate_graph(OUT / f"graph-{nodes}-{args.seed}.json", nodes, args.seed, metrics)
    service = fresh_service(OUT / "bench.sqlite3")
    import_graph(service, path, metrics)
    projection = load_projection(service.store, metrics)
    graph = projection.graph()
    metrics.update(nodes=graph.number_of_nodes(), relationships=graph.number_of_edges())
    metrics["plain_pass_ms"] = plain_pass_ms(graph)
    import_csv(graph, service.vocabulary, metrics)
    for measure, options in ((gap_metrics, {}), (path_metrics, {}), (brokers_metrics, {}),
                             (overlap_metrics, {"timeout": args.overlap_timeout})):
        _optional(measure, graph, rng, planted, metrics, **options)
    _optional(impact_measure, graph, rng, planted, metrics)
    import_without_ids(service, metrics)
    metrics["durable_writes_per_s"] = durable_writes_per_s(service)
    as_of_metrics(OUT / "bench.sqlite3", projection, metrics)
    board_pack_metrics(OUT / "bench.sqlite3", projection, metrics)
    metrics["raw_sqlite_commits_per_s"] = raw_sqlite_commits_per_s(OUT / "raw.sqlite3")
    metrics["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    metrics["peak_child_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    service.store.close()
    web_metrics(OUT / "bench.sqlite3", metrics, args.web_timeout)
    if not args.no_neo4j:
        # The same import, projection, reads and writes on a live Neo4j, measured by the same functions.
        def measure_reads(projected, found):
            for measure in (gap_metrics, path_metrics):
                _optional(measure, projected, random.Random(args.seed), planted, found)
        neo4j_metrics(path, metrics, import_graph, load_projection, measure_reads, durable_writes_per_s,
                      OUT / "bench.sqlite3")
    print_report(metrics)
    return 0


# -- generation and import -----------------------------------------------------------------------


def generate_graph(path: Path, nodes: int, seed: int, metrics: dict) -> tuple[Path, list[dict]]:
    started = time.perf_counter()
    with open(path, "w", encoding="utf-8") as out:
        summary = generate(out, nodes=nodes, seed=seed)
    metrics["generate_s"] = round(time.perf_counter() - started, 2)
    return path, summary["planted"]


def fresh_service(path: Path) -> GraphService:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    vocabulary = load_vocabulary()
    store = open_store({"STORE": "sqlite", "DATABASE": str(path)}, vocabulary)  # as the app opens it
    store.initialise()
    return GraphService(vocabulary, store)


def import_graph(service: GraphService, path: Path, metrics: dict) -> None:
    """Import the generated document as `graphsvc import` does: streamed, checked, one transaction."""
    started = time.perf_counter()
    with open(path, "rb") as handle:
        result = import_files(service, [InputFile(path.name, handle, "json")], actor="bench")
    seconds = time.perf_counter() - started
    if result.error_count:
        raise SystemExit(f"the generated graph did not import: {result.errors[:3]}")
    metrics.update(import_s=round(seconds, 2), import_records_per_s=round(result.rows / seconds),
                   import_file_mb=round(path.stat().st_size / 2**20, 1),
                   import_peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))


def import_without_ids(service: GraphService, metrics: dict, count: int = 300) -> None:
    """A small import whose relationships have no ids, into the busiest themes: the importer must
    then find each relationship by (type, from, to), which is what a spreadsheet import does."""
    themes, _ = service.store.find_nodes("Theme", limit=500)
    uses = {t.id: service.store.find_relationships(rel_type="ADDRESSES", target=t.id, limit=1)[1] for t in themes}
    hubs = sorted(uses, key=lambda theme: -uses[theme])[:3]
    document = {"nodes": [{"id": f"resource-bench-{i:05d}", "type": "Resource", "title": f"Bench resource {i}"}
                          for i in range(count)],
                "relationships": [{"type": "ADDRESSES", "from": f"resource-bench-{i:05d}", "to": theme}
                                  for i in range(count) for theme in hubs]}
    started = time.perf_counter()
    import_document(service, document, "bench")
    seconds = time.perf_counter() - started
    metrics["import_without_ids_records_per_s"] = round((count + len(document["relationships"])) / seconds)


def import_csv(graph: nx.MultiDiGraph, vocabulary, metrics: dict) -> None:
    """The spreadsheet path at full size: export the graph as CSV tables (a ZIP, as GET /export
    writes it) and import that into another fresh store."""
    path = OUT / "graph.csv.zip"
    with open(path, "wb") as handle:
        write_csv(graph, handle, vocabulary)
    target = fresh_service(OUT / "bench-csv.sqlite3")
    started = time.perf_counter()
    with open(path, "rb") as handle:
        result = import_files(target, [InputFile(path.name, handle, "zip")], actor="bench")
    seconds = time.perf_counter() - started
    target.store.close()
    if result.error_count:
        raise SystemExit(f"the CSV export did not import: {result.errors[:3]}")
    metrics["import_csv_records_per_s"] = round(result.rows / seconds)


def load_projection(store: GraphStore, metrics: dict) -> Projection:
    started = time.perf_counter()
    projection = Projection(store)
    projection.catch_up()
    metrics["load_s"] = round(time.perf_counter() - started, 2)
    return projection


def plain_pass_ms(graph: nx.MultiDiGraph) -> float:
    """One plain Python pass over every node and relationship: the floor under any analysis."""
    started = time.perf_counter()
    total = 0
    for _, data in graph.nodes(data=True):
        total += len(data)
    for _, _, _, data in graph.edges(keys=True, data=True):
        total += len(data)
    return round((time.perf_counter() - started) * 1000, 1)


# -- writes ----------------------------------------------------------------------------------------


def durable_writes_per_s(service: GraphService, seconds: float = 2.0) -> int:
    """Single node creations through the service, each its own durable (synchronous=FULL) transaction."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        service.create_node("Theme", {"id": f"theme-bench-{done:06d}", "name": f"Bench theme {done}"}, "bench")
        done += 1
    return round(done / (time.perf_counter() - started))


def raw_sqlite_commits_per_s(path: Path, seconds: float = 2.0) -> int:
    """The same file system's ceiling: plain sqlite3 INSERT + COMMIT, WAL, synchronous=FULL."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (body) VALUES (?)", ('{"name": "Bench theme"}',))
        conn.execute("COMMIT")
        done += 1
    rate = round(done / (time.perf_counter() - started))
    conn.close()
    return rate


# -- analyses other modules provide (measured when the module is there) ------------------------------


def gap_metrics(graph: nx.MultiDiGraph, rng: random.Random, planted: list[dict], metrics: dict,
                runs: int = 7) -> None:
    """The whole gap report (every rule) over the graph."""
    gaps = importlib.import_module("graphsvc.analysis.gaps")
    settings = gaps.GapSettings(as_of=REFERENCE_DATE)
    times = [_timed(lambda: gaps.find_gaps(graph, settings))[0] for _ in range(runs)]
    metrics.update(gap_report_p50_ms=_ms(_quantile(times, 0.5)), gap_report_p95_ms=_ms(_quantile(times, 0.95)))


def path_metrics(graph: nx.MultiDiGraph, rng: random.Random, planted: list[dict], metrics: dict,
                 queries: int = 50) -> None:
    """k=3 shortest paths (4 hops) between random people, organisations and initiatives, and depth-2
    neighbourhoods of random nodes; a query the work budget refuses counts with the time it took to refuse."""
    paths = importlib.import_module("graphsvc.analysis.paths")
    errors = importlib.import_module("graphsvc.errors")
    ends = sorted(n for n, t in graph.nodes(data="type") if t in ("Person", "Organisation", "Initiative"))
    every = sorted(graph.nodes)
    for key, query in (("path", lambda: paths.k_shortest_paths(graph, rng.choice(ends), rng.choice(ends), k=3,
                                                                max_hops=4)),
                       ("neighbourhood", lambda: paths.neighbourhood(graph, rng.choice(every), depth=2))):
        times, refused = [], 0
        for _ in range(queries):
            seconds, answer = _timed(query, errors.TooExpensive)
            times.append(seconds)
            refused += isinstance(answer, errors.TooExpensive)
        metrics.update({f"{key}_p50_ms": _ms(_quantile(times, 0.5)), f"{key}_p95_ms": _ms(_quantile(times, 0.95)),
                        f"{key}_refused": refused})


def brokers_metrics(graph: nx.MultiDiGraph, rng: random.Random, planted: list[dict], metrics: dict) -> None:
    """Brokers (betweenness, sampled on large graphs) with the module's defaults, as the API computes them."""
    # Uses graphsvc.analysis.centrality.brokers(graph) -> dict, which samples sources on large graphs itself.
    centrality = importlib.import_module("graphsvc.analysis.centrality")
    metrics["brokers_s"] = round(_timed(lambda: centrality.brokers(graph))[0], 2)


def overlap_metrics(graph: nx.MultiDiGraph, rng: random.Random, planted: list[dict], metrics: dict,
                    sample_size: int = 2000, timeout: float = 120.0) -> None:
    """The full blocked overlap run over every initiative (and how many planted near-duplicates it finds),
    then blocked against brute force on a sample of consecutive initiatives (where planted pairs cluster).
    Each part runs in a forked child that is stopped after ``timeout`` seconds, so one slow part cannot
    hold up the whole benchmark; its figures are then null."""
    overlaps = importlib.import_module("graphsvc.analysis.overlaps")
    metrics["overlaps_initiatives"] = sum(1 for _, t in graph.nodes(data="type") if t == "Initiative")
    truth = {frozenset((p["a"], p["b"])) for p in planted if p["kind"] == "duplicate-initiative"}

    def full() -> dict:
        seconds, found = _timed(lambda: overlaps.find_overlaps(graph, "initiative"))
        pairs = _pairs(found)
        return {"overlaps_full_s": round(seconds, 2), "overlaps_pairs": len(pairs),
                "overlap_planted_recall": round(len(truth & pairs) / len(truth), 4) if truth else None}

    def sampled() -> dict:
        sample = _initiative_sample(graph, sample_size, rng)
        brute_s, brute = _timed(lambda: overlaps.brute_force_overlaps(sample, "initiative"))
        blocked_s, blocked = _timed(lambda: overlaps.find_overlaps(sample, "initiative"))
        expected, got = _pairs(brute), _pairs(blocked)
        return {"overlap_sample_size": sum(1 for _, t in sample.nodes(data="type") if t == "Initiative"),
                "overlap_recall": round(len(expected & got) / len(expected), 4) if expected else 1.0,
                "overlap_bruteforce_s": round(brute_s, 2), "overlap_blocked_s": round(blocked_s, 2)}

    for part in (sampled, full):
        try:
            metrics.update(_in_child(part, timeout))
        except (TimeoutError, RuntimeError) as exc:
            print(f"bench: overlaps ({part.__name__}): {exc}", file=sys.stderr)


def as_of_metrics(database: Path, projection: Projection, metrics: dict, timeout: float = AS_OF_TIMEOUT) -> None:
    """The graph as it stood (graphsvc.queries.as_of.graph_at) 1,000 changes ago and at the midpoint of the
    log: rebuilt cold (undoing on a copy or replaying from empty, whichever is cheaper), asked again (from
    the cache), and the gap report at that moment. In a forked child with its own store connection, so the
    reconstructions' memory goes with it; the child reuses the loaded projection and catches it up first."""
    def work() -> dict:
        from graphsvc.queries.as_of import graph_at
        from graphsvc.queries.gaps import gap_report
        from graphsvc.queries.moments import Moment, change_time

        service = _child_service(database, projection)
        store = service.store
        last = store.last_seq()
        found = {"as_of_changes": last}

        def at(name: str, seq: int) -> None:
            cold, _ = _timed(lambda: graph_at(service, seq))
            cached, _ = _timed(lambda: graph_at(service, seq))
            moment = Moment(seq, change_time(store, seq))
            gaps, _ = _timed(lambda: gap_report(service, GapSettings(as_of=REFERENCE_DATE), moment=moment))
            found.update({f"as_of_{name}_s": round(cold, 2), f"as_of_{name}_cached_ms": _ms(cached),
                          f"as_of_{name}_gaps_ms": _ms(gaps)})

        at("recent", max(0, last - 1000))
        at("midpoint", last // 2)
        store.close()
        return found

    try:
        metrics.update(_in_child(work, timeout))
    except (TimeoutError, RuntimeError) as exc:
        print(f"bench: as_of: {exc}", file=sys.stderr)


def board_pack_metrics(database: Path, projection: Projection, metrics: dict, timeout: float = AS_OF_TIMEOUT) -> None:
    """The board pack (graphsvc.queries.board_pack) since a seq 1,000 changes back, judged on the reference
    date: built cold (the JSON body: action log, changes, flags, decisions) and rendered as the A4 document.
    In a forked child with its own store connection, like the as_of measurements."""
    def work() -> dict:
        from graphsvc.queries.board_pack import board_pack
        from graphsvc.reports.board_pack import to_html

        service = _child_service(database, projection)
        store = service.store
        since = str(max(0, store.last_seq() - 1000))
        seconds, _ = _timed(lambda: to_html(board_pack(service, since, None, REFERENCE_DATE, None, True,
                                                       GapSettings(as_of=REFERENCE_DATE))))
        store.close()
        return {"board_pack_render_ms": _ms(seconds)}

    try:
        metrics.update(_in_child(work, timeout))
    except (TimeoutError, RuntimeError) as exc:
        print(f"bench: board pack: {exc}", file=sys.stderr)


def _child_service(database: Path, projection: Projection) -> GraphService:
    """In a forked child: a service on its own connection to the benchmark store that reuses the loaded
    projection, caught up with the writes since the load (outside any timing)."""
    vocabulary = load_vocabulary()
    store = open_store({"STORE": "sqlite", "DATABASE": str(database)}, vocabulary)
    projection.store = store
    service = GraphService(vocabulary, store)
    service.projection = projection
    service.graph()
    return service


def web_metrics(database: Path, metrics: dict, timeout: float) -> None:
    """Server time of each main page through the test client, signed in (bench/web.py): on the shipped demo
    (15 requests a page) and on a copy of this graph's store (7). Each runs in a forked child, stopped after
    ``timeout`` seconds, so its second projection and any background computation go with it."""
    for name, work in (("demo", lambda: measure_demo(15)), ("benchmark graph", lambda: measure_store(database, 7))):
        try:
            metrics.update(_in_child(work, timeout))
        except (TimeoutError, RuntimeError) as exc:
            print(f"bench: web pages ({name}): {exc}", file=sys.stderr)


def _initiative_sample(graph: nx.MultiDiGraph, size: int, rng: random.Random) -> nx.MultiDiGraph:
    """``size`` consecutive initiatives (by id) with their neighbours, other initiatives left out."""
    initiatives = sorted(n for n, t in graph.nodes(data="type") if t == "Initiative")
    start = rng.randrange(max(1, len(initiatives) - size + 1))
    chosen = set(initiatives[start:start + size])
    keep = set(chosen)
    for node in chosen:
        keep.update(n for n in nx.all_neighbors(graph, node) if graph.nodes[n].get("type") != "Initiative")
    return graph.subgraph(keep).copy()


def _pairs(found: list[dict]) -> set[frozenset]:
    return {frozenset((pair["a"]["id"], pair["b"]["id"])) for pair in found}


# -- helpers ---------------------------------------------------------------------------------------


def impact_measure(graph: nx.MultiDiGraph, rng: random.Random, planted: list[dict], metrics: dict) -> None:
    """Impact summary, traces, framework coverage, gaps with series and a framework (bench/impact_section.py)."""
    impact_metrics(graph, rng, REFERENCE_DATE, metrics, _timed, _quantile, _ms)


def _optional(measure: Callable, graph, rng, planted, metrics: dict, **options) -> None:
    """Run one analysis measurement; if its module is missing or its API differs, say so and go on."""
    try:
        measure(graph, rng, planted, metrics, **options)
    except (ImportError, AttributeError, TypeError, RuntimeError) as exc:
        print(f"bench: {measure.__name__} skipped: {type(exc).__name__}: {exc}", file=sys.stderr)


def _in_child(work: Callable[[], dict], timeout: float) -> dict:
    """``work()`` run in a forked child (which shares the graph copy-on-write); TimeoutError after ``timeout``."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send, args=(work, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise TimeoutError(f"did not finish within {timeout:.0f} s; stopped")
        outcome, value = receiver.recv()
    except EOFError:
        outcome, value = "error", "the measuring process died before answering (out of memory?)"
    finally:
        if child.is_alive():
            child.kill()
        child.join()
    if outcome == "error":
        raise RuntimeError(value)
    return value


def _send(work: Callable[[], dict], sender) -> None:
    # A runaway measurement should fail with MemoryError here, not have the machine's OOM killer pick a victim.
    ceiling = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * CHILD_MEMORY_SHARE)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, resource.getrlimit(resource.RLIMIT_AS)[1]))
    try:
        sender.send(("ok", work()))
    except MemoryError:
        sender.send(("error", f"MemoryError: needed more than {ceiling / 2**30:.1f} GiB of address space"))
    except Exception as exc:  # reported by the parent
        sender.send(("error", f"{type(exc).__name__}: {exc}"))


def _timed(work: Callable, expected: type[BaseException] | tuple = ()) -> tuple[float, object]:
    """(seconds, result) — or (seconds, the exception) when ``work`` raises one of ``expected``."""
    started = time.perf_counter()
    try:
        result = work()
    except expected as exc:  # an answer too: the service refuses rather than running on
        result = exc
    return time.perf_counter() - started, result


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def print_report(metrics: dict) -> None:
    width = max(len(key) for key in metrics)
    print(f"{'metric':<{width}}  value")
    print(f"{'-' * width}  {'-' * 12}")
    for key, value in metrics.items():
        shown = "n/a" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
        print(f"{key:<{width}}  {shown}")
    print(json.dumps(metrics, sort_keys=False))


if __name__ == "__main__":
    sys.exit(main())
