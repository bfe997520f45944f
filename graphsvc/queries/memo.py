"""Whole-graph results (brokers, communities) kept per service, and computed off the request on large graphs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from ..analysis.centrality import graph_index

__all__ = ["BACKGROUND_NODES", "RETRY_AFTER_SECONDS", "WAIT_SECONDS", "Memo", "StillComputing"]

BACKGROUND_NODES = 10_000  # above this, brokers and communities are computed off the request
WAIT_SECONDS = 20.0  # how long a caller waits for a first result before being told to come back
RETRY_AFTER_SECONDS = 30


class StillComputing(Exception):
    """No result yet: the computation runs on; ask again in ``retry_after`` seconds."""

    def __init__(self, name: str, retry_after: int = RETRY_AFTER_SECONDS):
        super().__init__(f"The {name} of this graph are still being computed; retry in a little while.")
        self.message, self.retry_after = str(self), retry_after


class Memo:
    """Results keyed by the projection's seq (any write makes a new one) and the examples flag.

    Small graphs compute in the caller's thread. On large ones the work runs in a background thread over a
    frozen copy of the structure (taken by the caller, so the live graph is never read concurrently):
    meanwhile the latest finished result is served with its seq; when there is none yet the caller waits up
    to WAIT_SECONDS and then gets :class:`StillComputing` rather than hanging.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._results: dict[tuple, tuple[int, object]] = {}
        self._jobs: dict = {}
        self._pool: ThreadPoolExecutor | None = None

    def get(self, name: str, examples: bool, seq: int | None, graph, compute) -> tuple[int | None, object]:
        """``(seq the result reflects, result)``; with ``seq`` None (writes landing meanwhile), computed now."""
        if seq is None:
            return None, compute(graph_index(graph))
        key = (name, examples)  # with and without the example records are two graphs
        with self._lock:
            done = self._results.get(key)
            if done is not None and done[0] == seq:
                return done
            if len(graph) <= BACKGROUND_NODES:  # (counting edges would itself take 0.2 s at 100k nodes)
                self._results[key] = (seq, compute(graph_index(graph)))
                return self._results[key]
            job = self._jobs.get(key)
            if job is None or job.done():
                self._pool = self._pool or ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphsvc-memo")
                job = self._jobs[key] = self._pool.submit(self._run, key, seq, compute, graph_index(graph))
        if done is not None:
            return done
        try:
            return job.result(timeout=WAIT_SECONDS)
        except FutureTimeout:
            raise StillComputing(name) from None

    def _run(self, key: tuple, seq: int, compute, frozen) -> tuple[int, object]:
        result = (seq, compute(frozen))
        with self._lock:
            if key not in self._results or self._results[key][0] < seq:
                self._results[key] = result
        return result
