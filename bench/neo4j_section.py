"""The benchmark's Neo4j section: the same figures as SQLite's, on a live Neo4j 5, in the same run.

A real Neo4j 5.26 Community (the launcher in tests/neo4j, built by `make test` or `make neo4j`) is
started on a free loopback port with a larger heap than the tests give it, the generated graph is
imported through the project's own import path (one transaction, as on SQLite), the projection is
loaded from Neo4j, and then: the gap report and paths on that projection (the reads people wait for),
the first single write after the import (it pays for planning the statements the import did not use),
durable single writes, and how long a writer waits while a projection's snapshot is read (none: it is
read for replay, without the writers' lock) and while an exact one is (migrate's: Neo4j reads are
read-committed, so that one holds the writers' lock for the length of the read).

Without Java or the built launcher every figure is null, with the reason on stderr.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the launcher helpers live with the tests that use them too

from graphsvc.service import GraphService  # noqa: E402
from graphsvc.store import open_store  # noqa: E402
from graphsvc.vocabulary import load_vocabulary  # noqa: E402
from tests import neo4j_server as launcher  # noqa: E402

# One transaction holding 600k records needs room: Neo4j keeps a transaction's state on the heap.
BENCH_HEAP = "8g"
NEO4J_KEYS = ("neo4j_import_s", "neo4j_import_records_per_s", "neo4j_load_s", "neo4j_first_write_ms",
              "neo4j_durable_writes_per_s", "neo4j_gap_report_p50_ms", "neo4j_path_p95_ms", "neo4j_snapshot_s",
              "neo4j_writer_wait_during_snapshot_ms", "neo4j_exact_snapshot_s",
              "neo4j_writer_wait_during_exact_snapshot_ms", "sqlite_writer_wait_during_snapshot_ms")


def neo4j_metrics(path: Path, metrics: dict, import_graph, load_projection, measure_reads, durable_writes_per_s,
                  sqlite_database: Path) -> None:
    """Fill the NEO4J_KEYS of ``metrics``; the measuring functions are bench/run.py's own, so both stores
    are measured by the same code."""
    reason = launcher.unavailable_reason()
    if reason:
        print(f"bench: Neo4j section skipped: {reason}", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-neo4j-") as folder:
        server = launcher.LaunchedServer(Path(folder) / "neo4j.log", heap=BENCH_HEAP)
        try:
            _measure(server, path, metrics, import_graph, load_projection, measure_reads, durable_writes_per_s)
        finally:
            server.stop()
    metrics["sqlite_writer_wait_during_snapshot_ms"] = _sqlite_writer_wait(sqlite_database)


def _measure(server, path, metrics, import_graph, load_projection, measure_reads, durable_writes_per_s) -> None:
    config = launcher.Neo4jServer(server.uri, "neo4j", launcher.TEST_PASSWORD, "neo4j").config()
    vocabulary = load_vocabulary()
    store = open_store(config, vocabulary)
    try:
        store.initialise()
        service = GraphService(vocabulary, store)
        found: dict = {}
        import_graph(service, path, found)
        metrics.update(neo4j_import_s=found["import_s"], neo4j_import_records_per_s=found["import_records_per_s"])
        projection = load_projection(store, found)
        metrics["neo4j_load_s"] = found["load_s"]
        reads: dict = {}
        measure_reads(projection.graph(), reads)
        metrics.update(neo4j_gap_report_p50_ms=reads.get("gap_report_p50_ms"),
                       neo4j_path_p95_ms=reads.get("path_p95_ms"))
        metrics["neo4j_first_write_ms"] = round(_one_write(service, "theme-bench-first") * 1000, 1)
        metrics["neo4j_durable_writes_per_s"] = durable_writes_per_s(service)
        metrics["neo4j_snapshot_s"], metrics["neo4j_writer_wait_during_snapshot_ms"] = _writer_wait(service)
        metrics["neo4j_exact_snapshot_s"], metrics["neo4j_writer_wait_during_exact_snapshot_ms"] = \
            _writer_wait(service, for_replay=False)
    finally:
        store.close()


def _writer_wait(service: GraphService, for_replay: bool = True) -> tuple[float, float]:
    """Read a whole snapshot in one thread (by default as a projection loads, for replay); a moment after
    it starts, time one single write in another. The write's time beyond an ordinary write's is how long
    a writer waits behind a snapshot."""
    kind = "replay" if for_replay else "exact"
    ordinary = min(_one_write(service, f"theme-bench-wait-base-{kind}-{i}") for i in range(3))
    snapshot_seconds: list[float] = []

    def read_snapshot() -> None:
        started = time.perf_counter()
        with service.store.snapshot(for_replay=for_replay) as (_, nodes, relationships):
            for _ in nodes:
                pass
            for _ in relationships:
                pass
        snapshot_seconds.append(time.perf_counter() - started)

    reader = threading.Thread(target=read_snapshot)
    reader.start()
    time.sleep(0.05)  # the snapshot has begun reading
    waited = _one_write(service, f"theme-bench-wait-{kind}")
    reader.join()
    return round(snapshot_seconds[0], 2), round(max(0.0, waited - ordinary) * 1000, 1)


def _one_write(service: GraphService, node_id: str) -> float:
    started = time.perf_counter()
    service.create_node("Theme", {"id": node_id, "name": f"Bench theme {node_id}"}, "bench")
    return time.perf_counter() - started


def _sqlite_writer_wait(database: Path) -> float | None:
    """The same measurement on the benchmark's SQLite store (WAL: a reader never blocks the writer)."""
    vocabulary = load_vocabulary()
    store = open_store({"STORE": "sqlite", "DATABASE": str(database)}, vocabulary)
    try:
        return _writer_wait(GraphService(vocabulary, store))[1]
    finally:
        store.close()
