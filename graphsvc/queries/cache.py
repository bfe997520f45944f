"""The read layer's caches: one set per service, keyed by the projection's seq, bounded and thread-safe.

Every write appends to the change log and so makes a new seq; an answer cached under one seq is never
served under another. ``snapshot`` hands out a graph together with the seq it reflects, so a cache key
cannot claim a newer seq than the data behind it. Answers about a past moment (``as_of``) live in a
:class:`PastCache` instead: the graph as it stood at a seq does not change as the log grows.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any

from .memo import Memo

__all__ = ["PastCache", "SeqCache", "caches_for", "snapshot"]

SNAPSHOT_TRIES = 3  # after this many writes landing mid-read, answer without caching rather than wait
PAST_GRAPH_BUDGET = 250_000  # nodes of the past graphs kept: two national graphs (~800 MB each) at most


def snapshot(service, examples: bool = True) -> tuple[int | None, Any]:
    """``(seq, graph)`` that agree: no change was applied between reading the seq and getting the graph.

    ``seq`` is None when writes kept landing while the graph was fetched; such an answer must not be cached.
    (The copy without example records is built per seq, and a change applied while it was being built
    would otherwise put the older copy's answer under the newer seq.)
    """
    graph = None
    for _ in range(SNAPSHOT_TRIES):
        before = service.projection.seq
        graph = service.graph(examples=examples)
        if service.projection.seq == before:
            return before, graph
    return None, graph


class SeqCache:
    """Values for the newest seq only, at most ``size`` of them, each computed once.

    A value is computed outside the lock; concurrent callers asking for the same key wait for that one
    computation instead of repeating it. Reaching a newer seq drops everything older, since no reader
    asks for an older seq again (the projection only moves forward).
    """

    def __init__(self, size: int):
        self._size, self._lock = size, threading.Lock()
        self._seq: int | None = None
        self._items: dict[Hashable, Future] = {}

    def get(self, seq: int | None, key: Hashable, compute: Callable[[], Any]) -> Any:
        if seq is None:
            return compute()
        with self._lock:
            if self._seq is None or seq > self._seq:
                self._seq, self._items = seq, {}
            current = seq == self._seq
            pending = self._items.get(key) if current else None
            owner = pending is None
            if owner:
                pending = Future()
                if current:  # an answer for a seq already passed is still right for its caller, not for others
                    self._remember(key, pending)
        if owner:
            _fill(self, key, pending, compute)
        return pending.result()

    def _remember(self, key: Hashable, pending: Future) -> None:
        if len(self._items) >= self._size:
            self._items.pop(next(iter(self._items)))  # the oldest: dicts keep insertion order
        self._items[key] = pending



class PastCache:
    """Values about past moments, least recently used dropped first, each computed once.

    The past does not change as the log grows, with one exception: an erasure rewrites history, and
    an erased person must vanish from every past view too. The projection reloads its graph (a new
    object) whenever it meets an erasure, so the cache remembers the live graph it was filled against
    and empties itself when it is handed another one (a reload for any other reason only costs a
    recomputation). ``weight(value)`` and ``budget`` bound the total held (e.g. the nodes of the graphs
    kept); the newest value is kept even when it alone exceeds the budget.
    """

    def __init__(self, size: int, budget: int | None = None, weight: Callable[[Any], int] | None = None):
        self._size, self._budget, self._weight = size, budget, weight or (lambda _: 1)
        self._lock = threading.Lock()
        self._live: weakref.ref | None = None
        self._items: OrderedDict[Hashable, Future] = OrderedDict()
        self.hits = self.misses = 0  # read by the benchmark and the tests

    def get(self, live, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value for ``key``, computed by ``compute()`` unless kept; ``live`` is the projection's graph."""
        with self._lock:
            if self._live is None or self._live() is not live:
                self._live, self._items = weakref.ref(live), OrderedDict()
            pending = self._items.get(key)
            owner = pending is None
            if owner:
                self.misses += 1
                pending = self._items[key] = Future()
            else:
                self.hits += 1
                self._items.move_to_end(key)
        if owner:
            _fill(self, key, pending, compute)
            with self._lock:
                self._trim(key)
        return pending.result()

    def _trim(self, newest: Hashable) -> None:
        # Values still being computed count towards the size only; failed ones were removed already.
        weights = {key: self._weight(item.result()) for key, item in self._items.items()
                   if item.done() and item.exception() is None}
        held = sum(weights.values())
        for key in [key for key in self._items if key != newest and key in weights]:  # oldest first
            if len(self._items) <= self._size and (self._budget is None or held <= self._budget):
                break
            del self._items[key]
            held -= weights[key]


class ReadCaches:
    """The caches of one service."""

    def __init__(self):
        self.gaps = SeqCache(8)  # full gap reports, by (examples, settings)
        self.action_log = SeqCache(4)  # the log's rows, by (examples, settings)
        self.overlap_items = SeqCache(4)  # prepared item vectors, by (examples, kind)
        self.overlap_pairs = SeqCache(8)  # the full list of pairs, by (examples, kind, options)
        self.answers = SeqCache(32)  # described communities, by their query
        # Flags over time (queries/flag_changes.py), by (since, until, examples, settings): small answers that
        # each cost up to a dozen gap reports, asked again by every reader of a board pack or meeting page.
        self.flag_changes = SeqCache(8)
        self.memo = Memo()  # brokers and communities, possibly computed in the background
        self.times = SeqCache(1)  # when the newest seq's change was made, for answers that say so
        # The graph as it stood at a past seq (queries/reconstruct.py), by (seq, examples): a board pack or
        # a meeting asks for the same moment again and again. Bounded by the nodes held as well.
        self.past_graphs = PastCache(4, budget=PAST_GRAPH_BUDGET, weight=lambda past: past.size)
        self.past_answers = PastCache(32)  # reports at a past seq, by (cache name, seq, examples, key)


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def caches_for(service) -> ReadCaches:
    """The caches of ``service``, made on first use; they go when the service goes."""
    with _CACHES_LOCK:
        caches = _CACHES.get(service)
        if caches is None:
            caches = _CACHES[service] = ReadCaches()
        return caches


def _fill(cache, key: Hashable, pending: Future, compute: Callable[[], Any]) -> None:
    """Compute a cache's value into ``pending`` (outside its lock). A failure is not remembered: the next
    caller tries again."""
    try:
        pending.set_result(compute())
    except BaseException as exc:
        with cache._lock:
            if cache._items.get(key) is pending:
                del cache._items[key]
        pending.set_exception(exc)
